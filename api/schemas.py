"""The API's JSON shapes (pydantic, through ninja): they document the API (OpenAPI 3) and shape its
answers. The rules for what is accepted are not here: requests are validated by the screens' own forms
(ProspectForm, WonForm, LostForm, TestClosingForm, ActivityForm), so one rule stays in one place."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from ninja import Schema
from pydantic import Field


class Problem(Schema):
    """RFC 9457 problem details (application/problem+json)."""

    type: str = Field(examples=["urn:salescrm:problem:conflict"])
    title: str
    status: int
    detail: str = ""
    errors: dict[str, list[str]] | None = Field(None, description="Messages per field (400, 422).")
    current: dict[str, Any] | None = Field(None, description="The row as it is now (409).")


# --- Prospects


class ProspectOut(Schema):
    id: int
    name: str
    contact_person: str
    phone: str
    email: str
    address: str
    source: str
    owner_id: int
    owner_name: str
    horizon: str
    probability: int
    expected_month: dt.date | None = Field(description="The first day of the month.")
    amount: Decimal
    status: str
    notes: str
    lead_activity_id: int | None
    company_id: int | None
    contact_id: int | None
    closed_on: dt.date | None
    won_amount: Decimal | None
    lost_reason: str
    competitor: str
    recontact_on: dt.date | None
    external_id: str = Field(description="The deal's ID in another system; unique among prospects.")
    created_at: dt.datetime
    updated_at: dt.datetime
    version: int = Field(description="Send it back with an update: a stale one answers 409.")

    @staticmethod
    def resolve_owner_name(obj) -> str:
        return obj.owner.display_name


class ProspectListItem(Schema):
    """A row of the list: what the list page shows (the rest is one GET away)."""

    id: int
    name: str
    owner_id: int
    owner_name: str
    horizon: str
    probability: int
    expected_month: dt.date | None
    amount: Decimal
    source: str
    status: str
    version: int
    next_activity_at: dt.datetime | None = None

    @staticmethod
    def resolve_owner_name(obj) -> str:
        return obj.owner.display_name


class ProspectPage(Schema):
    items: list[ProspectListItem]
    next_cursor: str | None = Field(description="Pass as `cursor` for the next page; null on the last.")


class ProspectIn(Schema):
    """A new prospect. The same rules as the prospect form (e.g. probability 0-100, amount >= 0)."""

    name: str
    source: str = Field(description="door_to_door, inbound, exhibition, flyer, referral, …")
    contact_person: str = ""
    phone: str = ""
    email: str = ""
    address: str = ""
    lead_activity: int | None = None
    owner: int | None = Field(None, description="Managers and admins only; a rep's prospects are their own.")
    horizon: str = Field("", description="Empty: as the expected month suggests.")
    probability: int = 0
    expected_month: str | None = Field(None, description="YYYY-MM", examples=["2026-11"])
    amount: Decimal = Decimal(0)
    notes: str = ""
    external_id: str = Field("", description="The deal's ID in another system; another prospect's is 422.")


class ProspectPatch(Schema):
    """The fields to change, and the version the change was made from."""

    version: int
    name: str | None = None
    source: str | None = None
    contact_person: str | None = None
    phone: str | None = None
    email: str | None = None
    address: str | None = None
    lead_activity: int | None = None
    owner: int | None = None
    horizon: str | None = None
    probability: int | None = None
    expected_month: str | None = Field(None, description="YYYY-MM")
    amount: Decimal | None = None
    notes: str | None = None
    external_id: str | None = Field(None, description='"" clears it; another prospect\'s is 422.')


class WonIn(Schema):
    version: int
    amount: Decimal
    closed_on: dt.date


class LostIn(Schema):
    version: int
    closed_on: dt.date
    reason: str
    competitor: str = ""
    note: str = ""
    recontact_on: dt.date | None = None


# --- Test closings


class TestClosingOut(Schema):
    __test__ = False

    id: int
    prospect_id: int
    question_id: int | None
    question_text: str
    answer: str
    reading: str
    revealed_month: dt.date | None
    revealed_budget: Decimal | None
    revealed_decision_maker: str
    annotation: str
    asked_by_id: int | None
    asked_at: dt.datetime


class TestClosingPage(Schema):
    __test__ = False

    items: list[TestClosingOut]
    next_cursor: str | None


class TestClosingIn(Schema):
    __test__ = False

    question: int | None = None
    question_text: str = ""
    answer: str
    reading: str = Field(description="positive, undecided or negative")
    revealed_month: str | None = Field(None, description="YYYY-MM")
    revealed_budget: Decimal | None = None
    revealed_decision_maker: str = ""


# --- Companies and contacts (the shared directory)


class CompanyOut(Schema):
    id: int
    name: str
    furigana: str
    corporate_number: str
    phone: str
    address: str
    industry: str
    website: str
    notes: str
    created_at: dt.datetime
    updated_at: dt.datetime


class CompanyPage(Schema):
    items: list[CompanyOut]
    next_cursor: str | None


class ContactOut(Schema):
    id: int
    name: str
    furigana: str
    title: str
    department: str
    email: str
    phone: str
    company_id: int | None
    created_at: dt.datetime
    updated_at: dt.datetime


class ContactPage(Schema):
    items: list[ContactOut]
    next_cursor: str | None


# --- Activities


class ActivityOut(Schema):
    id: int
    prospect_id: int
    owner_id: int
    kind: str
    subject: str
    starts_at: dt.datetime
    all_day: bool
    duration_minutes: int | None
    status: str
    done_at: dt.datetime | None
    outcome: str
    version: int

    @staticmethod
    def resolve_kind(obj) -> str:
        return obj.kind.code


class ActivityPage(Schema):
    items: list[ActivityOut]
    next_cursor: str | None


class ActivityIn(Schema):
    status: str = Field("planned", description="planned or done")
    kind: str = Field(description="An activity kind's code: visit, call, email, meeting, …")
    subject: str = ""
    on: dt.date
    at: str | None = Field(None, description="HH:MM; none: the whole day")
    ends_at: str | None = Field(None, description="HH:MM")
    duration_minutes: int | None = None
    outcome: str = ""


# --- Targets and alerts


class TargetOut(Schema):
    id: int
    user_id: int | None
    team_id: int | None
    min_open: int | None
    min_short: int | None
    min_mid: int | None
    min_long: int | None
    sales_target: Decimal | None
    updated_at: dt.datetime


class TargetPage(Schema):
    items: list[TargetOut]
    next_cursor: str | None


class AlertOut(Schema):
    id: int
    scope: str
    user_id: int | None
    team_id: int | None
    rule: str
    current: int
    target: int
    deficit: int
    opened_at: dt.datetime
    resolved_at: dt.datetime | None
    checked_at: dt.datetime
    projected_date: dt.date | None


class AlertPage(Schema):
    items: list[AlertOut]
    next_cursor: str | None
