from __future__ import annotations

from notifications.models import Notification

MENU_NOTIFICATIONS = 8


def unread_count(user) -> int:
    """The bell's second number: the user's unread notifications (one COUNT on a partial index)."""
    return Notification.objects.for_user(user).unread().count()


def unread_newest(user, limit: int = MENU_NOTIFICATIONS) -> list[Notification]:
    return list(Notification.objects.for_user(user).unread()[:limit])
