"""The trigger-kept open counts (prospects.OpenCount): every way prospects are written keeps them
equal to a real count, compaction and reconciliation keep the sums, and two saves of one rep's
prospects never wait for each other on them."""

from __future__ import annotations

import datetime as dt
import logging
import threading
from decimal import Decimal

import pytest
from django.db import connection, connections, transaction
from django.db.models import Count
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from closing.services import outcome_record_lost, outcome_record_won
from prospects import counts
from prospects.models import Horizon, OpenCount, Prospect, Source, Status
from salescrm.lib.bulk import copy_insert
from tests.conftest import make_prospect, make_user

pytestmark = pytest.mark.django_db


def real_counts() -> dict[int, tuple[int, int, int, int]]:
    """What counts_by_owner must say, counted from the prospects themselves."""
    result: dict[int, list[int]] = {}
    rows = Prospect.objects.filter(status=Status.OPEN).values("owner_id", "horizon").annotate(n=Count("id"))
    for row in rows.order_by():
        figures = result.setdefault(row["owner_id"], [0, 0, 0, 0])
        figures[0] += row["n"]
        figures[1 + [Horizon.SHORT, Horizon.MID, Horizon.LONG].index(row["horizon"])] += row["n"]
    return {owner: tuple(figures) for owner, figures in result.items()}


def real_sums(owner_ids=None) -> dict[str, counts.PipelineSums]:
    """What pipeline_sums must say, summed from the prospects themselves."""
    qs = Prospect.objects.filter(status=Status.OPEN)
    if owner_ids is not None:
        qs = qs.filter(owner_id__in=owner_ids)
    result = {}
    for horizon in Horizon.values:
        rows = [(p.amount, p.probability) for p in qs.filter(horizon=horizon)]
        if rows:
            result[horizon] = counts.PipelineSums(
                len(rows), sum(a for a, _ in rows), sum(a * p for a, p in rows) / 100
            )
    return result


def test_amount_and_probability_edits_keep_the_sums(personas):
    rep, other = personas.owner, personas.teammate  # the owner already has one mid prospect
    a = make_prospect(rep, horizon=Horizon.SHORT, amount=Decimal("1200.50"), probability=30)
    make_prospect(other, horizon=Horizon.SHORT, amount=Decimal("99"), probability=10)
    rows = OpenCount.objects.count()
    Prospect.objects.filter(pk=a.pk).update(amount=Decimal("2000.25"))
    a.refresh_from_db()
    a.probability = 75
    a.save()
    assert OpenCount.objects.count() == rows + 2  # an amount or probability change is a change too

    assert counts.pipeline_sums([rep.pk]) == real_sums([rep.pk])
    assert counts.pipeline_sums([rep.pk])[Horizon.SHORT] == counts.PipelineSums(
        1, Decimal("2000.25"), Decimal("1500.1875")
    )
    assert counts.pipeline_sums() == real_sums()
    counts.compact()
    assert counts.pipeline_sums() == real_sums() and counts.drift() == []


def test_a_new_open_prospect_counts_and_a_closed_one_does_not():
    rep = make_user()
    make_prospect(rep, horizon=Horizon.SHORT)
    make_prospect(rep, horizon=Horizon.LONG)
    make_prospect(rep, horizon=Horizon.LONG, status=Status.WON, closed_on=dt.date(2026, 11, 2), won_amount=1)
    assert counts.counts_by_owner() == {rep.pk: (2, 1, 0, 1)}


def test_a_horizon_move_an_outcome_and_a_reassignment_move_the_count():
    rep, other = make_user(), make_user()
    moved = make_prospect(rep, horizon=Horizon.LONG)
    won = make_prospect(rep, horizon=Horizon.SHORT)
    lost = make_prospect(rep, horizon=Horizon.MID)
    given_away = make_prospect(rep, horizon=Horizon.MID)

    moved.horizon = Horizon.SHORT
    moved.save()
    outcome_record_won(
        prospect=won, by=rep, expected_version=won.version, amount=Decimal(5), closed_on=dt.date(2026, 11, 2)
    )
    outcome_record_lost(
        prospect=lost, by=rep, expected_version=lost.version, closed_on=dt.date(2026, 11, 2), reason="price"
    )
    Prospect.objects.filter(pk=given_away.pk).update(owner=other)

    assert counts.counts_by_owner() == {rep.pk: (1, 1, 0, 0), other.pk: (1, 0, 1, 0)}
    assert counts.counts_by_owner([other.pk]) == {other.pk: (1, 0, 1, 0)}


def test_an_update_that_leaves_what_is_counted_alone_adds_no_row():
    rep = make_user()
    prospect = make_prospect(rep)
    rows = OpenCount.objects.count()
    prospect.notes = "called back"
    prospect.save()
    Prospect.objects.filter(owner=rep).update(notes="call", probability=prospect.probability)
    assert OpenCount.objects.count() == rows


def test_delete_bulk_create_copy_and_raw_sql_are_counted():
    rep = make_user()
    doomed = make_prospect(rep, horizon=Horizon.SHORT)
    Prospect.objects.bulk_create(
        [Prospect(owner=rep, name=f"bulk {i}", source=Source.FLYER, horizon=Horizon.MID) for i in range(3)]
    )
    with transaction.atomic():
        copy_insert(
            Prospect, [Prospect(owner=rep, name=f"copy {i}", source=Source.REFERRAL) for i in range(4)]
        )
    doomed.delete()
    with connection.cursor() as cursor:
        cursor.execute("UPDATE prospects_prospect SET horizon = 'short' WHERE name = 'copy 0'")
    assert counts.counts_by_owner() == {rep.pk: (7, 1, 3, 3)} == real_counts()


def test_truncate_empties_the_counts():
    make_prospect(make_user())
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # TRUNCATE refuses pending foreign key checks
        cursor.execute("TRUNCATE prospects_prospect CASCADE")
    assert not OpenCount.objects.exists()


def test_compaction_keeps_every_sum_in_one_row_per_owner_and_horizon():
    rep, other = make_user(), make_user()
    prospects = [make_prospect(rep, horizon=Horizon.LONG) for _ in range(3)]
    for p in prospects:
        p.horizon = Horizon.SHORT
        p.save()
    gone = make_prospect(other)
    gone.delete()  # other's mid sum is now 0: its rows go
    before = counts.counts_by_owner()

    left = counts.compact()

    assert counts.counts_by_owner() == before == {rep.pk: (3, 3, 0, 0)}
    assert left == OpenCount.objects.count() == 1
    assert list(OpenCount.objects.values_list("owner_id", "horizon", "n")) == [(rep.pk, Horizon.SHORT, 3)]


def test_reconcile_finds_a_drift_logs_it_and_rewrites_the_counts(caplog):
    rep = make_user()
    make_prospect(rep, horizon=Horizon.MID)
    assert counts.reconcile() == 0
    OpenCount.objects.create(owner_id=rep.pk, horizon=Horizon.SHORT, n=4)  # as a restore might leave it
    OpenCount.objects.create(owner_id=rep.pk, horizon=Horizon.MID, n=0, amount=5)
    assert sorted(counts.drift()) == [
        (rep.pk, Horizon.MID, 1, 1, Decimal(1000000), Decimal(1000005), Decimal(50000000), Decimal(50000000)),
        (rep.pk, Horizon.SHORT, 0, 4, 0, 0, 0, 0),
    ]

    with caplog.at_level(logging.ERROR, logger="prospects.counts"):
        assert counts.reconcile() == 2

    assert "drifted" in caplog.text
    assert counts.counts_by_owner() == {rep.pk: (1, 0, 1, 0)} and counts.pipeline_sums() == real_sums()
    assert counts.drift() == []


def test_rebuild_counts_a_load_made_with_the_triggers_off():
    rep = make_user()
    make_prospect(rep, horizon=Horizon.SHORT)
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("ALTER TABLE prospects_prospect DISABLE TRIGGER USER")
        try:
            make_prospect(rep, horizon=Horizon.LONG)
        finally:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute("ALTER TABLE prospects_prospect ENABLE TRIGGER USER")
    assert counts.counts_by_owner() == {rep.pk: (1, 1, 0, 0)}  # the trigger did not see it

    counts.rebuild()

    assert counts.counts_by_owner() == {rep.pk: (2, 1, 0, 1)} == real_counts()


# One step of a random history: (operation, prospect index, owner index, horizon, status).
step = st.tuples(
    st.sampled_from(["create", "move", "price", "close", "reopen", "reassign", "delete", "compact"]),
    st.integers(0, 9),
    st.integers(0, 2),
    st.sampled_from(Horizon.values),
    st.sampled_from([Status.WON, Status.LOST]),
)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=st.lists(step, max_size=25))
def test_any_sequence_of_writes_keeps_the_counts_equal_to_a_real_count(django_db_blocker, steps):
    with django_db_blocker.unblock(), transaction.atomic():
        owners = [make_user() for _ in range(3)]
        for op, i, o, horizon, status in steps:
            existing = list(Prospect.objects.order_by("pk"))
            target = existing[i % len(existing)] if existing else None
            if op == "create" or target is None:
                make_prospect(owners[o], horizon=horizon)
            elif op == "move":
                Prospect.objects.filter(pk=target.pk).update(horizon=horizon)
            elif op == "price":
                Prospect.objects.filter(pk=target.pk).update(
                    amount=Decimal(1000 + 37 * i), probability=10 * o
                )
            elif op == "close" and target.status == Status.OPEN:
                outcome = {"won_amount": 1} if status == Status.WON else {"lost_reason": "price"}
                Prospect.objects.filter(pk=target.pk).update(
                    status=status, closed_on=dt.date(2026, 11, 2), **outcome
                )
            elif op == "reopen" and target.status != Status.OPEN:
                Prospect.objects.filter(pk=target.pk).update(
                    status=Status.OPEN, closed_on=None, won_amount=None, lost_reason=""
                )
            elif op == "reassign":
                Prospect.objects.filter(owner=target.owner).update(owner=owners[o])
            elif op == "delete":
                target.delete()
            elif op == "compact":
                counts.compact()
        assert counts.counts_by_owner() == real_counts()
        assert counts.pipeline_sums() == real_sums()
        assert counts.drift() == []
        transaction.set_rollback(True)


@pytest.mark.django_db(transaction=True)
def test_two_saves_of_one_reps_prospects_do_not_wait_for_each_other():
    rep = make_user()
    first, second = make_prospect(rep, horizon=Horizon.LONG), make_prospect(rep, horizon=Horizon.LONG)
    first_written, second_done = threading.Event(), threading.Event()
    errors: list[BaseException] = []

    def hold_first() -> None:
        try:
            with transaction.atomic():
                Prospect.objects.filter(pk=first.pk).update(horizon=Horizon.SHORT)
                first_written.set()
                # Stays open until the other save has committed: with one counter row per rep the other
                # would wait here for this transaction (and its lock_timeout would fail it).
                assert second_done.wait(10)
        except BaseException as exc:  # reported to the test below
            errors.append(exc)
        finally:
            connections.close_all()

    thread = threading.Thread(target=hold_first)
    thread.start()
    assert first_written.wait(10)
    with connection.cursor() as cursor:
        cursor.execute("SET lock_timeout = '2s'")
        try:
            with transaction.atomic():
                Prospect.objects.filter(pk=second.pk).update(horizon=Horizon.MID)
        finally:
            cursor.execute("RESET lock_timeout")
    second_done.set()
    thread.join(10)

    assert not errors
    assert counts.counts_by_owner() == {rep.pk: (2, 1, 1, 0)} == real_counts()


def test_the_nightly_upkeep_is_scheduled_mends_a_drift_and_compacts(settings):
    from prospects.tasks import open_count_upkeep

    assert settings.CELERY_BEAT_SCHEDULE["prospects-open-count-upkeep"]["task"] == open_count_upkeep.name
    rep = make_user()
    prospect = make_prospect(rep, horizon=Horizon.LONG)
    prospect.horizon = Horizon.SHORT
    prospect.save()
    OpenCount.objects.create(owner_id=rep.pk, horizon=Horizon.MID, n=-2)

    assert open_count_upkeep.run() == {"drifted": 1, "rows": 1, "lead_counts_drifted": 0}
    assert open_count_upkeep.run() == {"drifted": 0, "rows": 1, "lead_counts_drifted": 0}
    assert list(OpenCount.objects.values_list("owner_id", "horizon", "n")) == [(rep.pk, Horizon.SHORT, 1)]


def test_the_management_command_mends_or_rebuilds():
    from io import StringIO

    from django.core.management import call_command

    rep = make_user()
    make_prospect(rep, horizon=Horizon.LONG)
    OpenCount.objects.create(owner_id=rep.pk, horizon=Horizon.LONG, n=3)
    out = StringIO()
    call_command("open_counts", stdout=out)
    assert out.getvalue().startswith("1 (owner, horizon) pairs differed") and counts.drift() == []
    OpenCount.objects.all().delete()
    call_command("open_counts", "--rebuild", stdout=out)
    assert counts.counts_by_owner() == {rep.pk: (1, 0, 0, 1)} and "rebuilt: 1 rows" in out.getvalue()


def test_the_triggers_are_the_ones_declared_on_the_model_and_no_hand_made_one_is_left():
    from prospects.models import OPEN_COUNT_TRIGGERS

    assert {t.name for t in OPEN_COUNT_TRIGGERS} <= {t.name for t in Prospect._meta.triggers}
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT tgname FROM pg_trigger WHERE tgrelid = %(table)s::regclass AND NOT tgisinternal",
            {"table": Prospect._meta.db_table},
        )
        installed = {name for (name,) in cursor.fetchall()}
        cursor.execute("SELECT proname FROM pg_proc WHERE proname LIKE 'prospects_open_count_%%'")
        assert cursor.fetchall() == []
    assert {t.get_pgid(Prospect) for t in OPEN_COUNT_TRIGGERS} <= installed
    assert not installed & {t.name for t in OPEN_COUNT_TRIGGERS}  # the names 0010 gave them
