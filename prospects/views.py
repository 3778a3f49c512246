from __future__ import annotations

import copy

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from accounts.access import visible_user_names
from activities.services import CONFLICT_MESSAGE as ACTIVITY_CONFLICT_MESSAGE
from activities.services import ActivityConflict, next_activity_save
from companies.columns import EXPORT_COLUMNS as DIRECTORY_EXPORT_COLUMNS
from companies.services import customer_records
from prospects.bulk_forms import BulkAction
from prospects.forms import HorizonHintForm, ProspectFilterForm, ProspectForm
from prospects.selectors import (
    access_prospect,
    conflict_changes,
    prospect_list_queryset,
)
from prospects.services import ProspectConflict, prospect_create, prospect_update
from salescrm.lib.export import Column, export_header, export_response, export_rows
from salescrm.lib.htmx import wants_fragment
from salescrm.lib.params import parse_page
from salescrm.templatetags.crm import format_month

PAGE_SIZE = 25


def _next_activity_text(p) -> str:
    """The next planned activity in one cell: its subject, else its kind."""
    if p.next_activity_subject:
        return p.next_activity_subject
    ja = (translation.get_language() or "ja").startswith("ja")
    return (p.next_activity_kind_ja if ja else p.next_activity_kind_en) or ""


# The list's columns, on screen and in its exports (in the reader's language).
LIST_COLUMNS = (
    Column("name", gettext_lazy("Prospect name"), lambda p: p.name),
    Column("owner", gettext_lazy("Owner"), lambda p: p.owner.display_name),
    Column("horizon", gettext_lazy("Horizon"), lambda p: p.get_horizon_display()),
    Column("probability", gettext_lazy("Probability"), lambda p: p.probability),
    Column("month", gettext_lazy("Expected month"), lambda p: format_month(p.expected_month)),
    Column("amount", gettext_lazy("Amount"), lambda p: p.amount, numeric=True),
    Column("source", gettext_lazy("Source"), lambda p: p.get_source_display()),
    Column("status", gettext_lazy("Status"), lambda p: p.get_status_display()),
    # The next planned activity (annotated by prospect_list_queryset): kind and subject, then its date.
    Column("action", gettext_lazy("Next action"), lambda p: _next_activity_text(p)),
    Column(
        "action_on",
        gettext_lazy("Next action date"),
        lambda p: timezone.localdate(p.next_activity_at) if p.next_activity_at else None,
        on_screen=False,
    ),
    # The rest of what the import reads (#20), in the exports only, each under a header the import
    # guesses back to its field and with a value it reads back (in either language): an export edited
    # and imported with "update existing" changes what was edited and nothing else.
    Column("id", "ID", lambda p: p.pk, on_screen=False),
    Column("external_id", gettext_lazy("External ID"), lambda p: p.external_id, on_screen=False),
    Column(
        "product", gettext_lazy("Product"), lambda p: p.product.name if p.product_id else "", on_screen=False
    ),
    Column("won_amount", gettext_lazy("Won amount"), lambda p: p.won_amount, on_screen=False, numeric=True),
    Column("closed_on", gettext_lazy("Closed on"), lambda p: p.closed_on, on_screen=False),
    Column(
        "lost_reason",
        gettext_lazy("Lost reason"),
        lambda p: p.get_lost_reason_display() if p.lost_reason else "",
        on_screen=False,
    ),
    Column("competitor", gettext_lazy("Competitor"), lambda p: p.competitor, on_screen=False),
    Column(
        "created_on", gettext_lazy("Created on"), lambda p: timezone.localdate(p.created_at), on_screen=False
    ),
    Column("contact_person", gettext_lazy("Contact person"), lambda p: p.contact_person, on_screen=False),
    Column("phone", gettext_lazy("Phone"), lambda p: p.phone, on_screen=False),
    Column("email", gettext_lazy("Email"), lambda p: p.email, on_screen=False),
    Column("address", gettext_lazy("Address"), lambda p: p.address, on_screen=False),
    Column("notes", gettext_lazy("Notes"), lambda p: p.notes, on_screen=False),
    # Every amount is in the company's one currency (docs/currency.md); the import checks it.
    Column("currency", gettext_lazy("Currency"), lambda p: settings.COMPANY_CURRENCY, on_screen=False),
    # The company and contact (#19), in the exports only, under the headers the import guesses back.
    *DIRECTORY_EXPORT_COLUMNS,
)


@login_required
def prospect_list(request: HttpRequest) -> HttpResponse:
    data = request.GET.copy()
    if "status" not in data:
        data["status"] = "open"
    user = request.user
    owners = visible_user_names(user) if user.is_admin_role or user.is_manager else None
    form = ProspectFilterForm(data, user=user, owners=owners)
    prospects = prospect_list_queryset(user, form)
    if request.GET.get("export") in ("csv", "xlsx"):
        return _export(request, prospects)
    page = Paginator(prospects, PAGE_SIZE).get_page(parse_page(request.GET.get("page")))
    query = request.GET.copy()
    for key in ("page", "export", "encoding"):
        query.pop(key, None)
    columns = [column for column in LIST_COLUMNS if column.on_screen]
    can_bulk = user.is_manager or user.is_admin_role
    context = {
        "bulk_form": BulkAction(user=user, auto_id="bulk_%s") if can_bulk else None,
        "form": form,
        "page": page,
        "query": query.urlencode(),
        "columns": columns,
        # Translated once: each row repeats them (data-label), 250 lazy strings a page otherwise.
        "labels": {column.key: str(column.label) for column in columns},
    }
    template = "prospects/list.html#results" if wants_fragment(request) else "prospects/list.html"
    return render(request, template, context)


def _export(request: HttpRequest, prospects) -> HttpResponse:
    """The filtered list as a file, with the columns and labels of the screen (in the user's language)."""
    language = translation.get_language()

    def rows():
        # A CSV streams after the view has returned: keep the user's language for the labels.
        with translation.override(language):
            # Every field of the prospect and its company and contact, in the same one query.
            rows = prospects.defer(None).select_related("company", "contact", "product")
            yield from export_rows(LIST_COLUMNS, rows.iterator(chunk_size=2000))

    filename = f"prospects-{timezone.localdate():%Y%m%d}"
    return export_response(
        request.GET["export"],
        filename,
        export_header(LIST_COLUMNS),
        rows(),
        request.GET.get("encoding", "utf-8-sig"),
    )


@login_required
@require_http_methods(["GET", "POST"])
def prospect_create_view(request: HttpRequest) -> HttpResponse:
    # "Add a prospect from it" on a lead activity page: the picker starts on that activity.
    initial = (
        {"lead_activity": request.GET.get("lead_activity")} if request.GET.get("lead_activity") else None
    )
    form = ProspectForm(request.POST or None, user=request.user, initial=initial)
    if request.method == "POST" and form.is_valid():
        fields = {k: v for k, v in form.cleaned_data.items() if k not in NOT_PROSPECT_FIELDS}
        try:
            # The prospect, its new company and contact, its first planned activity: all or nothing.
            with transaction.atomic():
                # A company or contact picked as new is made first.
                fields = customer_records(fields, by=request.user)
                prospect = prospect_create(by=request.user, owner=form.cleaned_data.get("owner"), **fields)
                _save_next_activity(request, prospect, form, None)
        except ValidationError as exc:  # an external ID taken since the form checked it
            form.add_error(None, exc)
            return render(request, "prospects/form.html", {"form": form, "prospect": None}, status=422)
        messages.success(request, _("Prospect “%(name)s” was added.") % {"name": prospect.name})
        return redirect("prospects:detail", pk=prospect.pk)
    return render(request, "prospects/form.html", {"form": form, "prospect": None})


@login_required
def prospect_detail(request: HttpRequest, pk: int) -> HttpResponse:
    prospect = access_prospect(request.user, pk)
    # Its changes are in the timeline of activities/_prospect_sections.html, with the activities.
    return render(request, "prospects/detail.html", {"prospect": prospect})


@login_required
@require_http_methods(["GET", "POST"])
def prospect_edit(request: HttpRequest, pk: int) -> HttpResponse:
    prospect = access_prospect(request.user, pk)
    # The form writes the posted values into its instance; the service compares old and new on `prospect`.
    form = ProspectForm(request.POST or None, instance=copy.copy(prospect), user=request.user)
    conflict = None
    if request.method == "POST" and form.is_valid():
        expected = form.cleaned_data["version"]  # None when missing: refused as a conflict
        changes = {k: v for k, v in form.cleaned_data.items() if k not in NOT_PROSPECT_FIELDS or k == "owner"}
        try:
            # The prospect and its next planned activity in one transaction: a conflict on either
            # saves neither.
            with transaction.atomic():
                changes = customer_records(changes, by=request.user)  # a conflict keeps none made for it
                prospect_update(prospect=prospect, by=request.user, expected_version=expected, **changes)
                _save_next_activity(request, prospect, form, form.cleaned_data["next_activity"])
        except ValidationError as exc:  # an external ID taken since the form checked it
            form.add_error(None, exc)
            return render(request, "prospects/form.html", {"form": form, "prospect": prospect}, status=422)
        except ActivityConflict as exc:
            from activities.selectors import next_planned

            prospect = access_prospect(request.user, pk)
            planned = next_planned(prospect)
            # Saving again now is a conscious overwrite of the plan as it is now (or a new plan).
            data = request.POST.copy()
            data["version"] = prospect.version
            data["next_activity"] = planned.pk if planned else ""
            data["next_version"] = planned.version if planned else ""
            form = ProspectForm(data, instance=copy.copy(prospect), user=request.user)
            form.is_valid()
            form.add_error(None, str(exc))
            return render(request, "prospects/form.html", {"form": form, "prospect": prospect}, status=409)
        except ProspectConflict as exc:
            conflict = {"current": exc.current, "changes": conflict_changes(exc.current, expected)}
            data = request.POST.copy()
            data["version"] = exc.current.version  # saving again now is a conscious overwrite
            form = ProspectForm(data, instance=exc.current, user=request.user)
            form.is_valid()
            return render(
                request,
                "prospects/form.html",
                {"form": form, "prospect": exc.current, "conflict": conflict},
                status=409,
            )
        messages.success(request, _("Saved."))
        return redirect("prospects:detail", pk=prospect.pk)
    return render(request, "prospects/form.html", {"form": form, "prospect": prospect, "conflict": conflict})


# The form's fields that are not the prospect's own (the version, and its next activity's plan).
NOT_PROSPECT_FIELDS = frozenset(
    {"version", "owner", "next_kind", "next_on", "next_subject", "next_activity", "next_version"}
)


def _save_next_activity(request: HttpRequest, prospect, form: ProspectForm, shown_id: int | None) -> None:
    """The form's "plan the next activity" through the activities services (inside the caller's
    transaction). `shown_id`: the planned activity the form showed; one gone since is a conflict."""
    from activities.models import Activity

    data = form.cleaned_data
    activity = None
    if shown_id is not None:
        activity = Activity.objects.filter(pk=shown_id, prospect_id=prospect.pk).first()
        if activity is None:
            raise ActivityConflict(str(ACTIVITY_CONFLICT_MESSAGE))
    next_activity_save(
        prospect=prospect,
        by=request.user,
        activity=activity,
        expected_version=data["next_version"],
        kind=data["next_kind"],
        day=data["next_on"],
        subject=data["next_subject"],
    )


@login_required
def horizon_hint(request: HttpRequest) -> HttpResponse:
    """The horizon field redrawn for the expected month chosen: its first option ("as the month
    suggests") names the suggestion, and a horizon chosen on purpose stays selected."""
    return render(request, "prospects/form.html#horizon-field", {"form": HorizonHintForm(request.GET)})
