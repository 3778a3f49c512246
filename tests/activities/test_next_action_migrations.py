"""The "next action" field's data on its way to planned activities: migration 0003 copied every value,
0008 carries what is left right before prospects 0022 drops the field, without a duplicate, without
bringing back a plan the rep deleted, and with every character; planned activities of closed deals
are cancelled. Run on the real migrations: the database is taken back to before them and forward."""

from __future__ import annotations

import datetime as dt
import importlib

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

BEFORE = [
    ("activities", "0007_activity_cancelled_status"),
    ("prospects", "0021_prospect_prospect_lead_activity_source"),
]
TEXT = "見積の再提出 — 社長に直接 ①②③ 🙂 " + "あ" * 150


def _local_day(at: dt.datetime) -> dt.date:
    return timezone.localtime(at).date()


@pytest.mark.django_db(transaction=True)
def test_0003_and_0008_carry_every_next_action_once_and_cancel_the_plans_of_closed_deals(personas):
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    try:
        old = executor.loader.project_state(BEFORE).apps
        Prospect = old.get_model("prospects", "Prospect")
        Activity = old.get_model("activities", "Activity")
        ActivityKind = old.get_model("activities", "ActivityKind")
        other, _created = ActivityKind.objects.get_or_create(code="other", defaults={"label_ja": "その他"})
        owner_id = personas.owner.pk

        def prospect(name: str, **fields):
            return Prospect.objects.create(name=name, owner_id=owner_id, source="inbound", **fields)

        # Copied by 0003 and never touched since: planned once, not twice.
        prospect("copied", next_action="電話", next_action_on=dt.date(2026, 12, 24))
        importlib.import_module("activities.migrations.0003_next_actions_to_planned").copy_next_actions(
            old, None
        )
        # Written after 0003 past the activities (the admin, a script): carried by 0008, every character.
        prospect("late", next_action=TEXT, next_action_on=dt.date(2027, 1, 15))
        undated = prospect("undated", next_action="訪問")
        # Planned once, then deleted by the rep: its history shows it was an activity; not brought back.
        deleted = prospect("deleted", next_action="資料送付", next_action_on=dt.date(2026, 12, 30))
        gone = Activity.objects.create(
            prospect_id=deleted.pk,
            owner_id=owner_id,
            kind_id=other.pk,
            subject="資料送付",
            starts_at=timezone.make_aware(dt.datetime(2026, 12, 30)),
            all_day=True,
        )
        gone.delete()
        # Marked done since (on another day than planned): not planned again.
        done = prospect("done", next_action="見積提出", next_action_on=dt.date(2026, 12, 1))
        # (Its plan made as 0003 made them; 0003 itself run again would bring back "deleted" above.)
        planned = Activity.objects.create(
            prospect_id=done.pk,
            owner_id=owner_id,
            kind_id=other.pk,
            subject="見積提出",
            starts_at=timezone.make_aware(dt.datetime(2026, 12, 1)),
            all_day=True,
        )
        Activity.objects.filter(pk=planned.pk).update(
            status="done",
            starts_at=timezone.make_aware(dt.datetime(2026, 11, 28, 10)),
            done_at=timezone.now(),
        )
        # A won deal with a plan left over (closing cleared the field, not the activity).
        won = prospect("won", status="won", closed_on=dt.date(2026, 11, 30), won_amount=1)
        Activity.objects.create(
            prospect_id=won.pk,
            owner_id=owner_id,
            kind_id=other.pk,
            subject="お礼の電話",
            starts_at=timezone.make_aware(dt.datetime(2026, 12, 2)),
            all_day=True,
        )
        prospect("nothing")
        undated_day = _local_day(Prospect.objects.get(pk=undated.pk).updated_at)
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())

    from activities.models import Activity as Now

    rows = {
        (a.prospect.name, a.subject, _local_day(a.starts_at), a.status)
        for a in Now.objects.select_related("prospect")
    }
    assert rows == {
        ("copied", "電話", dt.date(2026, 12, 24), "planned"),
        ("late", TEXT, dt.date(2027, 1, 15), "planned"),
        ("undated", "訪問", undated_day, "planned"),
        ("done", "見積提出", dt.date(2026, 11, 28), "done"),
        ("won", "お礼の電話", dt.date(2026, 12, 2), "cancelled"),
    }
    carried = Now.objects.get(prospect__name="late")
    assert carried.subject == TEXT and len(carried.subject) == len(TEXT) and carried.all_day
    assert carried.owner_id == owner_id and carried.kind.code == "other"
