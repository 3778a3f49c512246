"""The /api/v1/ operations. Thin, like the views: access (the screens' own functions, 404 outside the
user's view), the screens' form for the rules, the service for the write, the schema for the answer."""

from __future__ import annotations

import copy
import datetime as dt
from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema, Status

from accounts.access import visible_user_names
from activities.models import Activity, ActivityStatus
from activities.selectors.access import access_activity
from api import schemas as s
from api.cursor import paginate
from api.problems import ApiProblem, form_errors
from closing import services as closing_services
from closing.forms import LostForm, TestClosingForm, WonForm
from closing.models import TestClosing
from companies.models import Company, Contact
from companies.selectors import access_company, access_contact
from companies.services import customer_records
from prospects.forms import ProspectFilterForm, ProspectForm
from prospects.models import Prospect
from prospects.selectors import access_prospect, prospect_list_queryset
from prospects.services import EDITABLE_FIELDS, ProspectConflict, prospect_create, prospect_update
from salescrm.lib.params import parse_id
from targets.models import PipelineAlert, PipelineTarget

router = Router()

# Every operation answers these problems (RFC 9457) besides its own success.
READ_ERRORS: dict[int, Any] = {400: s.Problem, 401: s.Problem, 404: s.Problem, 422: s.Problem, 429: s.Problem}
WRITE_ERRORS: dict[int, Any] = {**READ_ERRORS, 403: s.Problem, 409: s.Problem}


class PageParams(Schema):
    cursor: str | None = None
    limit: int = 25


def _form_value(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, bool):
        return "on" if value else ""
    return str(value)


def _form_data(values: dict[str, Any]) -> dict[str, str]:
    """JSON values as a submitted form's strings, for the screens' forms to judge."""
    return {key: _form_value(value) for key, value in values.items()}


def _invalid(form) -> ApiProblem:
    return ApiProblem(422, _("See errors."), errors=form_errors(form))


def _current(prospect: Prospect) -> dict[str, Any]:
    return s.ProspectOut.from_orm(prospect).model_dump(mode="json")


def _conflict(exc: ProspectConflict) -> ApiProblem:
    return ApiProblem(
        409,
        _(
            "Someone else saved this prospect after the version you sent; `current` holds it as it is "
            "now. Apply your change to it and send its version."
        ),
        current=_current(exc.current),
    )


def _page_limit(limit: int) -> int:
    if not 1 <= limit <= 100:
        raise ApiProblem(400, _("limit: expected a whole number from 1 to 100"))
    return limit


def _page(qs: QuerySet, ordering: tuple[str, ...], page: PageParams, key: str) -> dict[str, Any]:
    rows, next_cursor = paginate(qs, ordering, cursor=page.cursor, limit=_page_limit(page.limit), key=key)
    return {"items": rows, "next_cursor": next_cursor}


# --- Prospects


class ProspectFilters(Schema):
    """The prospect list page's filters (prospects.forms.ProspectFilterForm judges them): status is
    `open` unless given (`status=` for all), as on the page."""

    q: str | None = None
    horizon: str | None = None
    source: str | None = None
    lead_kind: str | None = None
    lead_activity: str | None = None
    status: str | None = None
    month_from: str | None = None
    month_to: str | None = None
    owner: str | None = None
    planned: str | None = None
    sort: str | None = None


@router.get(
    "/prospects", response={200: s.ProspectPage, **READ_ERRORS}, url_name="prospects", tags=["prospects"]
)
def prospect_list(request: HttpRequest, filters: Query[ProspectFilters], page: Query[PageParams]):
    data = request.GET.copy()
    for key in ("cursor", "limit"):
        data.pop(key, None)
    if "status" not in data:
        data["status"] = "open"
    user = request.user
    owners = visible_user_names(user) if user.is_admin_role or user.is_manager else None
    form = ProspectFilterForm(data, user=user, owners=owners)
    if not form.is_valid():
        raise _invalid(form)
    ordering = form.ordering()
    return _page(prospect_list_queryset(user, form), ordering, page, key="prospects:" + ",".join(ordering))


@router.post(
    "/prospects",
    response={201: s.ProspectOut, **WRITE_ERRORS},
    url_name="prospect_create",
    tags=["prospects"],
)
def prospect_create_api(request: HttpRequest, payload: s.ProspectIn):
    form = ProspectForm(_form_data(payload.model_dump()), user=request.user)
    if not form.is_valid():
        raise _invalid(form)
    fields = {k: v for k, v in form.cleaned_data.items() if k in EDITABLE_FIELDS and k != "owner"}
    with transaction.atomic():  # the prospect and a company or contact the form names as new, or neither
        fields = customer_records(fields, by=request.user)
        prospect = prospect_create(by=request.user, owner=form.cleaned_data.get("owner"), **fields)
    return Status(201, access_prospect(request.user, prospect.pk))


@router.get(
    "/prospects/{pk}", response={200: s.ProspectOut, **READ_ERRORS}, url_name="prospect", tags=["prospects"]
)
def prospect_read(request: HttpRequest, pk: str):
    return access_prospect(request.user, pk)


@router.patch(
    "/prospects/{pk}",
    response={200: s.ProspectOut, **WRITE_ERRORS},
    url_name="prospect_update",
    tags=["prospects"],
)
def prospect_update_api(request: HttpRequest, pk: str, payload: s.ProspectPatch):
    """Change some fields. `version` is the one you read; if someone saved since, 409 with `current`."""
    prospect = access_prospect(request.user, pk)
    shown = ProspectForm(instance=copy.copy(prospect), user=request.user)
    data = {name: shown[name].value() for name in shown.fields}  # the form as the edit page shows it
    data.update(payload.model_dump(exclude_unset=True, exclude={"version"}))
    form = ProspectForm(_form_data(data), instance=copy.copy(prospect), user=request.user)
    if not form.is_valid():
        raise _invalid(form)
    changes = {k: v for k, v in form.cleaned_data.items() if k in EDITABLE_FIELDS}
    try:
        with transaction.atomic():  # a conflict keeps no company or contact made for it
            changes = customer_records(changes, by=request.user)
            prospect_update(prospect=prospect, by=request.user, expected_version=payload.version, **changes)
    except ProspectConflict as exc:
        raise _conflict(exc) from None
    return access_prospect(request.user, prospect.pk)


def _record_outcome(request: HttpRequest, pk: str, form_class, record, payload: Schema) -> Prospect:
    """Won or lost through the closing services, as the screens' dialogs do."""
    prospect = access_prospect(request.user, pk)
    if not prospect.is_open:
        raise ApiProblem(409, str(closing_services.ALREADY_CLOSED_MESSAGE), current=_current(prospect))
    form = form_class(_form_data(payload.model_dump()))
    if not form.is_valid():
        raise _invalid(form)
    values = dict(form.cleaned_data)
    values.pop("version")
    try:
        record(prospect=prospect, by=request.user, expected_version=payload.version, **values)
    except closing_services.AlreadyClosed as exc:
        raise ApiProblem(
            409, str(closing_services.ALREADY_CLOSED_MESSAGE), current=_current(exc.current)
        ) from None
    except ProspectConflict as exc:
        raise _conflict(exc) from None
    return access_prospect(request.user, prospect.pk)


@router.post(
    "/prospects/{pk}/won",
    response={200: s.ProspectOut, **WRITE_ERRORS},
    url_name="prospect_won",
    tags=["prospects"],
)
def prospect_won(request: HttpRequest, pk: str, payload: s.WonIn):
    return _record_outcome(request, pk, WonForm, closing_services.outcome_record_won, payload)


@router.post(
    "/prospects/{pk}/lost",
    response={200: s.ProspectOut, **WRITE_ERRORS},
    url_name="prospect_lost",
    tags=["prospects"],
)
def prospect_lost(request: HttpRequest, pk: str, payload: s.LostIn):
    return _record_outcome(request, pk, LostForm, closing_services.outcome_record_lost, payload)


# --- Test closings


@router.get(
    "/prospects/{pk}/test-closings",
    response={200: s.TestClosingPage, **READ_ERRORS},
    url_name="prospect_test_closings",
    tags=["test closings"],
)
def test_closing_list(request: HttpRequest, pk: str, page: Query[PageParams]):
    prospect = access_prospect(request.user, pk)
    qs = TestClosing.objects.filter(prospect=prospect)
    return _page(qs, ("-asked_at", "-id"), page, key=f"test-closings:{prospect.pk}")


@router.post(
    "/prospects/{pk}/test-closings",
    response={201: s.TestClosingOut, **WRITE_ERRORS},
    url_name="prospect_test_closing_create",
    tags=["test closings"],
)
def test_closing_create(request: HttpRequest, pk: str, payload: s.TestClosingIn):
    prospect = access_prospect(request.user, pk)
    if not prospect.is_open:
        raise ApiProblem(
            409, str(closing_services.CLOSED_NO_TEST_CLOSING_MESSAGE), current=_current(prospect)
        )
    form = TestClosingForm(_form_data(payload.model_dump()))
    if not form.is_valid():
        raise _invalid(form)
    return Status(
        201, closing_services.test_closing_log(prospect=prospect, by=request.user, **form.cleaned_data)
    )


# --- Activities


class ActivityFilters(Schema):
    prospect: str | None = None
    status: str | None = None


@router.get(
    "/activities", response={200: s.ActivityPage, **READ_ERRORS}, url_name="activities", tags=["activities"]
)
def activity_list(request: HttpRequest, filters: Query[ActivityFilters], page: Query[PageParams]):
    qs = Activity.objects.visible_to(request.user).select_related("kind")
    if filters.prospect:
        qs = qs.filter(prospect_id=parse_id(filters.prospect))
    if filters.status:
        if filters.status not in ActivityStatus.values:
            raise ApiProblem(422, _("See errors."), errors={"status": [", ".join(ActivityStatus.values)]})
        qs = qs.filter(status=filters.status)
    return _page(qs, ("-starts_at", "-id"), page, key="activities")


@router.get(
    "/activities/{pk}", response={200: s.ActivityOut, **READ_ERRORS}, url_name="activity", tags=["activities"]
)
def activity_read(request: HttpRequest, pk: str):
    return access_activity(request.user, pk)


@router.post(
    "/prospects/{pk}/activities",
    response={201: s.ActivityOut, **WRITE_ERRORS},
    url_name="prospect_activities",
    tags=["activities"],
)
def activity_create(request: HttpRequest, pk: str, payload: s.ActivityIn):
    from activities import services as activity_services
    from activities.forms import ActivityForm

    prospect = access_prospect(request.user, pk)
    data = payload.model_dump()
    form = ActivityForm(_form_data(data))
    # The form names a kind by its id; the API by its code.
    from activities.models import ActivityKind

    kind = ActivityKind.objects.filter(code=payload.kind, is_active=True).first()
    form.data["kind"] = str(kind.pk) if kind else ""
    if not form.is_valid():
        raise _invalid(form)
    activity = activity_services.activity_create(
        by=request.user, prospect=prospect, status=form.cleaned_data["status"], **form.values()
    )
    return Status(201, access_activity(request.user, activity.pk))


# --- Companies and contacts: the directory every active user shares (accounts.access.visible_directory_q)


@router.get(
    "/companies", response={200: s.CompanyPage, **READ_ERRORS}, url_name="companies", tags=["directory"]
)
def company_list(request: HttpRequest, page: Query[PageParams]):
    return _page(Company.objects.visible_to(request.user).current(), ("id",), page, key="companies")


@router.get(
    "/companies/{pk}", response={200: s.CompanyOut, **READ_ERRORS}, url_name="company", tags=["directory"]
)
def company_read(request: HttpRequest, pk: str):
    return access_company(request.user, pk)


@router.get(
    "/contacts", response={200: s.ContactPage, **READ_ERRORS}, url_name="contacts", tags=["directory"]
)
def contact_list(request: HttpRequest, page: Query[PageParams]):
    return _page(Contact.objects.visible_to(request.user).current(), ("id",), page, key="contacts")


@router.get(
    "/contacts/{pk}", response={200: s.ContactOut, **READ_ERRORS}, url_name="contact", tags=["directory"]
)
def contact_read(request: HttpRequest, pk: str):
    return access_contact(request.user, pk)


# --- Targets and alerts (read)


@router.get("/targets", response={200: s.TargetPage, **READ_ERRORS}, url_name="targets", tags=["targets"])
def target_list(request: HttpRequest, page: Query[PageParams]):
    return _page(PipelineTarget.objects.visible_to(request.user), ("id",), page, key="targets")


class AlertFilters(Schema):
    open: bool | None = None


@router.get("/alerts", response={200: s.AlertPage, **READ_ERRORS}, url_name="alerts", tags=["targets"])
def alert_list(request: HttpRequest, filters: Query[AlertFilters], page: Query[PageParams]):
    qs = PipelineAlert.objects.visible_to(request.user)
    if filters.open is not None:
        qs = qs.filter(resolved_at__isnull=filters.open)
    return _page(qs, ("-opened_at", "-id"), page, key="alerts")


@router.get("/alerts/{pk}", response={200: s.AlertOut, **READ_ERRORS}, url_name="alert", tags=["targets"])
def alert_read(request: HttpRequest, pk: str):
    alert = PipelineAlert.objects.visible_to(request.user).filter(pk=parse_id(pk)).first()
    if alert is None:
        raise ApiProblem(404)
    return alert
