"""The lead activities' kept lead counts (LeadActivity.lead_count): every way prospects are written keeps
each equal to a real count of its leads (prospects.models.LEAD_RULE: a revival is never a lead), an
edit of the activity never writes back a stale count, the nightly repair finds and mends a drift, and
the rule is stated once."""

from __future__ import annotations

import ast
import datetime as dt
import logging
import threading

import pytest
from django.db import connection, connections, transaction
from django.db.models import Count

from activities.models import LeadActivity, LeadKind
from prospects import counts
from prospects.models import Prospect, Source
from salescrm.lib.bulk import copy_insert
from tests.architecture._source import app_modules
from tests.conftest import make_prospect, make_user

pytestmark = pytest.mark.django_db

ON = dt.date(2026, 11, 10)


def activity(owner, **fields) -> LeadActivity:
    return LeadActivity.objects.create(owner=owner, kind=LeadKind.FLYER, on=ON, flyers=100, **fields)


def kept() -> dict[int, int]:
    return dict(LeadActivity.objects.values_list("pk", "lead_count"))


def real() -> dict[int, int]:
    """What every lead count must be, counted from the prospects with the ORM (not the rule's SQL)."""
    found = dict.fromkeys(LeadActivity.objects.values_list("pk", flat=True), 0)
    rows = (
        Prospect.objects.filter(lead_activity__isnull=False)
        .exclude(source=Source.REVIVAL)
        .values("lead_activity")
        .annotate(n=Count("id"))
        .values_list("lead_activity", "n")
    )
    found.update(rows.order_by())
    return found


def test_a_linked_prospect_counts_and_a_revival_or_an_unlinked_one_does_not():
    rep = make_user()
    drop = activity(rep)
    make_prospect(rep, source=Source.FLYER, lead_activity=drop)
    make_prospect(rep, source=Source.FLYER, lead_activity=drop)
    make_prospect(rep, source=Source.REVIVAL, lead_activity=drop)
    make_prospect(rep, source=Source.FLYER)
    assert kept() == {drop.pk: 2} == real()
    assert drop.events.count() == 1  # its creation: a count kept by the triggers is no edit in its history


def test_moving_a_lead_and_making_it_a_revival_or_not_move_the_counts():
    rep = make_user()
    first, second = activity(rep), activity(rep)
    lead = make_prospect(rep, source=Source.FLYER, lead_activity=first)
    make_prospect(rep, source=Source.FLYER, lead_activity=first)

    lead.lead_activity = second
    lead.save()
    assert kept() == {first.pk: 1, second.pk: 1} == real()
    Prospect.objects.filter(pk=lead.pk).update(source=Source.REVIVAL)
    assert kept() == {first.pk: 1, second.pk: 0} == real()
    Prospect.objects.filter(pk=lead.pk).update(source=Source.FLYER, lead_activity=first)
    assert kept() == {first.pk: 2, second.pk: 0} == real()
    Prospect.objects.filter(lead_activity=first).update(lead_activity=None)
    assert kept() == {first.pk: 0, second.pk: 0} == real()


def test_an_edit_that_leaves_the_leads_alone_changes_no_count():
    rep = make_user()
    drop = activity(rep)
    lead = make_prospect(rep, source=Source.FLYER, lead_activity=drop)
    lead.notes = "called back"
    lead.save()
    assert kept() == {drop.pk: 1}


def test_delete_bulk_create_copy_and_raw_sql_are_counted():
    rep = make_user()
    drop, fair = activity(rep), activity(rep)
    doomed = make_prospect(rep, source=Source.FLYER, lead_activity=drop)
    Prospect.objects.bulk_create(
        [Prospect(owner=rep, name=f"bulk {i}", source=Source.FLYER, lead_activity=drop) for i in range(3)]
    )
    with transaction.atomic():  # COPY, as the imports write prospects
        copy_insert(
            Prospect,
            [
                Prospect(owner=rep, name=f"copy {i}", source=Source.EXHIBITION, lead_activity=fair)
                for i in range(4)
            ],
        )
    doomed.delete()
    with connection.cursor() as cursor:
        cursor.execute("UPDATE prospects_prospect SET source = 'revival' WHERE name = 'copy 0'")
    assert kept() == {drop.pk: 3, fair.pk: 3} == real()


def test_deleting_the_activity_unlinks_its_leads():
    rep = make_user()
    drop, other = activity(rep), activity(rep)
    make_prospect(rep, source=Source.FLYER, lead_activity=drop)
    make_prospect(rep, source=Source.FLYER, lead_activity=other)
    drop.delete()
    assert kept() == {other.pk: 1} == real()


def test_truncate_zeroes_the_counts():
    rep = make_user()
    drop = activity(rep)
    make_prospect(rep, source=Source.FLYER, lead_activity=drop)
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # TRUNCATE refuses pending foreign key checks
        cursor.execute("TRUNCATE prospects_prospect CASCADE")
    assert kept() == {drop.pk: 0}


def test_a_prospect_written_before_its_activity_in_one_transaction_is_counted():
    rep = make_user()
    with connection.cursor() as cursor:  # the activity's id taken first, as a bulk writer might
        cursor.execute("SELECT nextval(pg_get_serial_sequence('activities_leadactivity', 'id'))")
        (pk,) = cursor.fetchone()
    make_prospect(rep, source=Source.FLYER, lead_activity_id=pk)  # the foreign key is checked at commit
    make_prospect(rep, source=Source.REVIVAL, lead_activity_id=pk)
    activity(rep, pk=pk)
    assert kept() == {pk: 1} == real()


def test_an_edit_of_the_activity_does_not_write_back_the_count_it_read():
    rep = make_user()
    drop = activity(rep)
    stale = LeadActivity.objects.get(pk=drop.pk)
    make_prospect(rep, source=Source.FLYER, lead_activity=drop)
    stale.area = "駅前"
    stale.save()
    assert kept() == {drop.pk: 1}
    assert LeadActivity.objects.get(pk=drop.pk).area == "駅前"


def test_the_repair_finds_a_drift_logs_it_and_mends_it(caplog):
    rep = make_user()
    drop, fair = activity(rep), activity(rep)
    make_prospect(rep, source=Source.FLYER, lead_activity=drop)
    assert counts.reconcile_lead_counts() == 0
    LeadActivity.objects.filter(pk=drop.pk).update(lead_count=7)  # as a restore might leave it
    LeadActivity.objects.filter(pk=fair.pk).update(lead_count=-1)
    assert sorted((d["id"], d["kept"], d["real"]) for d in counts.lead_count_drift()) == [
        (drop.pk, 7, 1),
        (fair.pk, -1, 0),
    ]

    with caplog.at_level(logging.ERROR, logger="prospects.counts"):
        assert counts.reconcile_lead_counts() == 2

    assert "lead counts drifted" in caplog.text
    assert kept() == {drop.pk: 1, fair.pk: 0} == real() and counts.lead_count_drift() == []


def test_the_rebuild_counts_a_load_made_with_the_triggers_off():
    rep = make_user()
    drop = activity(rep)
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("ALTER TABLE prospects_prospect DISABLE TRIGGER USER")
        try:
            make_prospect(rep, source=Source.FLYER, lead_activity=drop)
        finally:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute("ALTER TABLE prospects_prospect ENABLE TRIGGER USER")
    assert kept() == {drop.pk: 0}  # the trigger did not see it

    assert counts.rebuild_lead_counts() == 1
    assert kept() == {drop.pk: 1} == real()


def test_the_nightly_upkeep_reports_and_mends_the_lead_counts():
    from prospects.tasks import open_count_upkeep

    rep = make_user()
    drop = activity(rep)
    make_prospect(rep, source=Source.FLYER, lead_activity=drop)
    LeadActivity.objects.filter(pk=drop.pk).update(lead_count=0)

    assert open_count_upkeep.run()["lead_counts_drifted"] == 1
    assert open_count_upkeep.run()["lead_counts_drifted"] == 0
    assert kept() == {drop.pk: 1}


@pytest.mark.django_db(transaction=True)
def test_two_transactions_adding_leads_to_the_same_activities_both_count():
    rep = make_user()
    first, second = activity(rep), activity(rep)
    held, errors = threading.Event(), []
    release = threading.Event()

    def add(order: list[LeadActivity], hold: bool) -> None:
        try:
            with transaction.atomic():
                Prospect.objects.bulk_create(
                    [
                        Prospect(owner=rep, name=f"t {a.pk}", source=Source.FLYER, lead_activity=a)
                        for a in order
                    ]
                )
                if hold:
                    held.set()
                    assert release.wait(10)
        except BaseException as exc:  # reported to the test below
            errors.append(exc)
        finally:
            connections.close_all()

    holder = threading.Thread(target=add, args=([first, second], True))
    holder.start()
    assert held.wait(10)
    # The other order: it waits for the holder's locks on both activities (taken in id order), then adds.
    waiter = threading.Thread(target=add, args=([second, first], False))
    waiter.start()
    waiter.join(0.5)
    assert waiter.is_alive()  # queued behind the holder
    release.set()
    holder.join(10)
    waiter.join(10)

    assert not errors
    assert kept() == {first.pk: 2, second.pk: 2} == real()


def _mentions_revival(node: ast.AST) -> bool:
    """Source.REVIVAL, its code "revival", or it quoted in SQL (not the word in prose)."""
    if isinstance(node, ast.Attribute):
        return node.attr == "REVIVAL"
    return (
        isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and (node.value == "revival" or "'revival'" in node.value)
    )


# Where the apps name the revival source, and why none of them restates "a revival is never a lead".
REVIVAL_NAMED_IN = {
    "prospects/models.py",  # the source itself, and LEAD_RULE: the rule's one statement
    "closing/services.py",  # makes revivals
    "imports/parsing.py",  # reads its labels in an imported file
    "salescrm/management/commands/seed_demo.py",  # never types a demo prospect in as a revival
}


def test_a_revival_is_never_a_lead_is_stated_once():
    named = {m.name for m in app_modules() if any(_mentions_revival(n) for n in ast.walk(m.tree))}
    assert named <= REVIVAL_NAMED_IN, (
        f"{sorted(named - REVIVAL_NAMED_IN)} name the revival source: a count of leads reads"
        " LeadActivity.lead_count (or prospects.models.LEAD_RULE), never a second copy of the rule"
    )
    models = next(m for m in app_modules() if m.name == "prospects/models.py")
    revival_lines = {n.lineno for n in ast.walk(models.tree) if _mentions_revival(n)}
    assert len(revival_lines) == 2, "prospects/models.py names revivals in Source and LEAD_RULE only"
