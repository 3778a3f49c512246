"""The kept open alert counts (targets.models.OpenAlertCount): compare them with a real count and mend
them. The triggers of migration 0008 keep them; this is the nightly proof that they did."""

from __future__ import annotations

import logging

from django.db import connection, transaction

from targets.models import OpenAlertCount

logger = logging.getLogger(__name__)

# The triggers' pg_advisory_xact_lock (migration 0008): held, no change of a count can commit.
LOCK_KEY = 0x7461_7267_6574_02


def drift() -> list[tuple[int, int | None, int]]:
    """(user id, kept count or None, real count) of every user whose kept count is not the real one.

    The real count is visible_open_alerts(user).count() for each user, by the function the triggers
    use, written into the table inside a savepoint that is then rolled back. The triggers' lock is
    held meanwhile, so that no change commits between the two reads."""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [LOCK_KEY])
        cursor.execute(f"SELECT user_id, n FROM {OpenAlertCount._meta.db_table}")
        kept = dict(cursor.fetchall())
        sid = transaction.savepoint()
        try:
            cursor.execute(f"DELETE FROM {OpenAlertCount._meta.db_table}")
            cursor.execute("SELECT targets_open_alert_recount(ARRAY(SELECT id FROM accounts_user))")
            cursor.execute(f"SELECT user_id, n FROM {OpenAlertCount._meta.db_table}")
            real = dict(cursor.fetchall())
        finally:
            transaction.savepoint_rollback(sid)
    return sorted((user_id, kept.get(user_id), n) for user_id, n in real.items() if kept.get(user_id) != n)


def reconcile() -> int:
    """Rewrite the count of every user in drift(); returns how many differed (logged as a warning:
    a trigger missed a change, or a load ran with the triggers off)."""
    with transaction.atomic(), connection.cursor() as cursor:
        # The triggers' lock for the whole of it: no change may commit between the count and the rewrite.
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [LOCK_KEY])
        drifted = drift()
        if drifted:
            logger.warning(
                "open alert counts differed for %d users (user, kept, real): %s", len(drifted), drifted[:20]
            )
            cursor.execute(
                "SELECT targets_open_alert_recount(%s)", [[user_id for user_id, _kept, _n in drifted]]
            )
    return len(drifted)
