"""The daily rollup of the history the check reads: flow_rollup_refresh."""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass

from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone

from prospects.models import Prospect, Status
from targets.models import (
    OwnerFlowRollup,
    SourceHistoryRollup,
)

logger = logging.getLogger(__name__)


HISTORY_DAYS = 180  # the replenishment plan looks at prospects created in the last 180 days ...
MATURITY_DAYS = 30  # ... that are at least 30 days old: did they survive their first 30 days?
FLOW_DAYS = 90  # the early warning's inflow and outflow: the last 90 days


# ------------------------------------------------------------------------------ the daily rollup
# The replenishment history (prospects created 30 to 180 days ago, per owner and source) and the
# early warning's inflow and outflow (the last 90 days) are statistics over months: they change by
# the day. They are computed once per local day, in PostgreSQL, into OwnerFlowRollup (per owner:
# inflow, outflow, history size; owner null: the company) and SourceHistoryRollup (per owner and
# source: created, kept, won, lost), and every check of that day reads them. The windows end at the
# day's local midnight, so a day's rollup is the same whenever (and by whichever worker) it is
# computed: history = created in [midnight - 180 days, midnight - 30 days]; inflow = created in
# [midnight - 90 days, midnight); outflow = won or lost on one of the 90 days before the day.

ROLLUP_LOCK = 0x7461_7267_6574_01  # pg_advisory_xact_lock: one refresh at a time ("targ" "et" 1)

_ROLLUP_SQL = """
WITH h AS (
    SELECT owner_id, source,
        count(*) FILTER (WHERE created_at <= %(cutoff)s) AS created,
        count(*) FILTER (
            WHERE created_at <= %(cutoff)s AND NOT (
                status = %(lost)s AND closed_on IS NOT NULL
                AND closed_on <= (created_at AT TIME ZONE %(tz)s)::date + %(maturity)s
            )
        ) AS kept,
        count(*) FILTER (WHERE created_at <= %(cutoff)s AND status = %(won)s) AS won,
        count(*) FILTER (WHERE created_at <= %(cutoff)s AND status = %(lost)s) AS lost,
        count(*) FILTER (WHERE created_at >= %(since)s) AS inflow
    FROM {prospects}
    WHERE created_at >= %(start)s AND created_at < %(midnight)s
    GROUP BY owner_id, source
),
o AS (
    SELECT owner_id, count(*) AS outflow
    FROM {prospects}
    WHERE status IN (%(won)s, %(lost)s) AND closed_on >= %(out_from)s AND closed_on < %(day)s
    GROUP BY owner_id
),
sources AS (
    INSERT INTO {sources} (day, owner_id, source, created, kept, won, lost)
    SELECT %(day)s, owner_id, source, created, kept, won, lost FROM h WHERE created > 0
    UNION ALL
    SELECT %(day)s, NULL, source, sum(created), sum(kept), sum(won), sum(lost)
    FROM h GROUP BY source HAVING sum(created) > 0
),
flows AS (
    SELECT coalesce(p.owner_id, o.owner_id) AS owner_id, coalesce(p.inflow, 0) AS inflow,
        coalesce(o.outflow, 0) AS outflow, coalesce(p.history, 0) AS history
    FROM (SELECT owner_id, sum(inflow) AS inflow, sum(created) AS history FROM h GROUP BY owner_id) p
    FULL JOIN o ON o.owner_id = p.owner_id
)
INSERT INTO {flows} (day, owner_id, inflow, outflow, history, computed_at)
SELECT %(day)s, owner_id, inflow, outflow, history, %(computed_at)s FROM flows
UNION ALL
SELECT %(day)s, NULL, coalesce(sum(inflow), 0), coalesce(sum(outflow), 0), coalesce(sum(history), 0),
    %(computed_at)s
FROM flows
"""


@dataclass
class FlowRollup:
    day: dt.date
    computed_at: dt.datetime  # identifies the rollup: part of every plan's fingerprint
    computed: bool  # computed by this call (False: it existed)


def _rollup_stamp(day: dt.date) -> dt.datetime | None:
    """The identity of the day's rollup, None when it was not computed yet."""
    company = OwnerFlowRollup.objects.filter(day=day, owner__isnull=True)
    return company.values_list("computed_at", flat=True).first()


def flow_rollup_refresh(now: dt.datetime | None = None, *, force: bool = False) -> FlowRollup:
    """Compute the rollup of `now`'s local day unless it exists (`force`: recompute it). ONE INSERT ...
    SELECT ... GROUP BY in PostgreSQL fills both tables (no row goes through Python), in a transaction
    that holds an advisory lock and first deletes the rows of the days before yesterday (yesterday's
    stay for a check that started before midnight). Idempotent: a second call the same day, or a
    concurrent one on another worker (it waits for the lock, then finds the rows), changes nothing;
    the unique constraints on (day, owner[, source]) refuse a second set in any case."""
    now = now or timezone.now()
    day = timezone.localdate(now)
    if not force and (stamp := _rollup_stamp(day)) is not None:
        return FlowRollup(day, stamp, computed=False)
    # Raw SQL: an advisory lock, then INSERT ... SELECT of the day's groupings in the database.
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%(key)s)", {"key": ROLLUP_LOCK})
        if not force and (stamp := _rollup_stamp(day)) is not None:
            return FlowRollup(day, stamp, computed=False)  # another worker computed it meanwhile
        for model in (OwnerFlowRollup, SourceHistoryRollup):
            model.objects.filter(Q(day__lt=day - dt.timedelta(days=1)) | Q(day=day)).delete()
        midnight = timezone.make_aware(dt.datetime.combine(day, dt.time.min))
        # The wall clock, not `now`: a recomputed rollup must get a new identity even when a test
        # passes the same `now` twice.
        computed_at = timezone.now()
        cursor.execute(
            _ROLLUP_SQL.format(
                prospects=Prospect._meta.db_table,
                sources=SourceHistoryRollup._meta.db_table,
                flows=OwnerFlowRollup._meta.db_table,
            ),
            {
                "day": day,
                "midnight": midnight,
                "start": midnight - dt.timedelta(days=HISTORY_DAYS),
                "cutoff": midnight - dt.timedelta(days=MATURITY_DAYS),
                "since": midnight - dt.timedelta(days=FLOW_DAYS),
                "out_from": day - dt.timedelta(days=FLOW_DAYS),
                "maturity": MATURITY_DAYS,
                "tz": timezone.get_current_timezone_name(),
                "won": Status.WON.value,
                "lost": Status.LOST.value,
                "computed_at": computed_at,
            },
        )
    logger.info("flow rollup of %s computed", day)
    return FlowRollup(day, computed_at, computed=True)
