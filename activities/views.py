"""Activity views: dialogs (one URL serving the page without JS and the `#dialog` fragment for htmx),
the prospect timeline, the agenda, the user's settings and the calendar feed. Thin: forms check,
services write, selectors read."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import HttpResponseClientRefresh

from activities import services
from activities.calendar import calendar_feed
from activities.forms import ActivityForm, CompleteForm, PreferenceForm
from activities.models import ActivityStatus
from activities.selectors import access_activity, agenda_for, prospect_timeline_page
from pipeline.selectors import resolve_scope, scope_choices
from prospects.selectors import access_prospect
from salescrm.lib.htmx import wants_fragment

_PK = 987654321  # a placeholder id for URL patterns reversed once per response


def _dialog(request: HttpRequest, *, title: str, status: int = 200, **context: Any) -> HttpResponse:
    template = "activities/dialog.html#dialog" if request.htmx else "activities/dialog.html"
    context.setdefault("action", request.path)
    return render(request, template, {"title": title, **context}, status=status)


def _done(request: HttpRequest, prospect_pk: int, message: str) -> HttpResponse:
    messages.success(request, message)
    if request.htmx:
        return HttpResponseClientRefresh()
    return redirect("prospects:detail", pk=prospect_pk)


def _cancelled(request: HttpRequest, activity, title: str) -> HttpResponse:
    """A planned activity cancelled with its closed deal is history: reopening the deal plans it again."""
    return _dialog(
        request, title=title, prospect=activity.prospect, alert=str(services.CANCELLED_MESSAGE), status=409
    )


def _service_errors(form, exc: ValidationError) -> None:
    form.add_error(None, exc.messages)


@login_required
@require_http_methods(["GET", "POST"])
def activity_create_view(request: HttpRequest, pk: int) -> HttpResponse:
    prospect = access_prospect(request.user, pk)
    initial = {"on": timezone.localdate(), "status": request.GET.get("status", ActivityStatus.PLANNED)}
    form = ActivityForm(request.POST or None, initial=initial)
    title = _("Add an activity")
    if request.method == "POST" and form.is_valid():
        try:
            services.activity_create(
                by=request.user, prospect=prospect, status=form.cleaned_data["status"], **form.values()
            )
        except ValidationError as exc:
            _service_errors(form, exc)
        else:
            return _done(request, prospect.pk, _("The activity was saved."))
    status = 422 if form.is_bound else 200
    return _dialog(request, title=title, form=form, prospect=prospect, status=status, submit_label=_("Save"))


@login_required
@require_http_methods(["GET", "POST"])
def activity_edit_view(request: HttpRequest, pk: int) -> HttpResponse:
    activity = access_activity(request.user, pk)
    if activity.status == ActivityStatus.CANCELLED:
        return _cancelled(request, activity, _("Edit the activity"))
    local = timezone.localtime(activity.starts_at)
    initial = {
        "status": activity.status,
        "kind": activity.kind_id,
        "subject": activity.subject,
        "on": local.date(),
        "at": None if activity.all_day else local.time().replace(second=0, microsecond=0),
        "duration_minutes": activity.duration_minutes,
        "outcome": activity.outcome,
        "version": activity.version,
    }
    form = ActivityForm(request.POST or None, initial=initial, editing_done=activity.is_done)
    if not activity.is_done:
        del form.fields["status"]
    if request.method == "POST" and form.is_valid():
        try:
            services.activity_update(
                activity=activity,
                by=request.user,
                expected_version=form.cleaned_data["version"],
                **form.values(),
            )
        except services.ActivityConflict as exc:
            form.add_error(None, str(exc))
            return _dialog(
                request, title=_("Edit the activity"), form=form, prospect=activity.prospect, status=409
            )
        except ValidationError as exc:
            _service_errors(form, exc)
        else:
            return _done(request, activity.prospect_id, _("The activity was saved."))
    status = 422 if form.is_bound else 200
    return _dialog(
        request,
        title=_("Edit the activity"),
        form=form,
        prospect=activity.prospect,
        activity=activity,
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def activity_complete_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Mark done and plan the next one: one form, one transaction."""
    activity = access_activity(request.user, pk)
    title = _("Mark as done")
    if activity.status == ActivityStatus.CANCELLED:
        return _cancelled(request, activity, title)
    if activity.is_done:
        return _dialog(
            request,
            title=title,
            prospect=activity.prospect,
            alert=str(services.NOT_PLANNED_MESSAGE),
            status=409,
        )
    local = timezone.localtime(activity.starts_at)
    today = timezone.localdate()
    initial = {
        "on": min(local.date(), today),
        "at": None
        if activity.all_day or local > timezone.localtime()
        else local.time().replace(second=0, microsecond=0),
        "duration_minutes": activity.duration_minutes,
        "version": activity.version,
        "next_kind": activity.kind_id,
    }
    form = CompleteForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.activity_complete(
                activity=activity,
                by=request.user,
                expected_version=data["version"],
                outcome=data["outcome"],
                starts_at=data["starts_at"],
                all_day=data["all_day"],
                duration_minutes=data["duration_minutes"],
                next_plan=data["next_plan"],
            )
        except services.ActivityConflict as exc:
            form.add_error(None, str(exc))
            return _dialog(
                request, title=title, form=form, prospect=activity.prospect, activity=activity, status=409
            )
        except ValidationError as exc:
            _service_errors(form, exc)
        else:
            return _done(
                request,
                activity.prospect_id,
                _("Done. The next activity is planned.") if data["next_plan"] else _("Done."),
            )
    status = 422 if form.is_bound else 200
    return _dialog(
        request,
        title=title,
        form=form,
        prospect=activity.prospect,
        activity=activity,
        status=status,
        submit_label=_("Mark as done"),
    )


@login_required
@require_http_methods(["GET", "POST"])
def activity_delete_view(request: HttpRequest, pk: int) -> HttpResponse:
    activity = access_activity(request.user, pk)
    title = _("Delete the planned activity")
    if activity.status == ActivityStatus.CANCELLED:
        return _cancelled(request, activity, title)
    if activity.is_done:
        return _dialog(
            request,
            title=title,
            prospect=activity.prospect,
            alert=str(services.NOT_PLANNED_MESSAGE),
            status=409,
        )
    if request.method == "POST":
        services.activity_delete(activity=activity, by=request.user)
        return _done(request, activity.prospect_id, _("The planned activity was deleted."))
    return _dialog(
        request,
        title=title,
        prospect=activity.prospect,
        activity=activity,
        confirm=True,
        submit_label=_("Delete"),
    )


@login_required
@require_GET
def prospect_timeline(request: HttpRequest, pk: int) -> HttpResponse:
    """A page of the prospect's timeline: the htmx "older" button appends the next page's items; without
    JavaScript the same URL is a page of its own."""
    prospect = access_prospect(request.user, pk)
    page = prospect_timeline_page(prospect, request.GET.get("page", 1))
    context = {"prospect": prospect, "timeline": page}
    if wants_fragment(request):
        return render(request, "activities/_timeline.html#items", context)
    return render(request, "activities/timeline.html", context)


@login_required
@require_GET
def agenda(request: HttpRequest) -> HttpResponse:
    scope = resolve_scope(request.user, request.GET.get("scope"))
    owner_ids = None if scope.is_all else scope.owner_ids
    agenda_items = agenda_for(viewer=request.user, owner_ids=owner_ids)
    # The row links reversed once, not three times a row ({% url %} in the loop).
    detail_url = reverse("prospects:detail", args=[_PK]).replace(str(_PK), "{pk}")
    complete_url = reverse("activities:complete", args=[_PK]).replace(str(_PK), "{pk}")
    for a in (*agenda_items.overdue, *agenda_items.today_items, *agenda_items.week):
        a.detail_url = detail_url.format(pk=a.prospect_id)
        a.complete_url = complete_url.format(pk=a.pk)
    context = {
        "agenda": agenda_items,
        "scope": scope,
        "scope_choices": scope_choices(request.user, scope),
        "show_owner": scope.user is None,
    }
    return render(request, "activities/agenda.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def activity_settings(request: HttpRequest) -> HttpResponse:
    preference = services.preference_get(user=request.user)
    form = PreferenceForm(request.POST or None, initial={"morning_email": preference.morning_email})
    if request.method == "POST" and form.is_valid():
        services.preference_set_morning_email(user=request.user, enabled=form.cleaned_data["morning_email"])
        messages.success(request, _("Saved."))
        return redirect("activities:settings")
    token = request.session.pop("activities_new_feed_token", None)
    feed_url = (
        request.build_absolute_uri(reverse("activities:feed", kwargs={"token": token})) if token else ""
    )
    return render(
        request, "activities/settings.html", {"form": form, "preference": preference, "feed_url": feed_url}
    )


@login_required
@require_POST
def feed_reset(request: HttpRequest) -> HttpResponse:
    """A new secret feed URL; the old one stops working now. Shown once, on the next page."""
    request.session["activities_new_feed_token"] = services.feed_token_reset(user=request.user)
    messages.success(request, _("Your calendar feed has a new address. The old one no longer works."))
    return redirect("activities:settings")


@never_cache
@require_GET
def feed(request: HttpRequest, token: str) -> HttpResponse:
    """The user's own planned activities as iCalendar, for Google Calendar or Outlook to subscribe to.
    No login: the secret URL is the key; an unknown or reset token is a 404."""
    user = services.feed_token_user(token)
    if user is None:
        raise Http404
    response = HttpResponse(calendar_feed(user), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="salescrm.ics"'
    return response
