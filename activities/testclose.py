"""The method's timing of test closings: after a proposal, a quote or a showroom visit (an activity
kind with `triggers_test_close`) is done, the prospect is to be test-closed now, until a test closing
is asked after it. Derived, not stored: logging the test closing is what clears it."""

from __future__ import annotations

from django.db.models import Exists, OuterRef

from activities.models import Activity, ActivityStatus


def test_close_now() -> Exists:
    """THE rule, as an expression on a Prospect queryset (annotate or filter): a done trigger
    activity with no test closing asked at or after the time it happened."""
    from closing.models import TestClosing

    asked_since = TestClosing.objects.filter(
        prospect=OuterRef("prospect"), asked_at__gte=OuterRef("starts_at")
    )
    return Exists(
        Activity.objects.filter(
            prospect=OuterRef("pk"), status=ActivityStatus.DONE, kind__triggers_test_close=True
        ).filter(~Exists(asked_since))
    )


test_close_now.__test__ = False  # type: ignore[attr-defined]  (pytest: not a test)


def is_test_close_now(prospect) -> bool:
    """test_close_now() for one prospect (one query); never for a closed one."""
    from prospects.models import Prospect

    if not prospect.is_open:
        return False
    return Prospect.objects.filter(pk=prospect.pk).filter(test_close_now()).exists()


is_test_close_now.__test__ = False  # type: ignore[attr-defined]
