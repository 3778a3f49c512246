"""Each prospect's "next action" (text and date) becomes a planned activity of kind "other" with the text
as its subject, every character kept. A next action without a date is planned on the day it was last
written (the prospect's updated_at), so it shows as due. Idempotent: a prospect that already has a
planned activity with the same subject and day is skipped, so a later migration can run it again
right before it drops the fields."""

import datetime as dt
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import migrations


def copy_next_actions(apps, schema_editor):
    Prospect = apps.get_model("prospects", "Prospect")
    Activity = apps.get_model("activities", "Activity")
    ActivityKind = apps.get_model("activities", "ActivityKind")
    kind = ActivityKind.objects.get(code="other")
    zone = ZoneInfo(settings.TIME_ZONE)
    existing = {
        (a["prospect_id"], a["subject"], a["starts_at"].astimezone(zone).date())
        for a in Activity.objects.filter(status="planned").values("prospect_id", "subject", "starts_at")
    }
    rows = (
        Prospect.objects.exclude(next_action="", next_action_on__isnull=True)
        .values_list("pk", "owner_id", "next_action", "next_action_on", "updated_at")
        .order_by("pk")
    )
    batch = []
    for pk, owner_id, text, day, updated_at in rows.iterator(chunk_size=5000):
        day = day or updated_at.astimezone(zone).date()
        if (pk, text, day) in existing:
            continue
        batch.append(
            Activity(
                prospect_id=pk,
                owner_id=owner_id,
                kind_id=kind.pk,
                subject=text,
                starts_at=dt.datetime.combine(day, dt.time(), tzinfo=zone),
                all_day=True,
                status="planned",
            )
        )
        if len(batch) >= 5000:
            Activity.objects.bulk_create(batch)
            batch = []
    Activity.objects.bulk_create(batch)


class Migration(migrations.Migration):
    dependencies = [
        ("activities", "0002_seed_kinds"),
        ("prospects", "0017_date_bounds_and_open_count_horizon"),
    ]

    operations = [migrations.RunPython(copy_next_actions, migrations.RunPython.noop)]
