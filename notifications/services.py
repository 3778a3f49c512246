"""notify(): the one way to tell a user something (the bell, and an e-mail after the commit)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation

from notifications.models import LINK_MAX, MESSAGE_MAX, Notification
from salescrm.lib.jobs import enqueue_on_commit


def notify(
    recipient: Any,
    kind: str,
    message: str,
    link: str = "",
    *,
    params: dict[str, Any] | None = None,
    email: bool = True,
) -> Notification:
    """Save a notification for `recipient` (a User or its id) and, after the commit, queue its e-mail.

    `message` is an English msgid marked with gettext_noop, with %(name)s placeholders filled from
    `params` when shown (each reader's language). The row is written first, inside the caller's
    transaction: a rolled-back caller notifies no one; a broker that is down loses nothing (the
    task retries, and notifications.sweep_unsent re-sends what was never queued)."""
    recipient_id = getattr(recipient, "pk", recipient)
    note = Notification.objects.create(
        recipient_id=recipient_id,
        kind=kind[:40],
        message=str(message)[:MESSAGE_MAX],
        params={k: str(v) for k, v in (params or {}).items()},
        link=link[:LINK_MAX],
        email_wanted=email,
    )
    if email:
        from notifications.tasks import send_notification_email

        enqueue_on_commit(send_notification_email, notification_id=note.pk)
    return note


def notification_email_send(notification_id: int) -> bool:
    """Send one notification's e-mail, once: the row is claimed (locked, SKIP LOCKED, emailed_at set)
    and sent in one transaction, so a failed send rolls the claim back for the retry and a concurrent
    worker skips it. True when this call sent it."""
    with transaction.atomic():
        note = (
            Notification.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("recipient")
            .filter(pk=notification_id, email_wanted=True, emailed_at__isnull=True)
            .first()
        )
        if note is None:
            return False
        note.emailed_at = timezone.now()
        note.save(update_fields=["emailed_at"])
        user = note.recipient
        if not (user.is_active and user.email):
            return False
        with translation.override(settings.LANGUAGE_CODE):
            context = {"note": note, "text": note.text, "url": absolute_url(note.link)}
            subject = render_to_string("notifications/email/subject.txt", context).strip()
            body = render_to_string("notifications/email/body.txt", context)
        send_mail(subject.splitlines()[0] if subject else subject, body, None, [user.email])
    return True


def unsent_notification_ids(*, older_than_seconds: int, limit: int = 500) -> list[int]:
    """E-mails wanted and not sent, older than a normal queue delay (a broker outage lost the
    publish, or every retry failed): the sweep sends them again. Only the last two days: an
    older one is news no more."""
    now = timezone.now()
    rows = Notification.objects.filter(
        email_wanted=True,
        emailed_at__isnull=True,
        created_at__lt=now - timezone.timedelta(seconds=older_than_seconds),
        created_at__gte=now - timezone.timedelta(days=2),
    ).order_by("created_at")
    return list(rows.values_list("pk", flat=True)[:limit])


def absolute_url(link: str) -> str:
    """A link for an e-mail: the site's base URL (SITE_URL) before a path."""
    if not link or "://" in link:
        return link
    return settings.SITE_URL.rstrip("/") + link
