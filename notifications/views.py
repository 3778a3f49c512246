from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_POST

from notifications.models import Notification
from notifications.selectors import MENU_NOTIFICATIONS, unread_count, unread_newest
from salescrm.lib.params import parse_id, parse_page

PAGE_SIZE = 50


@login_required
@require_GET
def notification_list(request: HttpRequest) -> HttpResponse:
    """The bell's notifications: its dropdown (htmx: the newest unread few) or the page (all, read
    or not, newest first)."""
    if request.htmx:
        shown = unread_newest(request.user)
        total = len(shown) if len(shown) < MENU_NOTIFICATIONS else unread_count(request.user)
        return render(request, "notifications/list.html#menu", {"notes": shown, "total": total})
    notes = Notification.objects.for_user(request.user)
    page = Paginator(notes, PAGE_SIZE).get_page(parse_page(request.GET.get("page")))
    return render(request, "notifications/list.html", {"notes": page, "page": page})


@login_required
@require_GET
def notification_count(request: HttpRequest) -> HttpResponse:
    """The unread count beside the bell, polled with the alerts' count."""
    return render(request, "notifications/_count.html", {})


@login_required
@require_POST
def notification_open(request: HttpRequest, pk: str) -> HttpResponse:
    """Mark one notification read and go to what it is about."""
    note = get_object_or_404(Notification.objects.for_user(request.user), pk=parse_id(pk))
    if note.read_at is None:
        Notification.objects.filter(pk=note.pk, read_at__isnull=True).update(read_at=timezone.now())
    safe = url_has_allowed_host_and_scheme(note.link, allowed_hosts={request.get_host()})
    return redirect(note.link if note.link and safe else "notifications:list")


@login_required
@require_POST
def notification_read_all(request: HttpRequest) -> HttpResponse:
    Notification.objects.for_user(request.user).mark_read()
    if request.htmx:
        return render(request, "notifications/list.html#menu", {"notes": [], "total": 0})
    return redirect("notifications:list")
