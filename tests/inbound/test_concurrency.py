"""Two at once, each in its own transaction on its own connection: the second waits for the row the
first holds and then acts on what the first committed (READ COMMITTED re-checks the row)."""

from __future__ import annotations

import threading
import time

import pytest
from django.db import connection, transaction

from companies.models import Company
from inbound.guard import rate_limited
from inbound.models import Inquiry, InquiryForm, SubmissionCounter
from inbound.services import assignee_pick, inquiry_process, inquiry_save
from notifications.models import Notification
from prospects.models import Prospect
from tests.inbound.conftest import submission

pytestmark = pytest.mark.django_db(transaction=True)


def _meanwhile(work):
    """Run `work` in a thread of its own (its own connection); returns the thread and its result box."""
    box: dict = {}

    def run() -> None:
        try:
            box["result"] = work()
        except Exception as exc:  # shown by the assertion on the result
            box["error"] = exc
        finally:
            connection.close()

    thread = threading.Thread(target=run)
    thread.start()
    time.sleep(0.5)  # long enough to reach the row the main thread holds
    return thread, box


def test_two_first_submissions_of_a_window_at_once_count_once_each_and_the_limit_holds(settings):
    settings.INBOUND_RATE_LIMIT = 1
    with transaction.atomic():
        assert rate_limited("a" * 64) is False  # the window's row, inserted and not committed yet
        thread, box = _meanwhile(lambda: rate_limited("a" * 64))
        assert thread.is_alive()  # waiting for the first one's row: no duplicate key error
    thread.join(10)
    assert box == {"result": True}
    assert SubmissionCounter.objects.get().count == 1


def _form(pk: int) -> InquiryForm:
    return InquiryForm.objects.select_related("team").get(pk=pk)


def _pick_in_a_transaction(form_pk: int) -> int:
    with transaction.atomic():
        return assignee_pick(_form(form_pk)).pk


def test_two_leads_of_one_form_at_once_go_to_the_next_two_reps(personas, inquiry_form):
    reps = sorted([personas.owner.pk, personas.teammate.pk])
    with transaction.atomic():
        assert assignee_pick(_form(inquiry_form.pk)).pk == reps[0]  # the form's row is held till the commit
        thread, box = _meanwhile(lambda: _pick_in_a_transaction(inquiry_form.pk))
        assert thread.is_alive()  # it read the cursor before this commit, and waits for the row
    thread.join(10)
    assert box == {"result": reps[1]}  # the cursor as committed, not as it read it
    assert _form(inquiry_form.pk).last_assignee_id == reps[1]


def test_one_inquiry_processed_twice_at_once_is_one_prospect(personas, inquiry_form):
    inquiry = inquiry_save(
        form=inquiry_form, data=submission(inquiry_form), lang="ja", origin="", address_hash="x"
    )
    stale = Inquiry.objects.select_related("form").get(pk=inquiry.pk)  # read while still `received`
    with transaction.atomic():
        prospect = inquiry_process(inquiry.pk)
        thread, box = _meanwhile(lambda: inquiry_process(stale.pk, saved=stale))
        assert thread.is_alive()
    thread.join(10)
    assert box == {"result": None}
    assert Prospect.objects.filter(inquiry__isnull=False).get() == prospect
    assert Notification.objects.count() == 1 and Company.objects.count() == 1
    assert _form(inquiry_form.pk).last_assignee_id == prospect.owner_id  # moved once
