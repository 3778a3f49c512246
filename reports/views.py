"""Daily report pages: the rep's day (prefilled, one comment, one submit), a manager's team by day
(who submitted, who has not), and one report with its comments. Thin: forms check, services write,
selectors read."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from accounts.access import manager_required
from pipeline.selectors import resolve_scope, scope_choices
from reports import selectors, services
from reports.forms import CommentForm, DayForm, SubmitForm


def _day_links(day: dt.date, url: str) -> dict[str, str]:
    """The previous and the next day's address; no next day after today (a report is never ahead)."""
    after = day + dt.timedelta(days=1)
    return {
        "previous_url": f"{url}?date={day - dt.timedelta(days=1):%Y-%m-%d}",
        "next_url": f"{url}?date={after:%Y-%m-%d}" if after <= timezone.localdate() else "",
    }


@login_required
@require_http_methods(["GET", "POST"])
def daily(request: HttpRequest) -> HttpResponse:
    """The signed-in user's own day: live figures and items, their report if submitted, the comments."""
    user = request.user
    day_form = DayForm(request.GET if "date" in request.GET else None)
    day = day_form.day()
    report = selectors.report_of(owner=user, day=day)
    form = SubmitForm(
        request.POST or None,
        initial={
            "day": day,
            "comment": report.comment if report else "",
            "version": report.version if report else None,
        },
    )
    status, conflict = 200, False
    if request.method == "POST" and form.is_valid():
        day = form.cleaned_data["day"]
        try:
            services.daily_report_submit(
                owner=user,
                day=day,
                comment=form.cleaned_data["comment"],
                expected_version=form.cleaned_data["version"],
            )
        except services.ReportConflict as exc:
            form.add_error(None, str(exc))
            report, status, conflict = exc.current, 409, True
        else:
            messages.success(request, _("Your daily report was submitted."))
            return redirect(f"{reverse('reports:daily')}?date={day:%Y-%m-%d}")
    comments = selectors.report_comments(report) if report else []
    if report and comments:
        services.daily_report_mark_seen(report=report, by=user)
    context = {
        "day_form": day_form,
        "day": day,
        "rep_day": selectors.rep_day(viewer=user, owner=user, day=day),
        "report": report,
        "comments": comments,
        "form": form,
        "conflict": conflict,
        **_day_links(day, reverse("reports:daily")),
    }
    return render(request, "reports/daily.html", context, status=status)


@manager_required
@require_GET
def team(request: HttpRequest) -> HttpResponse:
    """A manager's (or an admin's) team on one day: each active rep's figures, who has not submitted."""
    day_form = DayForm(request.GET if "date" in request.GET else None)
    day = day_form.day()
    scope = resolve_scope(request.user, request.GET.get("scope"))
    owner_ids = None if scope.is_all else scope.owner_ids
    context = {
        "day_form": day_form,
        "day": day,
        "scope": scope,
        "scope_choices": scope_choices(request.user, scope),
        "team_day": selectors.team_day(viewer=request.user, owner_ids=owner_ids, day=day),
        "labels": list(selectors.FIGURE_LABELS.items()),
        **_day_links(day, reverse("reports:team")),
    }
    return render(request, "reports/team.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One report as submitted, the day's items as they are now, the comments; POST adds a comment."""
    report = selectors.access_report(request.user, pk)
    form = CommentForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.daily_report_comment_add(report=report, author=request.user, body=form.cleaned_data["body"])
        messages.success(request, _("Your comment was added."))
        return redirect("reports:detail", pk=report.pk)
    services.daily_report_mark_seen(report=report, by=request.user)
    context = {
        "report": report,
        "rows": [(label, report.figures()[name]) for name, label in selectors.FIGURE_LABELS.items()],
        "rep_day": selectors.rep_day(viewer=request.user, owner=report.owner, day=report.day),
        "comments": selectors.report_comments(report),
        "form": form,
    }
    return render(request, "reports/detail.html", context)
