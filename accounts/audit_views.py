"""The administrator's audit trail of accounts: a filtered list and its CSV export (accounts.audit)."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from accounts.access import admin_required
from accounts.audit import KINDS, PAGE_SIZE, AuditFilterForm, audit_entries, audit_events
from salescrm.lib.export import export_response
from salescrm.lib.params import parse_page


@admin_required
@require_GET
def audit_log(request: HttpRequest) -> HttpResponse:
    form = AuditFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    events = audit_events(
        actor=filters.get("actor"),
        kind=filters.get("kind") or "",
        date_from=filters.get("date_from"),
        date_to=filters.get("date_to"),
    )
    if request.GET.get("export") == "csv":
        return _export(request, list(events))
    page = Paginator(events, PAGE_SIZE).get_page(parse_page(request.GET.get("page")))
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "form": form,
        "page": page,
        "entries": list(audit_entries(list(page.object_list))),
        "query": query.urlencode(),
    }
    return render(request, "accounts/audit.html", context)


def _export(request: HttpRequest, events: list) -> HttpResponse:
    kinds = {k: str(label) for k, (label, _models) in KINDS.items()}
    header = [_("When"), _("Changed by"), _("What"), _("Action"), _("Subject"), _("Changes")]
    rows = (
        [
            timezone.localtime(e.at).strftime("%Y-%m-%d %H:%M:%S"),
            e.actor.username if e.actor else "",
            kinds.get(e.kind, e.kind),
            e.action,
            e.subject,
            "; ".join(f"{label}: {old} → {new}" for label, old, new in e.changes),
        ]
        for e in audit_entries(events)
    )
    return export_response("csv", "audit", header, rows, request.GET.get("encoding") or "utf-8-sig")
