from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import IntegrityError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from accounts.access import admin_required
from closing.forms import PeriodForm
from salescrm.lib.htmx import wants_fragment
from salescrm.lib.params import parse_page
from targets.forms import PipelineTargetForm
from targets.models import PipelineTarget
from targets.scopes import target_for_key
from targets.selectors import (
    MONTHS,
    RESOLVED_DAYS,
    access_scope,
    cycle_ledger,
    default_scope,
    recent_target_changes,
    recently_resolved_alerts,
    scope_row,
    scope_rows,
    visible_open_alerts,
)
from targets.services import pipeline_target_save

PAGE = "targets/settings.html"
MENU_ALERTS = 8  # the bell's dropdown: the newest few, and a link to all of them
PAGE_ALERTS = 50
LEDGER_MAX_MONTHS = 120  # ten years on one page; the ledger's rows and chart bars are one per month


@login_required
@require_GET
def target_settings(request: HttpRequest) -> HttpResponse:
    """Every scope the user may see with its target and current counts. Admins edit rows in place;
    managers see their teams and reps, reps their own, read-only."""
    user = request.user
    context = {
        "rows": scope_rows(user),
        "can_edit": user.is_admin_role,
        "changes": recent_target_changes() if user.is_admin_role else [],
    }
    return render(request, PAGE, context)


@login_required
@require_GET
def target_row(request: HttpRequest, key: str) -> HttpResponse:
    """One row, read-only (the Cancel button of the inline form swaps it back)."""
    row = scope_row(request.user, key)
    return render(request, f"{PAGE}#row", {"row": row, "can_edit": request.user.is_admin_role})


@admin_required
@require_http_methods(["GET", "POST"])
def target_edit(request: HttpRequest, key: str) -> HttpResponse:
    scope, label = access_scope(request.user, key)
    instance = target_for_key(scope) or PipelineTarget(user_id=scope[1], team_id=scope[2])
    form = PipelineTargetForm(request.POST if request.method == "POST" else None, instance=instance)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            values = {name: form.cleaned_data.get(name) for name in form.Meta.fields}
            try:
                pipeline_target_save(key=scope, by=request.user, **values)
            except IntegrityError:
                form.add_error(None, _("The target could not be saved: check the numbers and try again."))
            except ValidationError as exc:  # the model's limits, e.g. a count above the integer range
                form.add_error(None, exc.messages)
            else:
                if request.htmx:
                    row = scope_row(request.user, key)
                    return render(request, f"{PAGE}#row", {"row": row, "can_edit": True, "saved": True})
                messages.success(request, _("Saved."))
                return redirect("targets:settings")
        status = 422
    context = {"form": form, "key": key, "label": label}
    template = "targets/edit.html#row-form" if request.htmx else "targets/edit.html"
    return render(request, template, context, status=status)


@login_required
@require_GET
def bell(request: HttpRequest) -> HttpResponse:
    """The bell's count, polled every 60 s (one query)."""
    return render(request, "targets/_bell.html#bell-count", {})


@login_required
@require_GET
def alert_list(request: HttpRequest) -> HttpResponse:
    """The open alerts the user hears about, the bell's count of them: its dropdown (htmx: the newest
    few and how many there are) or the page (every one, PAGE_ALERTS a page, then the alerts resolved
    in the last RESOLVED_DAYS days with what refilled them)."""
    alerts = visible_open_alerts(request.user).select_related("user", "team")
    if request.htmx:
        shown = list(alerts[:MENU_ALERTS])
        total = len(shown) if len(shown) < MENU_ALERTS else alerts.count()
        return render(request, "targets/alerts.html#menu", {"alerts": shown, "total": total})
    page = Paginator(alerts, PAGE_ALERTS).get_page(parse_page(request.GET.get("page")))
    context = {
        "alerts": page,
        "page": page,
        "total": page.paginator.count,
        # The recently resolved ones, with what refilled them (on the first page only).
        "resolved": recently_resolved_alerts(request.user) if page.number == 1 else [],
        "resolved_days": RESOLVED_DAYS,
    }
    return render(request, "targets/alerts.html", context)


@login_required
@require_GET
def cycle_health(request: HttpRequest) -> HttpResponse:
    """The monthly ledger of one scope: why the pipeline shrank and what refilled it."""
    user = request.user
    key_text = request.GET.get("scope") or default_scope(user)
    scope, label = access_scope(user, key_text)
    # The statistics page's period control: an imported history of years ago can be looked at too.
    form = PeriodForm(request.GET or None, default_months=MONTHS, max_months=LEDGER_MAX_MONTHS)
    period = form.period()
    ledger = cycle_ledger(scope, first=period.first_month, last=period.last_month)
    choices = [(r.key_text, r.label) for r in scope_rows(user)]
    context = {
        "ledger": ledger,
        "label": label,
        "scope": key_text,
        "choices": choices,
        "form": form,
        "period": period,
    }
    template = "targets/health.html#ledger" if wants_fragment(request) else "targets/health.html"
    return render(request, template, context)
