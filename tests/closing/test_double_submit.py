"""Two clicks, two tabs: two concurrent requests on separate connections record exactly one outcome."""

import threading
from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from closing import services
from prospects.models import Prospect, Status

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def _run_in_threads(*targets):
    results: list = [None] * len(targets)
    barrier = threading.Barrier(len(targets))

    def runner(i, target):
        try:
            barrier.wait(timeout=10)
            results[i] = target()
        except Exception as exc:  # reported to the test, not swallowed
            results[i] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=runner, args=(i, t)) for i, t in enumerate(targets)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    return results


def test_two_concurrent_won_calls_record_one_outcome_and_one_history_record(personas):
    p = personas.prospect
    today = timezone.localdate()

    def won(amount):
        return lambda: services.outcome_record_won(
            prospect=Prospect.objects.get(pk=p.pk),
            by=personas.owner,
            expected_version=1,
            amount=Decimal(amount),
            closed_on=today,
        )

    results = _run_in_threads(won(100), won(200))
    outcomes = sorted(type(r).__name__ for r in results)
    assert outcomes == ["AlreadyClosed", "Prospect"]
    p.refresh_from_db()
    assert p.status == Status.WON and p.version == 2
    assert p.won_amount in (Decimal(100), Decimal(200))
    assert p.events.filter(status="won").count() == 1


def test_won_and_lost_posted_at_once_from_two_tabs_leave_exactly_one_outcome(personas):
    p = personas.prospect
    today = timezone.localdate().isoformat()

    def post(url, data):
        def call():
            client = Client()
            client.force_login(personas.owner)
            return client.post(url, data, HTTP_HX_REQUEST="true").status_code

        return call

    results = _run_in_threads(
        post(reverse("closing:won", args=[p.pk]), {"amount": 1, "closed_on": today, "version": 1}),
        post(reverse("closing:lost", args=[p.pk]), {"reason": "price", "closed_on": today, "version": 1}),
    )
    assert sorted(results) == [200, 409]
    p.refresh_from_db()
    assert p.status in (Status.WON, Status.LOST)
    assert p.events.exclude(status="open").count() == 1
