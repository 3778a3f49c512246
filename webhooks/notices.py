"""Telling an admin that their subscription was paused: the product's notifications (bell and e-mail)
when the notifications app is installed, else an e-mail."""

from __future__ import annotations

from django.apps import apps
from django.conf import settings
from django.core.mail import send_mail
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext, gettext_noop

from accounts.access import admin_ids
from accounts.models import User
from webhooks.models import Subscription

PAUSED_MESSAGE = gettext_noop(
    "The webhook to %(url)s was paused after %(count)s failed deliveries in a row. Check the receiver, "
    "then resume it."
)


def _recipients(subscription: Subscription) -> list[User]:
    """Its creator while they are an active admin; else every active admin."""
    creator = subscription.created_by
    if creator is not None and creator.is_active and creator.is_admin_role:
        return [creator]
    return list(User.objects.filter(pk__in=admin_ids()).order_by("pk"))


def subscription_paused(subscription_id: int, failures: int) -> None:
    subscription = Subscription.objects.select_related("created_by").get(pk=subscription_id)
    link = reverse("webhooks:detail", kwargs={"pk": subscription.pk})
    params = {"url": subscription.url, "count": failures}
    recipients = _recipients(subscription)
    if apps.is_installed("notifications"):
        from notifications.services import notify

        for user in recipients:
            notify(user, "webhook_paused", PAUSED_MESSAGE, link, params=params)
        return
    with translation.override(settings.LANGUAGE_CODE):
        subject = gettext("Webhook paused")
        body = gettext(PAUSED_MESSAGE) % params
    addresses = [u.email for u in recipients if u.email]
    if addresses:
        send_mail(subject, f"{body}\n\n{link}\n", None, addresses)
