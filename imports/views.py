from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext, ngettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import HttpResponseStopPolling

from accounts.access import admin_required, visible_users
from accounts.models import User
from accounts.services import Invitations, users_send_invitations, users_set_active
from imports import parsing
from imports.forms import ActivateOwnersForm, MappingNameForm, UploadForm
from imports.models import DateOrder, ImportJob, JobPhase, JobStatus
from imports.selectors import access_job, owner_index, visible_jobs
from imports.services import (
    ALSO_FIELDS,
    VALUE_FIELDS,
    ImportRefused,
    field_choices,
    field_label,
    import_job_create,
    import_job_date_order,
    import_job_recover,
    import_job_set_date_order,
    import_job_set_mapping,
    import_job_start,
)
from imports.services.report import error_file_rows, job_error_file
from prospects.models import Horizon, LostReason, Source, Status
from salescrm.lib.export import export_response

ERROR_ROWS_ON_PAGE = 200
NEW_OWNER = gettext_lazy("(a new rep account, inactive)")
NO_OWNER = gettext_lazy("(no such user: an error)")
AMBIGUOUS_AUTOMATIC = gettext_lazy("(more than one user matches: an error)")
ERRORS_CUT = ngettext_lazy(
    "The list stops here: the first %(shown)s of %(count)s error.",
    "The list stops here: the first %(shown)s of %(count)s errors.",
    "count",
)
CHOICES = {"status": Status, "horizon": Horizon, "source": Source, "lost_reason": LostReason}


@login_required
@require_GET
def job_list(request: HttpRequest) -> HttpResponse:
    jobs = list(visible_jobs(request.user)[:100])
    for job in jobs:
        import_job_recover(job=job)
    context = {"jobs": jobs, "may_import_people": request.user.is_admin_role}
    return render(request, "imports/list.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def upload(request: HttpRequest) -> HttpResponse:
    form = UploadForm(request.POST or None, request.FILES or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            job = import_job_create(
                by=request.user,
                upload=data["file"],
                encoding=data["encoding"],
                update_duplicates=data["update_duplicates"],
                create_owners=data.get("create_owners", False),
                saved_mapping=data["saved_mapping"],
                date_order=data["date_order"],
            )
        except ImportRefused as exc:
            form.add_error("file", str(exc.reason))
        else:
            return redirect("imports:mapping", pk=job.pk)
    status = 422 if form.errors else 200
    return render(request, "imports/upload.html", {"form": form}, status=status)


def _value_choices(request: HttpRequest, field: str) -> list[tuple[str, str]]:
    if field == "owner":
        users = visible_users(request.user).order_by("last_name", "first_name", "username")
        return [(str(u.pk), f"{u.display_name} ({u.username})") for u in users]
    return list(CHOICES[field].choices)


def _also_choices(field: str) -> list[tuple[str, list[tuple[str, str]]]]:
    """The other fields a value of a `field` column may also set, as option groups ("horizon:mid")."""
    return [
        (field_label(other), [(f"{other}:{code}", label) for code, label in CHOICES[other].choices])
        for other in ALSO_FIELDS
        if other != field
    ]


def _also_selected(saved: dict[str, dict[str, str]], field: str, raw: str) -> str:
    sets = saved[raw] if raw in saved else parsing.guess_also(field, raw)
    return next((f"{other}:{code}" for other, code in sets.items()), "")


def _owner_keys(request: HttpRequest) -> dict[str, list[User]]:
    """owner_index of the importer, read once a request."""
    if not hasattr(request, "_import_owner_keys"):
        request._import_owner_keys = owner_index(request.user)
    return request._import_owner_keys


def _owner_automatic(request: HttpRequest, job: ImportJob, raw: str) -> tuple[str, Any]:
    """(the user id guessed for an owner cell, what "automatic" does with it): a key one user has is
    theirs; one two users have is the row's error (imports.services.validation: AMBIGUOUS_OWNER); one
    nobody has is a new inactive account or an error, as the upload chose."""
    ids = {str(user.pk) for user in _owner_keys(request).get(parsing.owner_key(raw), [])}
    if len(ids) == 1:
        return next(iter(ids)), None
    if ids:
        return "", AMBIGUOUS_AUTOMATIC
    return "", NEW_OWNER if job.options.get("create_owners") else NO_OWNER


def _mapping_context(request: HttpRequest, job: ImportJob) -> dict[str, Any]:
    columns = job.mapping.get("columns", {})
    saved_values = job.mapping.get("values", {})
    saved_also = job.mapping.get("also", {})
    may_assign = request.user.is_admin_role or request.user.is_manager
    rows = []
    value_tables = []
    for index, header in enumerate(job.headers):
        field = columns.get(header["name"], "")
        rows.append({"index": index, "name": header["name"], "samples": header["values"][:3], "field": field})
        if field in VALUE_FIELDS and (field != "owner" or may_assign) and header["values"]:
            current = saved_values.get(field, {})
            values = []
            for j, raw in enumerate(header["values"]):
                automatic = None
                if field == "owner":
                    guess, automatic = _owner_automatic(request, job, raw)
                else:
                    guess = parsing.guess_value(field, raw) or ""
                value = {"j": j, "raw": raw, "selected": current.get(raw, guess)}
                if automatic is not None:
                    value["automatic"] = automatic
                if field in ALSO_FIELDS:
                    value["also"] = _also_selected(saved_also.get(field, {}), field, raw)
                values.append(value)
            value_tables.append(
                {
                    "index": index,
                    "header": header["name"],
                    "label": field_label(field),
                    "field": field,
                    "values": values,
                    "choices": _value_choices(request, field),
                    "also_choices": _also_choices(field) if field in ALSO_FIELDS else [],
                }
            )
    return {
        "job": job,
        "rows": rows,
        "fields": field_choices(),
        "value_tables": value_tables,
        "lost_reasons": LostReason.choices,
        "lost_reason_default": job.mapping.get("defaults", {}).get("lost_reason", ""),
        "company_currency": settings.COMPANY_CURRENCY,
        "date_order": import_job_date_order(job=job),
        "date_orders": DateOrder.choices,
    }


def _posted_mapping(
    request: HttpRequest, job: ImportJob
) -> tuple[dict[str, str], dict[str, dict[str, str]], dict[str, dict[str, dict[str, str]]]]:
    columns: dict[str, str] = {}
    values: dict[str, dict[str, str]] = {}
    also: dict[str, dict[str, dict[str, str]]] = {}
    for index, header in enumerate(job.headers):
        field = request.POST.get(f"col-{index}", "")
        if field and header["name"]:  # a column without a heading cannot be mapped by name
            columns[header["name"]] = field
        if field in VALUE_FIELDS:
            for j, raw in enumerate(header["values"]):
                chosen = request.POST.get(f"val-{index}-{j}", "")
                if chosen:
                    values.setdefault(field, {})[raw] = chosen
                if field in ALSO_FIELDS and f"also-{index}-{j}" in request.POST:
                    # Shown and posted: "" is a choice too (nothing else, no guess).
                    other, _sep, code = request.POST[f"also-{index}-{j}"].partition(":")
                    also.setdefault(field, {})[raw] = {other: code} if code else {}
    return columns, values, also


@login_required
@require_http_methods(["GET", "POST"])
def job_mapping(request: HttpRequest, pk: int) -> HttpResponse:
    job = access_job(request.user, pk)
    if job.is_running or job.status == JobStatus.DONE:
        return redirect("imports:job", pk=job.pk)
    error = ""
    name_form = MappingNameForm(request.POST or None)
    if request.method == "POST" and not name_form.is_valid():
        error = name_form.error_text()
    elif request.method == "POST":
        columns, values, also = _posted_mapping(request, job)
        import_job_set_date_order(job=job, date_order=request.POST.get("date_order", ""))
        try:
            import_job_set_mapping(
                job=job,
                columns=columns,
                values=values,
                save_as=name_form.cleaned_data["save_as"],
                lost_reason_default=request.POST.get("lost_reason_default", ""),
                also=also,
                fill_amount_from_product=bool(request.POST.get("fill_amount_from_product")),
            )
        except ImportRefused as exc:
            error = str(exc.reason)
        else:
            if "refresh" in request.POST:
                return redirect("imports:mapping", pk=job.pk)
            import_job_start(job=job, phase=JobPhase.PREVIEW)
            return redirect("imports:job", pk=job.pk)
    context = _mapping_context(request, job)
    context["error"] = error
    return render(request, "imports/mapping.html", context, status=422 if error else 200)


def error_context(job: ImportJob) -> dict[str, Any]:
    """The errors part of a job page (imports/_errors.html), for prospect and people imports alike."""
    return {
        "errors": job.errors[:ERROR_ROWS_ON_PAGE],
        # The download is complete when it has every error: the run's error file, or all were stored.
        "errors_complete": bool(job.error_count)
        and (len(job.errors) >= job.error_count or job_error_file(job).exists()),
    }


def _detail_context(request: HttpRequest, job: ImportJob, **extra: Any) -> dict[str, Any]:
    matches = (job.directory or {}).get("matches", [])[:ERROR_ROWS_ON_PAGE]
    attached = sum((job.directory or {}).get(k, 0) for k in ("companies_attached", "contacts_attached"))
    context = {
        "job": job,
        **error_context(job),
        "field_labels": dict(field_choices()),
        "matches": matches,
        "more_matches": max(attached - len(matches), 0),
        "company_currency": settings.COMPANY_CURRENCY,
        "date_order": import_job_date_order(job=job),
        # The product column only for a file that has one (a filled amount shows where it came from).
        "show_product": "product" in job.mapping.get("columns", {}).values(),
        # The external ID column likewise: what a re-import of the file will match the rows by.
        "show_external_id": "external_id" in job.mapping.get("columns", {}).values(),
    }
    if job.status == JobStatus.DONE and request.user.is_admin_role:
        # The reps this import created that nobody has activated yet: one form activates them all.
        context["inactive_owners"] = list(job.created_owners.filter(is_active=False))
        context["activate_form"] = extra.pop("activate_form", None) or ActivateOwnersForm()
    return context | extra


@login_required
@require_GET
def job_detail(request: HttpRequest, pk: int) -> HttpResponse:
    job = access_job(request.user, pk)
    import_job_recover(job=job)
    context = _detail_context(request, job)
    if request.htmx:
        if job.is_running:
            return render(request, "imports/job.html#progress", context)
        # Finished: stop the polling (286) and reload the page to show the result.
        response = HttpResponseStopPolling(render_to_string("imports/job.html#progress", context, request))
        response["HX-Refresh"] = "true"
        return response
    return render(request, "imports/job.html", context)


@login_required
@require_POST
def job_run(request: HttpRequest, pk: int) -> HttpResponse:
    job = access_job(request.user, pk)
    phase = JobPhase.PREVIEW if request.POST.get("phase") == JobPhase.PREVIEW else JobPhase.IMPORT
    if not import_job_start(job=job, phase=phase):
        messages.error(request, _("This import cannot run now: check the file first, and fix every error."))
    return redirect("imports:job", pk=job.pk)


@login_required
@require_GET
def job_errors(request: HttpRequest, pk: int) -> HttpResponse:
    job = access_job(request.user, pk, kind=None)  # a people import's errors too
    header = [_("Row"), _("Column"), _("Value"), _("Reason")]
    rows = error_file_rows(job)
    if rows is None:
        # No complete report for this job: the errors it kept, and where they stop.
        rows = [[e["row"], e["column"], e["value"], e["reason"]] for e in job.errors]
        if job.error_count > len(rows):
            rows.append(["", "", "", ERRORS_CUT % {"shown": len(rows), "count": job.error_count}])
    encoding = "cp932" if request.GET.get("encoding") == "cp932" else "utf-8-sig"
    return export_response("csv", f"import-{job.pk}-errors", header, rows, encoding)


@admin_required
@require_POST
def job_activate_owners(request: HttpRequest, pk: int) -> HttpResponse:
    """Activate, in one step, the rep accounts this import created (optionally into one team), and mail
    them the link to set a password."""
    job = access_job(request.user, pk)
    form = ActivateOwnersForm(request.POST)
    if not form.is_valid():
        context = _detail_context(request, job, activate_form=form)
        return render(request, "imports/job.html", context, status=422)
    activated = users_set_active(
        users=job.created_owners.all(), active=True, by=request.user, team=form.cleaned_data["team"]
    )
    if not activated:  # someone got there first (a second tab, the Django admin)
        messages.info(request, _("The reps of this import are active already."))
        return redirect("imports:job", pk=job.pk)
    names = ", ".join(u.display_name for u in activated)
    messages.success(
        request,
        ngettext(
            "%(count)s rep was activated: %(names)s.",
            "%(count)s reps were activated: %(names)s.",
            len(activated),
        )
        % {"count": len(activated), "names": names},
    )
    if form.cleaned_data["invite"]:
        sent = users_send_invitations(
            users=activated, by=request.user, base_url=request.build_absolute_uri("/")
        )
        _report_invitations(request, sent)
    return redirect("imports:job", pk=job.pk)


def _report_invitations(request: HttpRequest, done: Invitations) -> None:
    if done.sent:
        messages.success(
            request,
            ngettext(
                "An invitation with the link to set a password was mailed to %(count)s rep.",
                "An invitation with the link to set a password was mailed to %(count)s reps.",
                len(done.sent),
            )
            % {"count": len(done.sent)},
        )
    if done.no_email:
        messages.warning(
            request,
            _(
                "No e-mail address, so no invitation: %(names)s. Add their address on the Users page "
                "(Role and teams), then send them a password link from there."
            )
            % {"names": ", ".join(u.display_name for u in done.no_email)},
        )
    if done.failed:
        messages.error(
            request,
            _("The invitation could not be mailed to %(names)s; send a password link from the Users page.")
            % {"names": ", ".join(u.display_name for u in done.failed)},
        )
