from __future__ import annotations

import copy

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from prospects.forms import MonthField, ProspectFilterForm, ProspectForm
from prospects.models import Prospect, suggest_horizon
from prospects.selectors import access_prospect, conflict_changes, prospect_timeline
from prospects.services import ProspectConflict, prospect_create, prospect_update
from salescrm.lib.export import export_response
from salescrm.lib.htmx import wants_fragment
from salescrm.templatetags.crm import format_month

PAGE_SIZE = 25


@login_required
def prospect_list(request: HttpRequest) -> HttpResponse:
    data = request.GET.copy()
    if "status" not in data:
        data["status"] = "open"
    form = ProspectFilterForm(data, user=request.user)
    qs = Prospect.objects.visible_to(request.user).select_related("owner")
    qs = form.filter(qs) if form.is_valid() else qs.none()
    if request.GET.get("export") in ("csv", "xlsx"):
        return _export(request, qs)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    for key in ("page", "export", "encoding"):
        query.pop(key, None)
    context = {"form": form, "page": page, "query": query.urlencode()}
    template = "prospects/list.html#results" if wants_fragment(request) else "prospects/list.html"
    return render(request, template, context)


def _export(request: HttpRequest, qs) -> HttpResponse:
    """The filtered list as a file, with the columns and labels of the screen (in the user's language)."""
    header = [
        _("Prospect name"),
        _("Owner"),
        _("Horizon"),
        _("Probability"),
        _("Expected month"),
        _("Amount"),
        _("Source"),
        _("Status"),
        _("Next action"),
        _("Next action date"),
    ]
    language = translation.get_language()

    def rows():
        # A CSV streams after the view has returned: keep the user's language for the labels.
        with translation.override(language):
            for p in qs.iterator(chunk_size=2000):
                yield [
                    p.name,
                    p.owner.display_name,
                    p.get_horizon_display(),
                    p.probability,
                    format_month(p.expected_month),
                    p.amount,
                    p.get_source_display(),
                    p.get_status_display(),
                    p.next_action,
                    p.next_action_on,
                ]

    filename = f"prospects-{timezone.localdate():%Y%m%d}"
    return export_response(
        request.GET["export"], filename, header, rows(), request.GET.get("encoding", "utf-8-sig")
    )


@login_required
@require_http_methods(["GET", "POST"])
def prospect_create_view(request: HttpRequest) -> HttpResponse:
    form = ProspectForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        fields = {k: v for k, v in form.cleaned_data.items() if k not in ("version", "owner")}
        prospect = prospect_create(by=request.user, owner=form.cleaned_data.get("owner"), **fields)
        messages.success(request, _("Prospect “%(name)s” was added.") % {"name": prospect.name})
        return redirect("prospects:detail", pk=prospect.pk)
    return render(request, "prospects/form.html", {"form": form, "prospect": None})


@login_required
def prospect_detail(request: HttpRequest, pk: int) -> HttpResponse:
    prospect = access_prospect(request.user, pk)
    return render(
        request, "prospects/detail.html", {"prospect": prospect, "timeline": prospect_timeline(prospect)}
    )


@login_required
@require_http_methods(["GET", "POST"])
def prospect_edit(request: HttpRequest, pk: int) -> HttpResponse:
    prospect = access_prospect(request.user, pk)
    # The form writes the posted values into its instance; the service compares old and new on `prospect`.
    form = ProspectForm(request.POST or None, instance=copy.copy(prospect), user=request.user)
    conflict = None
    if request.method == "POST" and form.is_valid():
        expected = form.cleaned_data.get("version") or prospect.version
        changes = {k: v for k, v in form.cleaned_data.items() if k != "version"}
        try:
            prospect_update(prospect=prospect, by=request.user, expected_version=expected, **changes)
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


@login_required
def horizon_hint(request: HttpRequest) -> HttpResponse:
    """The horizon the expected month suggests, as a small fragment next to the horizon field."""
    try:
        month = MonthField(required=False).clean(request.GET.get("expected_month", ""))
    except Exception:
        month = None
    horizon = request.GET.get("horizon", "")
    return render(
        request,
        "prospects/form.html#horizon-hint",
        {"suggested": suggest_horizon(month), "current_horizon": horizon, "show_hint": True},
    )
