"""A submission's way into the pipeline: saved first (inquiry_save), then made a prospect in one
transaction (inquiry_process), which a failure leaves to Celery's retries and the sweep."""

from __future__ import annotations

import logging
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Case, F, OuterRef, Q, QuerySet, Subquery, When
from django.db.models.functions import Coalesce
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext_noop

from accounts.access import admin_ids, members_of, team_managers
from accounts.models import Role, User
from companies.models import Company, Contact
from companies.normalize import normalize_email, normalize_name, normalize_phone
from companies.selectors import LIKELY_MIN_PHONE_DIGITS
from companies.services import company_create, contact_create
from inbound.models import FIELD_MAX, Assignment, Inquiry, InquiryForm, InquiryStatus
from inbound.signals import inquiry_received
from notifications.services import notify
from prospects.models import Prospect, Source
from prospects.services import prospect_create

logger = logging.getLogger("salescrm.inbound")
MATCH_LIMIT = 5

NOTIFICATION_KIND = "inquiry"
NOTIFICATION_MESSAGE = gettext_noop("New web inquiry from %(name)s (%(form)s)")


class NoAssignee(Exception):
    """The form's team has no active rep or manager and the company no admin."""


def inquiry_save(
    *, form: InquiryForm, data: dict[str, Any], lang: str, origin: str, address_hash: str
) -> Inquiry:
    """Keep what was sent, before anything else runs (its own commit)."""
    clean = {k: str(v)[: FIELD_MAX[k]] for k, v in data.items() if k in FIELD_MAX and v not in (None, "")}
    return Inquiry.objects.create(
        form=form, data=clean, lang=lang[:8], origin=origin[:200], address_hash=address_hash
    )


def _active_reps(team_id: int | OuterRef) -> QuerySet[User]:
    """Whom a round robin goes round: the team's active reps."""
    return User.objects.filter(pk__in=members_of(team_id), is_active=True, role=Role.REP)


def _round_robin_next(form: InquiryForm) -> User | None:
    """Move the form's cursor to the rep after the last one served (in id order, round to the first)
    and return them; None, the cursor kept, when the team has no active rep.

    One UPDATE ... RETURNING (save() reads back a field given an expression). Its row lock makes a
    concurrent lead of the same form wait and then read the cursor this one set: two leads never go
    to the same "next" rep (tests/inbound/test_concurrency.py)."""
    # 0 for the reps after the last one served, 1 for the others (all of them when nobody was served).
    after_last = Case(When(pk__gt=OuterRef("last_assignee_id"), then=0), default=1)
    following = (
        _active_reps(OuterRef(OuterRef("team_id")))
        .alias(after_last=after_last)
        .order_by("after_last", "pk")
        .values("pk")[:1]
    )
    form.last_assignee_id = Coalesce(Subquery(following), F("last_assignee_id"))
    form.save(update_fields=["last_assignee", "updated_at"])
    return _active_reps(form.team_id).filter(pk=form.last_assignee_id).first()


def assignee_pick(form: InquiryForm) -> User:
    """Who gets the lead: round robin over the team's active reps (which moves the form's cursor), or
    the team's manager; a team with neither goes to its manager, then to an admin."""
    if form.assignment == Assignment.ROUND_ROBIN:
        rep = _round_robin_next(form)
        if rep is not None:
            return rep
    candidates = sorted(team_managers().get(form.team_id, set())) or sorted(admin_ids())
    if not candidates:
        raise NoAssignee(form.pk)
    return User.objects.get(pk=candidates[0])


def _best_contact(contacts: list[Contact], email: str, phone: str) -> Contact | None:
    """The same e-mail first, then the same phone, then the same name at the company."""
    mail, digits = normalize_email(email), normalize_phone(phone)
    for contact in contacts:
        if mail and contact.email_norm == mail:
            return contact
    for contact in contacts:
        if digits and contact.phone_norm == digits:
            return contact
    return contacts[0] if contacts else None


def _likely(rows, match: Q) -> list:
    return list(rows.current().filter(match).order_by("name_norm", "pk")[:MATCH_LIMIT]) if match else []


def customer_match(data: dict[str, str]) -> tuple[Company | None, Contact | None]:
    """名寄せ: the existing company and contact this inquiry most likely is, by the rule of
    companies.selectors.likely_companies / likely_contacts (the same normalised name, or the same phone;
    a contact also by e-mail), without the deal summaries those add for the prospect form."""
    company_name, phone, email = data.get("company", ""), data.get("phone", ""), data.get("email", "")
    digits = normalize_phone(phone)
    digits = digits if len(digits) >= LIKELY_MIN_PHONE_DIGITS else ""
    company = None
    if norm := normalize_name(company_name):
        match = Q(name_norm=norm) | (Q(phone_norm=digits) if digits else Q(pk__in=[]))
        company = next(iter(_likely(Company.objects, match)), None)
    match = Q(pk__in=[])
    if norm := normalize_name(data.get("name", "")):
        match |= Q(name_norm=norm, company_id=company.pk if company else None)
    if mail := normalize_email(email):
        match |= Q(email_norm=mail)
    if digits:
        match |= Q(phone_norm=digits)
    contact = _best_contact(_likely(Contact.objects.select_related("company"), match), email, phone)
    if company is None and contact is not None:
        company = contact.company
    return company, contact


def _customer_records(data: dict[str, str], owner: User) -> tuple[Company | None, Contact]:
    company, contact = customer_match(data)
    if company is None and data.get("company"):
        company = company_create(by=owner, name=data["company"], phone=data.get("phone", ""))
    if contact is None:
        contact = contact_create(
            by=owner,
            name=data.get("name", ""),
            furigana=data.get("furigana", ""),
            email=data.get("email", ""),
            phone=data.get("phone", ""),
            company=company,
        )
    return company, contact


def _notes(inquiry: Inquiry) -> str:
    with translation.override(settings.LANGUAGE_CODE):
        return render_to_string(
            "inbound/prospect_notes.txt", {"inquiry": inquiry, "data": inquiry.data}
        ).strip()


def inquiry_process(inquiry_id: int, *, saved: Inquiry | None = None) -> Prospect | None:
    """Make the inquiry a prospect, in one transaction: match or make its company and contact, assign
    it by the form's rule, keep what was sent in its notes, tell the assignee (bell now, e-mail after
    the commit), announce inquiry_received. `saved`: the inquiry (with its form) the request has just
    saved, not read again. Idempotent: an inquiry already made a prospect is skipped, and of two
    workers making it one at once, the second finds it claimed and rolls its work back. Returns the
    prospect, or None when skipped."""
    inquiry = saved
    if inquiry is None:
        inquiry = (
            Inquiry.objects.select_related("form")
            .filter(pk=inquiry_id, status=InquiryStatus.RECEIVED)
            .first()
        )
        if inquiry is None:
            return None
    with transaction.atomic():
        form = inquiry.form
        owner = assignee_pick(form)
        data = inquiry.data
        company, contact = _customer_records(data, owner)
        prospect = prospect_create(
            by=owner,
            owner=owner,
            name=(data.get("company") or data.get("name") or "-")[:200],
            contact_person=data.get("name", "")[:100],
            phone=data.get("phone", ""),
            email=data.get("email", ""),
            source=Source.INBOUND,
            notes=_notes(inquiry),
            company=company,
            contact=contact,
        )
        # The claim: the conditional UPDATE's row lock makes a concurrent worker wait, and then find the
        # inquiry processed (0 rows): its prospect, notification and events go with its rollback.
        processed_at = timezone.now()
        claimed = Inquiry.objects.filter(pk=inquiry.pk, status=InquiryStatus.RECEIVED).update(
            status=InquiryStatus.PROCESSED, prospect=prospect, processed_at=processed_at
        )
        if not claimed:
            transaction.set_rollback(True)
            return None
        inquiry.status, inquiry.prospect, inquiry.processed_at = (
            InquiryStatus.PROCESSED,
            prospect,
            processed_at,
        )
        notify(
            owner,
            NOTIFICATION_KIND,
            NOTIFICATION_MESSAGE,
            reverse("prospects:detail", args=[prospect.pk]),
            params={"name": prospect.name, "form": form.name},
        )
        inquiry_received.send(sender=Inquiry, inquiry=inquiry, prospect=prospect)
    return prospect


def inquiry_failed(inquiry_id: int, exc: BaseException) -> None:
    """Note a failed attempt on the inquiry (it stays `received` for the retry and the sweep)."""
    from django.db.models import F

    Inquiry.objects.filter(pk=inquiry_id).update(attempts=F("attempts") + 1, last_error=repr(exc)[:300])


def unprocessed_inquiry_ids(*, older_than_seconds: int, limit: int = 200) -> list[int]:
    cutoff = timezone.now() - timezone.timedelta(seconds=older_than_seconds)
    rows = Inquiry.objects.filter(status=InquiryStatus.RECEIVED, created_at__lt=cutoff).order_by("created_at")
    return list(rows.values_list("pk", flat=True)[:limit])
