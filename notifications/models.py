"""A notification: one line for one user, shown in the bell and (unless turned off) e-mailed.

The message is stored as an English msgid with its parameters (`gettext_noop("New inquiry from
%(name)s")`, {"name": ...}) and translated when it is shown, so each reader sees it in the page's
language. The e-mail is sent by a Celery task after the commit; `emailed_at` is its claim, so a retried
or duplicated task sends it once, and the sweep (notifications.sweep_unsent) re-sends what a broker
outage left unsent."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

MESSAGE_MAX = 300
LINK_MAX = 500


class NotificationQuerySet(models.QuerySet):
    def unread(self) -> NotificationQuerySet:
        return self.filter(read_at__isnull=True)

    def for_user(self, user) -> NotificationQuerySet:
        if not user.is_authenticated or not user.is_active:
            return self.none()
        return self.filter(recipient_id=user.pk)

    def mark_read(self) -> int:
        return self.filter(read_at__isnull=True).update(read_at=timezone.now())


class Notification(models.Model):
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notifications",
        verbose_name=_("recipient"),
    )
    kind = models.CharField(_("kind"), max_length=40)
    message = models.CharField(_("message"), max_length=MESSAGE_MAX)
    params = models.JSONField(_("parameters"), default=dict, blank=True)
    link = models.CharField(_("link"), max_length=LINK_MAX, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)
    email_wanted = models.BooleanField(_("e-mail wanted"), default=True)
    emailed_at = models.DateTimeField(_("e-mailed at"), null=True, blank=True)

    objects = NotificationQuerySet.as_manager()

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-pk"]
        indexes = [
            # The bell's count and list: a user's unread ones, newest first.
            models.Index(
                fields=["recipient", "-created_at"],
                condition=Q(read_at__isnull=True),
                name="notification_unread_idx",
            ),
            # The sweep: e-mails wanted and not sent yet.
            models.Index(
                fields=["created_at"],
                condition=Q(email_wanted=True, emailed_at__isnull=True),
                name="notification_unsent_idx",
            ),
        ]

    def __str__(self) -> str:
        return self.text

    @property
    def text(self) -> str:
        """The message in the active language, its parameters filled in (a message whose parameters
        do not fit is shown as stored rather than failing the page)."""
        template = gettext(self.message)
        try:
            return template % self.params if self.params else template
        except (KeyError, TypeError, ValueError):
            return self.message
