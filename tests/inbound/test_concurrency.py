"""Two submissions at once, each in its own transaction on its own connection: the second waits for
the first's row and then sees what the first committed (READ COMMITTED re-checks the row)."""

from __future__ import annotations

import threading
import time

import pytest
from django.db import connection, transaction

from inbound.guard import rate_limited
from inbound.models import SubmissionCounter

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
