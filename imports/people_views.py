"""The people import's pages (admins only): upload, mapping, dry run and import. The job is an
ImportJob of kind "people" (listed with the other imports, errors downloaded the same way)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.access import admin_required
from accounts.models import Role
from imports import parsing
from imports.forms import PeopleUploadForm
from imports.models import ImportJob, ImportKind, JobPhase, JobStatus
from imports.selectors import access_job
from imports.services import (
    ImportRefused,
    people_field_choices,
    people_field_label,
    people_job_create,
    people_job_set_mapping,
    people_job_start,
)
from imports.views import error_context


def _access(request: HttpRequest, pk: int) -> ImportJob:
    return access_job(request.user, pk, kind=ImportKind.PEOPLE)


@admin_required
@require_http_methods(["GET", "POST"])
def people_upload(request: HttpRequest) -> HttpResponse:
    form = PeopleUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            data = form.cleaned_data
            job = people_job_create(by=request.user, upload=data["file"], encoding=data["encoding"])
        except ImportRefused as exc:
            form.add_error("file", str(exc.reason))
        else:
            return redirect("imports:people_mapping", pk=job.pk)
    return render(request, "imports/people_upload.html", {"form": form}, status=422 if form.errors else 200)


def _mapping_context(job: ImportJob) -> dict[str, Any]:
    """The columns with their guessed or chosen field, and the role column's values with theirs."""
    columns = job.mapping.get("columns", {})
    chosen_roles = job.mapping.get("values", {}).get("role", {})
    rows, role_table = [], None
    for index, header in enumerate(job.headers):
        field = columns.get(header["name"], "")
        rows.append({"index": index, "name": header["name"], "samples": header["values"][:3], "field": field})
        if field == "role" and header["values"]:
            values = [
                {
                    "j": j,
                    "raw": raw,
                    "selected": chosen_roles.get(raw, parsing.guess_value("role", raw) or ""),
                }
                for j, raw in enumerate(header["values"])
            ]
            role_table = {"index": index, "header": header["name"], "values": values}
    return {
        "job": job,
        "rows": rows,
        "fields": people_field_choices(),
        "role_table": role_table,
        "role_label": people_field_label("role"),
        "roles": Role.choices,
    }


def _posted_mapping(request: HttpRequest, job: ImportJob) -> tuple[dict[str, str], dict[str, dict[str, str]]]:
    columns: dict[str, str] = {}
    roles: dict[str, str] = {}
    for index, header in enumerate(job.headers):
        field = request.POST.get(f"col-{index}", "")
        if field and header["name"]:
            columns[header["name"]] = field
        if field == "role":
            for j, raw in enumerate(header["values"]):
                if chosen := request.POST.get(f"val-{index}-{j}", ""):
                    roles[raw] = chosen
    return columns, {"role": roles}


@admin_required
@require_http_methods(["GET", "POST"])
def people_mapping(request: HttpRequest, pk: int) -> HttpResponse:
    job = _access(request, pk)
    if job.is_running or job.status == JobStatus.DONE:
        return redirect("imports:people_job", pk=job.pk)
    error = ""
    if request.method == "POST":
        columns, values = _posted_mapping(request, job)
        try:
            people_job_set_mapping(job=job, columns=columns, values=values)
        except ImportRefused as exc:
            error = str(exc.reason)
        else:
            if "refresh" in request.POST:
                return redirect("imports:people_mapping", pk=job.pk)
            people_job_start(job=job, phase=JobPhase.PREVIEW)
            return redirect("imports:people_job", pk=job.pk)
    context = _mapping_context(job) | {"error": error}
    return render(request, "imports/people_mapping.html", context, status=422 if error else 200)


@admin_required
@require_GET
def people_job(request: HttpRequest, pk: int) -> HttpResponse:
    job = _access(request, pk)
    context = {
        "job": job,
        **error_context(job),
        "labels": dict(people_field_choices()),
        "summary": job.people or {},
    }
    return render(request, "imports/people_job.html", context)


@admin_required
@require_POST
def people_run(request: HttpRequest, pk: int) -> HttpResponse:
    job = _access(request, pk)
    phase = JobPhase.PREVIEW if request.POST.get("phase") == JobPhase.PREVIEW else JobPhase.IMPORT
    if not people_job_start(job=job, phase=phase):
        messages.error(request, _("This import cannot run now: check the file first, and fix every error."))
    return redirect("imports:people_job", pk=job.pk)
