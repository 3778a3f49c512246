"""Pipeline writes: moving a card between horizons, quick edits, rank bands, forecast snapshots and
the daily horizon upkeep. Prospect changes always go through prospects.services.prospect_update
(conditional UPDATE on version = the optimistic lock; pghistory records every change)."""

from __future__ import annotations

import datetime as dt
import logging
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, Q
from django.utils.translation import gettext as _

from accounts.models import Role, Team, User
from pipeline.models import ForecastSnapshot, ForecastSnapshotLine, RankBands, UpkeepRun
from pipeline.selectors import Scope, all_scope, month_list_rows, team_scope, user_scope
from prospects.models import Horizon, Prospect, Status, suggest_horizon
from prospects.services import prospect_update
from salescrm.lib.months import this_month

logger = logging.getLogger(__name__)


def _require_open(prospect: Prospect) -> None:
    if prospect.status != Status.OPEN:
        raise ValidationError(_("Only open prospects can be changed on the board."), code="closed")


def prospect_move(*, prospect: Prospect, by: User, horizon: str, expected_version: int) -> Prospect:
    """Move a prospect to another horizon (board drag or the card's menu).

    Raises ValidationError for an unknown horizon or a closed prospect, ProspectConflict when someone
    saved the prospect after `expected_version`."""
    if horizon not in Horizon.values:
        raise ValidationError(_("Choose short, mid or long term."), code="horizon")
    _require_open(prospect)
    return prospect_update(prospect=prospect, by=by, expected_version=expected_version, horizon=horizon)


def prospect_quick_edit(
    *,
    prospect: Prospect,
    by: User,
    expected_version: int,
    probability: int,
    amount: Decimal,
    expected_month: dt.date | None,
) -> Prospect:
    """Probability, amount and expected month from the card; same lock as every edit."""
    _require_open(prospect)
    return prospect_update(
        prospect=prospect,
        by=by,
        expected_version=expected_version,
        probability=probability,
        amount=amount,
        expected_month=expected_month,
    )


def rank_bands_update(*, by: User, a_min: int, b_min: int) -> RankBands:
    """Admins only (checked by the view). A must start above B; both within 1..100."""
    if not (1 <= b_min < a_min <= 100):
        raise ValidationError(_("The A band must start above the B band (1-100 %)."), code="bands")
    bands, _created = RankBands.objects.update_or_create(
        pk=RankBands.SINGLETON_PK, defaults={"a_min": a_min, "b_min": b_min}
    )
    return bands


def snapshot_take(
    *, scope: Scope, month: dt.date, by: User | None = None, today: dt.date | None = None
) -> tuple[ForecastSnapshot, bool]:
    """Remember the list of `scope` for `month` as it reads on `today` (the current month's list
    carries the overdue deals). Idempotent: the first snapshot of a (scope, month) stays; later calls
    return it unchanged. Returns (snapshot, created)."""
    existing = ForecastSnapshot.objects.filter(scope=scope.key, month=month).first()
    if existing is not None:
        return existing, False
    try:
        with transaction.atomic():
            snapshot = ForecastSnapshot.objects.create(
                scope=scope.key, team=scope.team, user=scope.user, month=month, taken_by=by
            )
            ForecastSnapshotLine.objects.bulk_create(
                ForecastSnapshotLine(
                    snapshot=snapshot,
                    prospect_id=p.pk,
                    owner_id=p.owner_id,
                    name=p.name,
                    horizon=p.horizon,
                    probability=p.probability,
                    expected_month=p.expected_month,
                    amount=p.amount,
                    weighted=p.weighted.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP),
                )
                for p in month_list_rows(scope.prospects(None), month, current=this_month(today))
            )
    except IntegrityError:
        # Someone else took it at the same moment: theirs stands.
        return ForecastSnapshot.objects.get(scope=scope.key, month=month), False
    return snapshot, True


def snapshot_take_all(*, month: dt.date) -> int:
    """The monthly job: snapshot the whole company, every team and every active rep. Returns how many
    snapshots were created (0 when run again)."""
    scopes = [all_scope()]
    scopes += [team_scope(t) for t in Team.objects.order_by("pk")]
    reps = User.objects.filter(is_active=True).filter(Q(role=Role.REP) | Q(prospects__status=Status.OPEN))
    scopes += [user_scope(u) for u in reps.distinct().order_by("pk")]
    created = 0
    for scope in scopes:
        _snap, was_created = snapshot_take(scope=scope, month=month)
        created += was_created
    return created


def horizon_upkeep(*, today: dt.date) -> UpkeepRun:
    """The daily horizon upkeep. What it changes, exactly:

    - nothing on any prospect: the horizon stays the rep's call, so no prospect is moved and no
      prospect row is written (nothing to record in the history);
    - it recomputes, in the database, how many open prospects have an expected month before the
      current month (the "overdue" mark the board and the list show, itself always computed live from
      expected_month < this month) and how many sit in a horizon other than the suggested one
      (prospects.models.suggest_horizon for `today`);
    - it writes those two counts into the UpkeepRun row of `today` (update_or_create: running it twice
      the same day leaves one row with the same numbers) and logs them.
    """
    current = this_month(today)
    open_qs = Prospect.objects.open()
    passed = open_qs.filter(expected_month__lt=current).count()
    # The suggestion depends only on the month: count per (horizon, month) group in one query.
    groups = open_qs.order_by().values("horizon", "expected_month").annotate(n=Count("id"))
    disagree = sum(g["n"] for g in groups if suggest_horizon(g["expected_month"], today) != g["horizon"])
    run, _created = UpkeepRun.objects.update_or_create(
        ran_on=today, defaults={"month_passed": passed, "horizon_disagrees": disagree}
    )
    logger.info(
        "horizon upkeep %s: %s month passed, %s horizon differs from suggestion", today, passed, disagree
    )
    return run
