"""notify(): the row first, the e-mail after the commit (once, retried), the bell's count and list."""

from __future__ import annotations

import smtplib
from unittest import mock

import pytest
from django.core import mail
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_noop

from notifications.models import Notification
from notifications.services import notification_email_send, notify, unsent_notification_ids
from notifications.tasks import send_notification_email, sweep_unsent
from tests.conftest import make_user

pytestmark = pytest.mark.django_db

SEND = "notifications.tasks.send_notification_email.apply_async"


def test_notify_saves_the_row_and_queues_the_email_after_the_commit(django_capture_on_commit_callbacks):
    rep = make_user("rep-n", email="rep-n@example.com")
    with mock.patch(SEND) as apply_async, django_capture_on_commit_callbacks(execute=True):
        note = notify(
            rep, "inquiry", gettext_noop("New inquiry from %(name)s"), "/x/", params={"name": "山田"}
        )
        assert apply_async.call_count == 0  # not before the commit
    apply_async.assert_called_once_with(kwargs={"notification_id": note.pk}, retry=False)
    assert "山田" in Notification.objects.get().text


def test_a_rolled_back_caller_notifies_no_one(django_capture_on_commit_callbacks):
    rep = make_user("rep-r")
    with (
        mock.patch(SEND) as apply_async,
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        notify(rep, "inquiry", "x", "/")
        raise RuntimeError
    assert apply_async.call_count == 0 and Notification.objects.count() == 0


def test_the_email_is_sent_once_even_when_the_task_runs_twice():
    rep = make_user("rep-e", email="rep-e@example.com")
    note = notify(rep, "inquiry", "Hello", "/prospects/1/", email=True)
    assert send_notification_email.run(note.pk) is True
    assert send_notification_email.run(note.pk) is False
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["rep-e@example.com"]
    assert "/prospects/1/" in mail.outbox[0].body
    note.refresh_from_db()
    assert note.emailed_at is not None


def test_a_failed_send_leaves_it_unsent_for_the_retry_and_the_task_retries_on_it():
    rep = make_user("rep-f", email="rep-f@example.com")
    note = notify(rep, "inquiry", "Hello", "/")
    down = smtplib.SMTPServerDisconnected("down")
    with mock.patch("notifications.services.send_mail", side_effect=down), pytest.raises(type(down)):
        notification_email_send(note.pk)
    note.refresh_from_db()
    assert note.emailed_at is None  # the claim rolled back with the failed send
    assert smtplib.SMTPException in send_notification_email.autoretry_for
    assert send_notification_email.max_retries >= 5
    assert notification_email_send(note.pk) is True


def test_the_sweep_sends_what_a_broker_outage_never_queued(django_capture_on_commit_callbacks, settings):
    """The broker is down: the publish after the commit fails (logged, nothing raised), the row is
    there, and the periodic sweep sends its e-mail."""
    from kombu.exceptions import OperationalError

    settings.NOTIFICATIONS_SWEEP_AFTER_SECONDS = 60
    rep = make_user("rep-s", email="rep-s@example.com")
    with (
        mock.patch(SEND, side_effect=OperationalError("broker down")),
        django_capture_on_commit_callbacks(execute=True),
    ):
        note = notify(rep, "inquiry", "Hello", "/")
    assert mail.outbox == []
    assert unsent_notification_ids(older_than_seconds=60) == []  # too recent: maybe still queued
    Notification.objects.filter(pk=note.pk).update(created_at=timezone.now() - timezone.timedelta(minutes=5))
    assert sweep_unsent.run() == 1
    assert len(mail.outbox) == 1
    assert sweep_unsent.run() == 0


def test_no_email_when_not_wanted_or_the_user_has_no_address():
    silent = notify(make_user("rep-q", email="q@example.com"), "k", "m", "/", email=False)
    blank = notify(make_user("rep-b", email=""), "k", "m", "/")
    assert notification_email_send(silent.pk) is False
    assert notification_email_send(blank.pk) is False
    assert mail.outbox == []


def test_the_bell_shows_the_users_unread_notifications_and_marks_them_read(client):
    rep, other = make_user("rep-bell"), make_user("rep-other")
    mine = notify(rep, "inquiry", "Mine", "/prospects/", email=False)
    notify(other, "inquiry", "Not mine", "/", email=False)
    client.force_login(rep)
    page = client.get("/").content.decode()
    assert 'id="notification-count"' in page
    count = client.get(reverse("notifications:count")).content.decode()
    assert ">1</span>" in count
    menu = client.get(reverse("notifications:list"), headers={"HX-Request": "true"}).content.decode()
    assert "Mine" in menu and "Not mine" not in menu
    response = client.post(reverse("notifications:open", args=[mine.pk]))
    assert response.status_code == 302 and response["Location"] == "/prospects/"
    mine.refresh_from_db()
    assert mine.read_at is not None
    assert ">0</span>" in client.get(reverse("notifications:count")).content.decode()
    # Another user's notification: 404.
    theirs = Notification.objects.get(message="Not mine")
    assert client.post(reverse("notifications:open", args=[theirs.pk])).status_code == 404


def test_mark_all_read_and_an_outside_link_is_not_followed(client):
    rep = make_user("rep-all")
    note = notify(rep, "k", "Away", "https://evil.example/", email=False)
    notify(rep, "k", "Two", "/", email=False)
    client.force_login(rep)
    assert client.post(reverse("notifications:open", args=[note.pk]))["Location"] == reverse(
        "notifications:list"
    )
    client.post(reverse("notifications:read_all"))
    assert Notification.objects.filter(recipient=rep, read_at__isnull=True).count() == 0
