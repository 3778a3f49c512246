"""Webhook subscriptions, and their outbox of deliveries with every attempt logged.

A `Delivery` is written in the same transaction as the change it tells about (the outbox), so an event
is never lost when the broker is down: a Celery task delivers it after the commit, and the sweeper
(`webhooks.dispatch_due`, every minute) re-enqueues a pending delivery whose publish never arrived.
"""

from __future__ import annotations

import base64
import secrets

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class EventType(models.TextChoices):
    PROSPECT_CREATED = "prospect.created", _("Prospect created")
    PROSPECT_UPDATED = "prospect.updated", _("Prospect updated")
    PROSPECT_WON = "prospect.won", _("Prospect won")
    PROSPECT_LOST = "prospect.lost", _("Prospect lost")
    ALERT_OPENED = "alert.opened", _("Alert opened")
    ALERT_RESOLVED = "alert.resolved", _("Alert resolved")
    INQUIRY_RECEIVED = "inquiry.received", _("Inquiry received")


def new_secret() -> str:
    """A Standard Webhooks secret: `whsec_` and 24 random bytes in base64."""
    return "whsec_" + base64.b64encode(secrets.token_bytes(24)).decode("ascii")


class Subscription(models.Model):
    """An admin's subscription of one URL to some event types."""

    url = models.URLField(_("URL"), max_length=500)
    description = models.CharField(_("description"), max_length=200, blank=True)
    events = ArrayField(models.CharField(max_length=32, choices=EventType.choices), verbose_name=_("events"))
    secret = models.CharField(_("signing secret"), max_length=100, default=new_secret, editable=False)
    is_paused = models.BooleanField(_("paused"), default=False)
    paused_reason = models.CharField(_("why paused"), max_length=200, blank=True)
    consecutive_failures = models.PositiveIntegerField(_("failed deliveries in a row"), default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="webhook_subscriptions",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("webhook subscription")
        verbose_name_plural = _("webhook subscriptions")
        ordering = ["id"]

    def __str__(self) -> str:
        return self.url

    def event_labels(self) -> list[str]:
        labels = dict(EventType.choices)
        return [str(labels.get(e, e)) for e in self.events]


class DeliveryState(models.TextChoices):
    PENDING = "pending", pgettext_lazy("webhook", "Pending")
    SUCCEEDED = "succeeded", pgettext_lazy("webhook", "Delivered")
    FAILED = "failed", pgettext_lazy("webhook", "Failed")


class Delivery(models.Model):
    """One event for one subscription (the outbox row). `message_id` is the webhook-id header: the same
    for every attempt and re-send, so a receiver can drop duplicates."""

    subscription = models.ForeignKey(
        Subscription, on_delete=models.CASCADE, related_name="deliveries", verbose_name=_("subscription")
    )
    event_type = models.CharField(_("event"), max_length=32, choices=EventType.choices)
    message_id = models.CharField(_("message id"), max_length=100)
    payload = models.JSONField(_("payload"))
    state = models.CharField(
        _("state"), max_length=10, choices=DeliveryState.choices, default=DeliveryState.PENDING
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    # When the next attempt is due; while an attempt runs, the end of its lease (see services.claim).
    next_attempt_at = models.DateTimeField(_("next attempt at"), null=True, blank=True)
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    # The attempt number after which a failure is final: WEBHOOKS_MAX_ATTEMPTS, or one more after a re-send.
    last_attempt_allowed = models.PositiveIntegerField(default=1)
    # A re-send by hand goes even while the subscription is paused.
    forced = models.BooleanField(default=False)

    class Meta:
        verbose_name = _("webhook delivery")
        verbose_name_plural = _("webhook deliveries")
        ordering = ["-created_at", "-id"]
        constraints = [
            # An event told twice (a retried or concurrent check) is one delivery per subscription.
            models.UniqueConstraint(fields=["subscription", "message_id"], name="webhook_delivery_once"),
            models.CheckConstraint(
                condition=models.Q(event_type__in=EventType.values), name="webhook_delivery_event_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(state__in=DeliveryState.values), name="webhook_delivery_state_valid"
            ),
        ]
        indexes = [
            models.Index(
                fields=["next_attempt_at"],
                condition=models.Q(state="pending"),
                name="webhook_delivery_due",
            ),
            models.Index(fields=["subscription", "-created_at", "-id"], name="webhook_delivery_log"),
        ]

    def __str__(self) -> str:
        return f"{self.event_type} {self.message_id}"


class Attempt(models.Model):
    """One HTTP attempt of a delivery, as logged on the subscription's page."""

    delivery = models.ForeignKey(
        Delivery, on_delete=models.CASCADE, related_name="attempt_log", verbose_name=_("delivery")
    )
    number = models.PositiveIntegerField(_("attempt"))
    started_at = models.DateTimeField(_("time"))
    duration_ms = models.PositiveIntegerField(_("duration (ms)"))
    status_code = models.PositiveSmallIntegerField(_("HTTP status"), null=True, blank=True)
    succeeded = models.BooleanField(_("succeeded"), default=False)
    error = models.CharField(_("error"), max_length=300, blank=True)
    response_excerpt = models.TextField(_("response excerpt"), blank=True)
    manual = models.BooleanField(_("re-sent by hand"), default=False)

    class Meta:
        verbose_name = _("webhook attempt")
        verbose_name_plural = _("webhook attempts")
        ordering = ["-started_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["delivery", "number"], name="webhook_attempt_number_once"),
        ]

    def __str__(self) -> str:
        return f"{self.delivery_id} #{self.number}"
