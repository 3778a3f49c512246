"""The morning email through a real Celery worker on Redis, the task run twice: one email."""

import datetime as dt
import threading

import pytest
from celery.contrib.testing.worker import start_worker
from celery.signals import task_postrun
from django.core import mail
from django.utils import timezone

from activities.models import MorningEmailSent
from activities.services import morning_emails_send, preference_set_morning_email
from activities.tasks import send_morning_emails
from salescrm.celery import app
from tests.activities.conftest import at, make_activity
from tests.conftest import make_prospect


def _opt_in(user, email):
    user.email = email
    user.save(update_fields=["email"])
    preference_set_morning_email(user=user, enabled=True)


@pytest.mark.django_db
def test_the_email_lists_overdue_and_todays_items_and_skips_those_who_did_not_opt_in(personas):
    today = timezone.localdate()
    _opt_in(personas.owner, "owner@example.com")
    personas.teammate.email = "teammate@example.com"
    personas.teammate.save(update_fields=["email"])
    make_activity(personas.prospect, starts_at=at(today - dt.timedelta(days=2)), subject="遅れている電話")
    make_activity(personas.prospect, starts_at=at(today, 23, 30), subject="今日の訪問")
    make_activity(personas.prospect, starts_at=at(today + dt.timedelta(days=2)), subject="来週の件")
    make_activity(make_prospect(personas.teammate), starts_at=at(today, 23))
    assert morning_emails_send() == 1
    (message,) = mail.outbox
    assert message.to == ["owner@example.com"]
    assert (
        "遅れている電話" in message.body and "今日の訪問" in message.body and "来週の件" not in message.body
    )
    assert morning_emails_send() == 0 and len(mail.outbox) == 1


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.slow
def test_the_task_run_twice_by_a_worker_sends_one_email(personas):
    _opt_in(personas.owner, "owner@example.com")
    make_activity(personas.prospect, starts_at=timezone.now() - dt.timedelta(days=1))
    results: list = []
    done = threading.Semaphore(0)

    def record(sender=None, retval=None, **kwargs):
        if sender is not None and sender.name == send_morning_emails.name:
            results.append(retval)
            done.release()

    task_postrun.connect(record, weak=False)
    try:
        with start_worker(
            app, perform_ping_check=False, pool="solo", concurrency=1, loglevel="WARNING", shutdown_timeout=10
        ):
            send_morning_emails.apply_async()
            assert done.acquire(timeout=30)
            send_morning_emails.apply_async()
            assert done.acquire(timeout=30)
    finally:
        task_postrun.disconnect(record)
    assert results == [1, 0]
    assert len(mail.outbox) == 1
    assert MorningEmailSent.objects.filter(user=personas.owner, sent_at__isnull=False).count() == 1
