"""The daily rollup of the replenishment history and the early warning's flows: computed once per
local day, one set of rows however many workers try, read by every check of the day."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from django.db import connection

from accounts.models import Team
from prospects.models import Source, Status
from targets.models import OwnerFlowRollup, PipelineAlert, Rule, SourceHistoryRollup
from targets.services import flow_rollup_refresh, pipeline_check_run
from tests.conftest import make_prospect, make_user
from tests.targets.conftest import NOW, aged, close, set_target

pytestmark = pytest.mark.django_db

TODAY = NOW.date()  # NOW is 10:00 in Tokyo


def rows(day: dt.date = TODAY) -> tuple[list[tuple], list[tuple]]:
    flows = list(
        OwnerFlowRollup.objects.filter(day=day)
        .order_by("owner_id")
        .values_list("id", "owner_id", "inflow", "outflow", "history", "computed_at")
    )
    sources = list(
        SourceHistoryRollup.objects.filter(day=day)
        .order_by("owner_id", "source")
        .values_list("id", "owner_id", "source", "created", "kept", "won", "lost")
    )
    return flows, sources


def test_the_rollup_has_the_windows_of_the_day():
    owner = make_user("windows")
    aged(owner, days=60, source=Source.FLYER)  # history and inflow
    aged(owner, days=100, source=Source.REFERRAL)  # history only (older than 90 days)
    aged(owner, days=10, source=Source.FLYER)  # inflow only (too young for the history)
    make_prospect(owner, created_at=NOW - dt.timedelta(hours=1))  # today: from tomorrow on
    lost = aged(owner, days=200)
    close(lost, Status.LOST, TODAY - dt.timedelta(days=3))  # outflow
    won_today = aged(owner, days=200)
    close(won_today, Status.WON, TODAY)  # today: from tomorrow on

    rollup = flow_rollup_refresh(NOW)

    assert rollup.computed and rollup.day == TODAY
    flows = {
        o: (i, out, h)
        for o, i, out, h in OwnerFlowRollup.objects.values_list("owner_id", "inflow", "outflow", "history")
    }
    assert flows == {owner.pk: (2, 1, 2), None: (2, 1, 2)}  # None: the company
    sources = set(
        SourceHistoryRollup.objects.values_list("owner_id", "source", "created", "kept", "won", "lost")
    )
    assert sources == {
        (owner.pk, Source.FLYER.value, 1, 1, 0, 0),
        (owner.pk, Source.REFERRAL.value, 1, 1, 0, 0),
        (None, Source.FLYER.value, 1, 1, 0, 0),
        (None, Source.REFERRAL.value, 1, 1, 0, 0),
    }


def test_a_second_refresh_the_same_day_changes_nothing_and_a_new_day_replaces_it():
    owner = make_user("daily")
    aged(owner, days=60, source=Source.FLYER)
    assert flow_rollup_refresh(NOW).computed
    before = rows()
    aged(owner, days=61, source=Source.FLYER)  # a change the same day: not seen until tomorrow

    again = flow_rollup_refresh(NOW + dt.timedelta(hours=5))

    assert not again.computed and rows() == before  # same ids, same figures, same stamp

    tomorrow = flow_rollup_refresh(NOW + dt.timedelta(days=1))
    assert tomorrow.computed and tomorrow.computed_at > before[0][0][5]
    assert OwnerFlowRollup.objects.get(day=TODAY + dt.timedelta(days=1), owner=owner).history == 2
    flow_rollup_refresh(NOW + dt.timedelta(days=2))
    # Today's and yesterday's rows are kept (a check may have started before midnight), older go.
    days = set(OwnerFlowRollup.objects.values_list("day", flat=True))
    assert days == {TODAY + dt.timedelta(days=1), TODAY + dt.timedelta(days=2)}
    assert set(SourceHistoryRollup.objects.values_list("day", flat=True)) == days


def test_a_forced_refresh_recomputes_the_day():
    owner = make_user("forced")
    aged(owner, days=60, source=Source.FLYER)
    first = flow_rollup_refresh(NOW)
    aged(owner, days=61, source=Source.FLYER)
    second = flow_rollup_refresh(NOW, force=True)
    assert second.computed and second.computed_at > first.computed_at
    assert OwnerFlowRollup.objects.get(day=TODAY, owner=owner).history == 2
    assert OwnerFlowRollup.objects.filter(day=TODAY).count() == 2  # the owner and the company


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_refreshes_give_one_set_of_rows():
    for i in range(3):
        owner = make_user(f"concurrent{i}")
        for days in (40, 60, 95):
            aged(owner, days=days, source=Source.FLYER if i % 2 else Source.REFERRAL)
    barrier = threading.Barrier(2)
    results: list = []
    errors: list[BaseException] = []

    def run() -> None:
        try:
            barrier.wait(5)
            results.append(flow_rollup_refresh(NOW))
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert not errors
    assert sorted(r.computed for r in results) == [False, True]
    assert len({r.computed_at for r in results}) == 1
    assert OwnerFlowRollup.objects.count() == 4  # three owners and the company
    assert SourceHistoryRollup.objects.count() == 3 + 2  # one source per owner; the company's two


def test_the_check_computes_the_missing_rollup_then_reads_it_all_day():
    owner = make_user("reader")
    # 20 open, 45 closed in the last 90 days and 9 new: at risk (see test_check).
    for _ in range(20):
        aged(owner, days=200)
    for i in range(45):
        close(aged(owner, days=300), Status.LOST, TODAY - dt.timedelta(days=5 + i))
    for i in range(9):
        close(aged(owner, days=10 + i), Status.LOST, TODAY - dt.timedelta(days=1))
    set_target(user=owner, min_open=15)
    assert not OwnerFlowRollup.objects.exists()

    pipeline_check_run(now=NOW)

    assert OwnerFlowRollup.objects.filter(day=TODAY, owner=owner).exists()
    alert = PipelineAlert.objects.get(user=owner, rule=Rule.AT_RISK)
    assert (alert.replenishment["inflow"], alert.replenishment["outflow"]) == (9, 54)
    # Later the same day 3 more are closed: the open count is live, the flows are the day's.
    for p in list(owner.prospects.filter(status=Status.OPEN)[:3]):
        close(p, Status.LOST, TODAY)
    pipeline_check_run(now=NOW + dt.timedelta(hours=1))
    alert.refresh_from_db()
    assert alert.current == 17 and (alert.replenishment["inflow"], alert.replenishment["outflow"]) == (9, 54)
    # The next day's first check computes the next rollup: today's closings count.
    pipeline_check_run(now=NOW + dt.timedelta(days=1))
    alert.refresh_from_db()
    assert alert.replenishment["outflow"] == 57
    assert OwnerFlowRollup.objects.filter(day=TODAY + dt.timedelta(days=1)).exists()


def test_a_change_of_members_rebuilds_the_team_plan_though_its_figures_do_not_change():
    team = Team.objects.create(name="Changing")
    rep, leaving, joining = make_user("stays"), make_user("leaves"), make_user("joins")
    team.members.add(rep, leaving)
    for i in range(10):
        aged(rep, days=60 + i, source=Source.FLYER)
    # Two closed histories of the same size (nothing open): one leaves the team, the other joins.
    for owner, source in ((leaving, Source.INBOUND), (joining, Source.REFERRAL)):
        for i in range(4):
            close(aged(owner, days=60 + i, source=source), Status.LOST, TODAY - dt.timedelta(days=50))
    set_target(team=team, min_open=15)
    pipeline_check_run(now=NOW)
    alert = PipelineAlert.objects.get(team=team)
    assert {s["source"]: s["created"] for s in alert.replenishment["sources"]} == {"flyer": 10, "inbound": 4}
    PipelineAlert.objects.filter(pk=alert.pk).update(plan={"marker": True})
    team.members.remove(leaving)
    team.members.add(joining)

    result = pipeline_check_run(now=NOW + dt.timedelta(minutes=30))  # same rollup, same counts

    alert.refresh_from_db()
    assert result.updated == 1 and (alert.current, alert.deficit, alert.replenishment["history"]) == (
        10,
        5,
        14,
    )
    assert {s["source"]: s["created"] for s in alert.replenishment["sources"]} == {"flyer": 10, "referral": 4}


def test_the_beat_schedule_computes_the_rollup_after_midnight_with_retries():
    from django.conf import settings

    from targets.tasks import refresh_flow_rollup

    entry = settings.CELERY_BEAT_SCHEDULE["targets-flow-rollup"]
    assert entry["task"] == "targets.refresh_flow_rollup" == refresh_flow_rollup.name
    assert (entry["schedule"].hour, entry["schedule"].minute) == ({0}, {10})
    assert (
        refresh_flow_rollup.acks_late
        and refresh_flow_rollup.retry_backoff
        and refresh_flow_rollup.max_retries
    )


def test_the_task_is_idempotent():
    from targets.tasks import refresh_flow_rollup

    aged(make_user("task"), days=60)
    first, second = refresh_flow_rollup.run(), refresh_flow_rollup.run()
    assert first["computed"] and not second["computed"] and first["day"] == second["day"]
    assert OwnerFlowRollup.objects.count() == 2
