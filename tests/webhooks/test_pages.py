"""The admins' pages: subscribe, see the log, pause, resume and re-send (access: tests/access)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.webhooks.conftest import subscribe
from webhooks.models import Delivery, DeliveryState, Subscription
from webhooks.transport import ADDRESS_REFUSED

pytestmark = pytest.mark.django_db


def test_an_admin_subscribes_a_url_and_gets_a_standard_webhooks_secret(personas, client, monkeypatch):
    import socket

    monkeypatch.setattr(
        socket,
        "getaddrinfo",
        lambda *a, **k: [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("93.184.216.34", 443))],
    )
    client.force_login(personas.admin)
    response = client.post(
        reverse("webhooks:create"),
        {
            "url": "https://hooks.example.com/crm",
            "description": "ERP",
            "events": ["prospect.won", "prospect.created"],
        },
    )
    subscription = Subscription.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse(
        "webhooks:detail", args=[subscription.pk]
    )
    assert subscription.events == ["prospect.created", "prospect.won"]
    assert subscription.created_by == personas.admin
    assert subscription.secret.startswith("whsec_") and len(subscription.secret) > 30
    page = client.get(response["Location"])
    assert page.status_code == 200 and subscription.secret in page.content.decode()


@pytest.mark.parametrize(
    "url", ["http://127.0.0.1:8000/hook", "http://10.0.0.8/hook", "http://169.254.169.254/"]
)
def test_a_private_url_is_a_clear_form_error(personas, client, settings, url):
    settings.WEBHOOKS_ALLOW_PRIVATE = False
    client.force_login(personas.admin)
    response = client.post(reverse("webhooks:create"), {"url": url, "events": ["prospect.created"]})
    assert response.status_code == 422
    assert response.context["form"].errors["url"] == [str(ADDRESS_REFUSED)]
    assert not Subscription.objects.exists()


def test_pause_resume_and_re_send_from_the_page(personas, client, django_capture_on_commit_callbacks):
    client.force_login(personas.admin)
    subscription = subscribe("https://hooks.example.com/in", ["prospect.created"])
    delivery = Delivery.objects.create(
        subscription=subscription,
        event_type="prospect.created",
        message_id="msg_x",
        payload={"type": "prospect.created", "data": {}},
        state=DeliveryState.FAILED,
        attempts=8,
        last_attempt_allowed=8,
    )
    page = client.get(reverse("webhooks:detail", args=[subscription.pk]))
    assert "msg_x" not in page.content.decode() and "prospect.created" in page.content.decode()

    client.post(reverse("webhooks:pause", args=[subscription.pk]), {"paused": "1"})
    subscription.refresh_from_db()
    assert subscription.is_paused and personas.admin.display_name in subscription.paused_reason

    with django_capture_on_commit_callbacks() as callbacks:
        client.post(reverse("webhooks:resend", args=[delivery.pk]))
    delivery.refresh_from_db()
    assert (delivery.state, delivery.forced, delivery.last_attempt_allowed) == (
        DeliveryState.PENDING,
        True,
        9,
    )
    assert len(callbacks) == 1  # the task is published after the commit

    client.post(reverse("webhooks:pause", args=[subscription.pk]), {"paused": "0"})
    subscription.refresh_from_db()
    assert not subscription.is_paused and subscription.consecutive_failures == 0

    detail = client.get(reverse("webhooks:delivery", args=[delivery.pk]))
    assert detail.status_code == 200 and "msg_x" in detail.content.decode()
