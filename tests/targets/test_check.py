from __future__ import annotations

import datetime as dt
import threading

import pytest
from django.db import connection

from prospects.models import Horizon, Prospect, Source, Status
from targets.models import PipelineAlert, Rule, Scope
from targets.plans import replenishment_plan
from targets.services import flow_rollup_refresh, pipeline_check_run
from targets.services.rules import project
from tests.conftest import make_prospect, make_user
from tests.targets.conftest import NOW, aged, close, set_target

pytestmark = pytest.mark.django_db


def test_a_rep_below_the_minimum_gets_one_alert_with_the_deficit(personas):
    set_target(user=personas.owner, min_open=3)
    pipeline_check_run(now=NOW)
    alert = PipelineAlert.objects.get()
    assert (alert.scope, alert.user, alert.rule) == (Scope.USER, personas.owner, Rule.OPEN)
    assert (alert.current, alert.target, alert.deficit) == (1, 3, 2)
    assert alert.opened_at == NOW and alert.resolved_at is None


def test_running_the_check_twice_keeps_one_open_alert_and_its_opening_time(personas):
    set_target(user=personas.owner, min_open=3)
    pipeline_check_run(now=NOW)
    make_prospect(personas.teammate)
    pipeline_check_run(now=NOW + dt.timedelta(hours=1))
    alert = PipelineAlert.objects.get()
    assert alert.opened_at == NOW


def test_the_alert_resolves_by_itself_when_the_count_recovers(personas):
    set_target(user=personas.owner, min_open=2)
    pipeline_check_run(now=NOW)
    make_prospect(personas.owner)
    later = NOW + dt.timedelta(hours=1)
    result = pipeline_check_run(now=later)
    alert = PipelineAlert.objects.get()
    assert result.resolved == 1 and alert.resolved_at == later
    # Falling below again opens a new alert; the resolved one stays as history.
    close(personas.prospect, Status.LOST, NOW.date())
    pipeline_check_run(now=later + dt.timedelta(hours=1))
    assert PipelineAlert.objects.count() == 2
    assert PipelineAlert.objects.open().count() == 1


def test_a_team_counts_its_members_and_the_company_counts_everything(personas):
    make_prospect(personas.teammate)
    make_prospect(personas.outsider)
    set_target(team=personas.team, min_open=3)  # owner 1 + teammate 1 = 2
    set_target(min_open=4)  # all 3
    set_target(team=personas.other_team, min_open=1)  # outsider 1: fine
    pipeline_check_run(now=NOW)
    alerts = {(a.scope, a.team_id): a for a in PipelineAlert.objects.all()}
    assert set(alerts) == {(Scope.TEAM, personas.team.pk), (Scope.COMPANY, None)}
    assert alerts[(Scope.TEAM, personas.team.pk)].current == 2
    assert alerts[(Scope.COMPANY, None)].current == 3


def test_each_horizon_minimum_is_its_own_rule(personas):
    make_prospect(personas.owner, horizon=Horizon.SHORT)
    set_target(user=personas.owner, min_open=2, min_short=2, min_mid=1, min_long=1)
    pipeline_check_run(now=NOW)
    rules = {a.rule: a.deficit for a in PipelineAlert.objects.all()}
    assert rules == {Rule.SHORT: 1, Rule.LONG: 1}


def test_removing_a_target_resolves_its_alerts(personas):
    target = set_target(user=personas.owner, min_open=5)
    pipeline_check_run(now=NOW)
    target.delete()
    pipeline_check_run(now=NOW + dt.timedelta(minutes=30))
    assert PipelineAlert.objects.open().count() == 0


def test_the_projection_has_the_known_answer():
    # 20 open, 0 in and 45 out over 90 days: -0.5 a day, 5 in 30 days; reaches 15 after 10 days.
    p = project(current=20, inflow=0, outflow=45, target=15, today=dt.date(2026, 11, 20))
    assert p.projected == pytest.approx(5.0)
    assert p.crosses_on == dt.date(2026, 11, 30)
    # A steep fall stops at zero; a target of zero is never at risk.
    steep = project(current=10, inflow=0, outflow=900, target=5, today=dt.date(2026, 11, 20))
    assert steep.projected == 0 and steep.crosses_on == dt.date(2026, 11, 21)
    assert project(current=3, inflow=0, outflow=900, target=0, today=dt.date(2026, 11, 20)).crosses_on is None
    # Still above the target after 30 days: no warning.
    assert project(current=20, inflow=0, outflow=9, target=15, today=dt.date(2026, 11, 20)).crosses_on is None


def test_a_count_at_its_target_today_is_warned_for_tomorrow_never_around_today():
    """#17: a projection that lands today is no forecast; at the target today, the next loss is below."""
    today = dt.date(2026, 11, 20)
    at_target = project(current=15, inflow=0, outflow=45, target=15, today=today)
    assert at_target.crosses_on == dt.date(2026, 11, 21)
    for current in range(15, 30):
        p = project(current=current, inflow=0, outflow=900, target=15, today=today)
        assert p.crosses_on is not None and p.crosses_on > today


def test_the_check_never_stores_an_early_warning_dated_today(personas):
    owner = make_user("attarget")
    for _ in range(15):
        aged(owner, days=200)
    for i in range(45):  # -0.5 a day over the last 90 days
        close(aged(owner, days=300), Status.LOST, NOW.date() - dt.timedelta(days=5 + i))
    set_target(user=owner, min_open=15)
    pipeline_check_run(now=NOW)
    alert = PipelineAlert.objects.get(user=owner)
    assert alert.rule == Rule.AT_RISK and alert.current == alert.target == 15
    assert alert.projected_date == NOW.date() + dt.timedelta(days=1)


def test_at_risk_alert_on_a_hand_made_history(personas):
    owner = make_user("atrisk")
    # Today: 20 open prospects created long ago (before the 90-day window).
    for _ in range(20):
        aged(owner, days=200)
    # In the last 90 days: 9 new prospects, 54 closed (won or lost): -45 / 90 = -0.5 a day.
    for i in range(9):
        p = aged(owner, days=10 + i)
        close(p, Status.LOST, NOW.date() - dt.timedelta(days=1))
    for i in range(45):
        p = aged(owner, days=300)
        close(p, Status.WON if i % 2 else Status.LOST, NOW.date() - dt.timedelta(days=5 + i))
    set_target(user=owner, min_open=15)
    pipeline_check_run(now=NOW)
    alert = PipelineAlert.objects.get(user=owner)
    assert alert.rule == Rule.AT_RISK
    assert alert.current == 20 and alert.target == 15
    assert alert.projected_date == dt.date(2026, 11, 30)
    assert alert.deficit == 10  # 15 - projected 5
    assert alert.replenishment["projected"] == 5.0


def test_no_at_risk_alert_while_the_count_is_already_below_the_target(personas):
    owner = make_user("below")
    for i in range(30):
        p = aged(owner, days=300)
        close(p, Status.LOST, NOW.date() - dt.timedelta(days=1 + i))
    aged(owner, days=200)
    set_target(user=owner, min_open=5)
    pipeline_check_run(now=NOW)
    assert list(PipelineAlert.objects.filter(user=owner).values_list("rule", flat=True)) == [Rule.OPEN]


def test_replenishment_numbers_on_a_hand_made_data_set(personas):
    owner = make_user("rep-plan")
    # Referral: 4 prospects 40-170 days old; 1 lost within 30 days, 1 lost later, 1 won, 1 open.
    r1 = aged(owner, days=60, source=Source.REFERRAL)
    close(r1, Status.LOST, (NOW - dt.timedelta(days=50)).date())  # lost after 10 days: not kept
    r2 = aged(owner, days=100, source=Source.REFERRAL)
    close(r2, Status.LOST, (NOW - dt.timedelta(days=40)).date())  # lost after 60 days: kept
    r3 = aged(owner, days=90, source=Source.REFERRAL)
    close(r3, Status.WON, (NOW - dt.timedelta(days=80)).date())  # won: kept
    aged(owner, days=45, source=Source.REFERRAL)  # still open: kept
    # Flyer: 6 prospects, 4 lost within a week, 2 open -> yield 2/6.
    for i in range(6):
        p = aged(owner, days=40 + i, source=Source.FLYER)
        if i < 4:
            close(p, Status.LOST, (NOW - dt.timedelta(days=36 + i)).date())
    # Too young to count (created 10 days ago) and too old (200 days).
    aged(owner, days=10, source=Source.FLYER)
    aged(owner, days=200, source=Source.FLYER)
    set_target(user=owner, min_open=7)  # 4 open now (1 referral, 2 flyer, 1 young) -> short by 3... plus old
    pipeline_check_run(now=NOW)
    alert = PipelineAlert.objects.get(user=owner, rule=Rule.OPEN)
    assert alert.current == 5 and alert.deficit == 2
    plan = alert.replenishment
    assert plan["basis"] == "scope" and plan["history"] == 10 and not plan["insufficient_history"]
    by_source = {s["source"]: s for s in plan["sources"]}
    referral, flyer = by_source["referral"], by_source["flyer"]
    assert (referral["created"], referral["kept"], referral["yield"]) == (4, 3, 0.75)
    assert referral["win_rate"] == 0.3333  # 1 won / (1 won + 2 lost)
    assert referral["leads"] == 3  # ceil(2 / 0.75)
    assert (flyer["created"], flyer["kept"], flyer["win_rate"]) == (6, 2, 0.0)
    assert flyer["leads"] == 6  # ceil(2 / (2/6))
    assert plan["sources"][0]["source"] == "referral"


def test_with_too_little_history_the_plan_says_so_and_uses_company_figures(personas):
    newbie = make_user("newbie")
    other = make_user("veteran")
    for _ in range(10):
        aged(other, days=60, source=Source.EXHIBITION)
    set_target(user=newbie, min_open=2)
    pipeline_check_run(now=NOW)
    plan = PipelineAlert.objects.get(user=newbie).replenishment
    assert plan["insufficient_history"] and plan["basis"] == "company" and plan["history"] == 0
    assert (plan["sources"][0]["source"], plan["sources"][0]["leads"]) == ("exhibition", 2)  # yield 10/10


def test_replenishment_plan_pure_function_rounds_up():
    from targets.plans import SourceStats, SourceTable

    table = SourceTable({"inbound": SourceStats(created=12, kept=5, won=1, lost=3)})
    plan = replenishment_plan(4, table, SourceTable())
    assert plan["sources"][0]["leads"] == 10  # 4 / (5/12) = 9.6 -> 10
    assert plan["sources"][0]["win_rate"] == 0.25


def _scenario(n_reps: int) -> None:
    from accounts.models import Team

    team = Team.objects.create(name=f"Team {n_reps}")
    for i in range(n_reps):
        rep = make_user(f"rep{n_reps}-{i}")
        team.members.add(rep)
        make_prospect(rep, horizon=Horizon.SHORT)
        aged(rep, days=60, source=Source.FLYER)
        set_target(user=rep, min_open=5, min_short=2)
    set_target(team=team, min_open=10 * n_reps)


@pytest.mark.parametrize("n_reps", [5, 50])
def test_the_check_costs_the_same_number_of_queries_for_5_or_50_reps(django_assert_num_queries, n_reps):
    _scenario(n_reps)
    # The day's rollup: its stamp, savepoint, lock, stamp again, two deletes, the insert, release.
    with django_assert_num_queries(8):
        flow_rollup_refresh(NOW)
    # Rollup stamp, per-target figures, open alerts; for the new plans: the team's members and the
    # history rows; savepoint + asynchronous commit + insert + the webhooks' subscriptions to alert
    # events (webhooks.receivers: none here) + release.
    with django_assert_num_queries(10):
        pipeline_check_run(now=NOW)
    assert PipelineAlert.objects.count() == 2 * n_reps + 1
    # Steady state: nothing changed, nothing written, no history read.
    with django_assert_num_queries(3):
        pipeline_check_run(now=NOW + dt.timedelta(minutes=30))


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_runs_create_one_alert():
    owner = make_user("racer")
    make_prospect(owner)
    set_target(user=owner, min_open=3)
    barrier = threading.Barrier(2)
    errors: list[BaseException] = []

    def run() -> None:
        try:
            barrier.wait(5)
            pipeline_check_run(now=NOW)
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
    assert PipelineAlert.objects.filter(user=owner).count() == 1


def test_the_database_refuses_a_second_open_alert_for_the_same_scope_and_rule(personas):
    from django.db import IntegrityError, transaction

    set_target(min_open=5)
    pipeline_check_run(now=NOW)
    company = PipelineAlert.objects.get(scope=Scope.COMPANY)
    company.pk = None
    with pytest.raises(IntegrityError), transaction.atomic():
        company.save()


def test_new_alerts_are_inserted_in_batches(monkeypatch):
    from django.test.utils import CaptureQueriesContext

    import targets.services.check

    monkeypatch.setattr(targets.services.check, "BATCH_SIZE", 3)
    for i in range(7):
        set_target(user=make_user(f"batch{i}"), min_open=1)
    with CaptureQueriesContext(connection) as ctx:
        pipeline_check_run(now=NOW)
    inserts = [
        q["sql"] for q in ctx.captured_queries if q["sql"].startswith('INSERT INTO "targets_pipelinealert"')
    ]
    assert len(inserts) == 3 and all("ON CONFLICT DO NOTHING" in sql for sql in inserts)
    assert PipelineAlert.objects.count() == 7


def _plan_scenario(personas):
    """A rep short by 7 with 10 prospects of history (flyer), so the plan is based on the scope."""
    owner = make_user("replan")
    history = [aged(owner, days=60 + i, source=Source.FLYER) for i in range(10)]
    set_target(user=owner, min_open=17)
    pipeline_check_run(now=NOW)
    return owner, history


def test_a_plan_whose_inputs_did_not_change_is_not_rebuilt(personas):
    owner, _history = _plan_scenario(personas)
    alert = PipelineAlert.objects.get(user=owner)
    assert alert.replenishment["basis"] == "scope" and alert.plan_inputs is not None
    # Mark the stored plan: a check that rebuilt (or compared the JSON and rewrote) it would erase it.
    PipelineAlert.objects.filter(pk=alert.pk).update(plan={"marker": True})
    result = pipeline_check_run(now=NOW + dt.timedelta(minutes=30))
    alert.refresh_from_db()
    assert result.updated == 0 and alert.plan == {"marker": True} and alert.checked_at == NOW


def test_a_plan_is_rebuilt_when_its_inputs_change_though_the_counts_do_not(personas):
    owner, history = _plan_scenario(personas)
    alert = PipelineAlert.objects.get(user=owner)
    PipelineAlert.objects.filter(pk=alert.pk).update(plan={"marker": True})
    # Same open count and deficit; the history moves one prospect from flyer to referral.
    Prospect.objects.filter(pk=history[0].pk).update(source=Source.REFERRAL)
    later = NOW + dt.timedelta(minutes=30)
    # The history is the day's rollup: recomputed here (as the next day's would be).
    result = pipeline_check_run(now=later, refresh_history=True)
    alert.refresh_from_db()
    assert result.updated == 1 and alert.checked_at == later
    assert (alert.current, alert.deficit) == (10, 7)
    by_source = {s["source"]: s["created"] for s in alert.replenishment["sources"]}
    assert by_source == {"flyer": 9, "referral": 1}


def test_a_changed_count_updates_the_alert_and_the_plan_shown_without_rewriting_the_plan(personas):
    owner, _history = _plan_scenario(personas)
    stored = PipelineAlert.objects.get(user=owner).plan
    assert set(stored) == {"basis", "history", "table"}  # what the plan is built from, not the plan
    make_prospect(owner)  # one more open: deficit 7 -> 6
    pipeline_check_run(now=NOW + dt.timedelta(minutes=30))
    alert = PipelineAlert.objects.get(user=owner)
    assert (alert.current, alert.deficit, alert.replenishment["deficit"]) == (11, 6, 6)
    assert alert.replenishment["sources"][0]["leads"] == 6  # yield 1.0, worked out for the new deficit
    assert alert.plan == stored
