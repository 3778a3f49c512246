"""Integration: events delivered by a real Celery worker (in-process thread, solo pool) on the real
Redis broker (REDIS_URL) to a real HTTP receiver on 127.0.0.1, against the real PostgreSQL test database.
Nothing here runs eagerly."""

from __future__ import annotations

import itertools
import json
import time

import pytest
from celery.contrib.testing.worker import start_worker
from django.db import transaction
from django.utils import translation
from standardwebhooks.webhooks import Webhook

from accounts.models import Role
from notifications.models import Notification
from prospects.services import prospect_create
from salescrm.celery import app
from tests.conftest import make_user
from tests.webhooks.conftest import subscribe
from webhooks.models import Attempt, Delivery, DeliveryState, Subscription
from webhooks.services import delivery_resend, event_emit
from webhooks.transport import ADDRESS_REFUSED

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]


def wait_for(condition, timeout: float = 20.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return condition()


@pytest.fixture
def worker():
    app.control.purge()  # this test process's queue only
    with start_worker(app, perform_ping_check=False, pool="solo", shutdown_timeout=20) as w:
        yield w


@pytest.fixture
def admin():
    return make_user("hook-admin", Role.ADMIN, email="admin@example.com")


def test_a_new_prospect_reaches_the_receiver_signed_and_the_library_verifies_it(
    worker, receiver, allow_private, admin
):
    subscription = subscribe(receiver.url, ["prospect.created"], by=admin)
    rep = make_user("hook-rep")
    with transaction.atomic():
        prospect = prospect_create(
            by=rep, name="ミナト工務店", source="referral", phone="03-1234-5678", email="a@example.jp"
        )

    assert wait_for(lambda: receiver.requests)
    time.sleep(0.3)  # nothing else should arrive
    assert len(receiver.requests) == 1
    request = receiver.requests[0]
    payload = Webhook(subscription.secret).verify(request.body, request.headers)
    assert payload["type"] == "prospect.created"
    data = payload["data"]
    assert (data["id"], data["name"], data["owner"]["username"]) == (prospect.pk, "ミナト工務店", "hook-rep")
    assert "phone" not in data and "email" not in data  # personal data stays in the product
    # The signature covers the body: one changed byte and the library refuses it.
    with pytest.raises(Exception, match="signature"):
        Webhook(subscription.secret).verify(request.body.replace(b"}", b" }", 1), request.headers)

    delivery = Delivery.objects.get(subscription=subscription)
    assert wait_for(lambda: Delivery.objects.get(pk=delivery.pk).state == DeliveryState.SUCCEEDED)
    assert request.headers["webhook-id"] == delivery.message_id
    attempt = Attempt.objects.get(delivery=delivery)
    assert (attempt.number, attempt.status_code, attempt.succeeded, attempt.response_excerpt) == (
        1,
        200,
        True,
        "ok",
    )


def test_a_rolled_back_change_sends_nothing(worker, receiver, allow_private):
    subscribe(receiver.url, ["prospect.created"])
    rep = make_user("hook-rep")
    with pytest.raises(RuntimeError), transaction.atomic():
        prospect_create(by=rep, name="取消", source="referral")
        raise RuntimeError("rolled back")
    time.sleep(1.0)
    assert receiver.requests == [] and not Delivery.objects.exists()


def test_a_failing_receiver_is_retried_with_backoff_then_paused_and_its_admin_told(
    worker, receiver, allow_private, admin
):
    allow_private.WEBHOOKS_MAX_ATTEMPTS = 3
    allow_private.WEBHOOKS_RETRY_BASE_SECONDS = 0.4
    allow_private.WEBHOOKS_PAUSE_AFTER_FAILURES = 2
    receiver.status = 500
    subscription = subscribe(receiver.url, ["alert.opened"], by=admin)

    def failed_deliveries() -> int:
        return Delivery.objects.filter(subscription=subscription, state=DeliveryState.FAILED).count()

    with transaction.atomic():
        event_emit("alert.opened", {"id": 1})
    assert wait_for(lambda: failed_deliveries() == 1)
    attempts = list(Attempt.objects.filter(delivery__subscription=subscription).order_by("number"))
    assert [(a.number, a.status_code, a.succeeded) for a in attempts] == [
        (1, 500, False),
        (2, 500, False),
        (3, 500, False),
    ]
    assert attempts[0].response_excerpt == "receiver says no"
    # Backoff: the 2nd attempt waited 0.2-0.4 s (base, jittered), the 3rd 0.4-0.8 s (doubled).
    gaps = [(b.started_at - a.started_at).total_seconds() for a, b in itertools.pairwise(attempts)]
    assert 0.2 <= gaps[0] < 0.4 + 1.0 and 0.4 <= gaps[1] < 0.8 + 1.0, gaps
    assert len(receiver.requests) == 3
    assert len({r.headers["webhook-id"] for r in receiver.requests}) == 1  # one message, retried
    subscription.refresh_from_db()
    assert (subscription.is_paused, subscription.consecutive_failures) == (False, 1)

    with transaction.atomic():
        event_emit("alert.opened", {"id": 2})
    assert wait_for(lambda: failed_deliveries() == 2)
    assert wait_for(lambda: Subscription.objects.get(pk=subscription.pk).is_paused)
    subscription.refresh_from_db()
    assert subscription.consecutive_failures == 2 and "2" in subscription.paused_reason
    assert wait_for(lambda: Notification.objects.filter(recipient=admin, kind="webhook_paused").exists())
    note = Notification.objects.get(recipient=admin, kind="webhook_paused")
    assert note.params["url"] == receiver.url and note.link.endswith(f"/webhooks/{subscription.pk}/")

    # Paused: a new event is not even written, and nothing more reaches the receiver.
    with transaction.atomic():
        assert event_emit("alert.opened", {"id": 3}) == []
    time.sleep(0.5)
    assert len(receiver.requests) == 6


def test_a_failed_delivery_is_re_sent_by_hand_with_the_same_message_id(
    worker, receiver, allow_private, admin
):
    allow_private.WEBHOOKS_MAX_ATTEMPTS = 1
    allow_private.WEBHOOKS_PAUSE_AFTER_FAILURES = 1
    receiver.status = 503
    subscription = subscribe(receiver.url, ["prospect.lost"], by=admin)
    with transaction.atomic():
        event_emit("prospect.lost", {"id": 7})
    assert wait_for(lambda: Subscription.objects.get(pk=subscription.pk).is_paused)
    delivery = Delivery.objects.get(subscription=subscription)
    assert delivery.state == DeliveryState.FAILED

    receiver.status = 204
    delivery_resend(delivery=delivery)  # goes even though the subscription is paused
    assert wait_for(lambda: Delivery.objects.get(pk=delivery.pk).state == DeliveryState.SUCCEEDED)
    assert len(receiver.requests) == 2
    first, again = receiver.requests
    assert first.headers["webhook-id"] == again.headers["webhook-id"] == delivery.message_id
    assert json.loads(first.body) == json.loads(again.body)
    Webhook(subscription.secret).verify(again.body, again.headers)
    last = Attempt.objects.filter(delivery=delivery).order_by("number").last()
    assert (last.number, last.status_code, last.manual) == (2, 204, True)
    assert Subscription.objects.get(pk=subscription.pk).consecutive_failures == 0


def test_a_private_address_is_refused_when_the_setting_is_off(worker, receiver, settings, admin):
    settings.WEBHOOKS_ALLOW_PRIVATE = False
    # Made directly: the form refuses this URL (tests/webhooks/test_pages.py).
    subscription = subscribe(receiver.url, ["prospect.created"], by=admin)
    with transaction.atomic():
        event_emit("prospect.created", {"id": 1})
    assert wait_for(
        lambda: Delivery.objects.filter(subscription=subscription, state=DeliveryState.FAILED).exists()
    )
    time.sleep(0.3)
    assert receiver.requests == []
    attempt = Attempt.objects.get(delivery__subscription=subscription)  # one attempt: no retry would help
    with translation.override(settings.LANGUAGE_CODE):  # the worker's language
        assert attempt.status_code is None and attempt.error == str(ADDRESS_REFUSED)
