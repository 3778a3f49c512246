"""Before prospects 0022 drops the prospect's "next action" text and date: every value still in them
that never was an activity becomes a planned activity, as migration 0003 did (kind "other", the text
as its subject with every character, all day; no date: the day the prospect was last written).

Migration 0003 copied every next action once; since then the prospect form, the import and the
re-contact job planned or edited the activity along with the field. So a value is skipped when the
prospect has, or ever had, an activity of that subject and day: one in the activities table (planned,
done or cancelled), or one in the activities' own history (ActivityEvent), which holds a plan the rep
edited, moved or deleted since. A plan deleted on purpose is not brought back, and nothing is copied
twice. What is left is a value written past the activities (the Django admin, a script).

Then the new rule is applied to the data: a won or lost deal has no planned step, so planned
activities of closed prospects are cancelled (closing.services does it from now on; reopening a deal
plans them again)."""

import datetime as dt
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import migrations
from django.db.models import F, Q


def carry_remaining(apps, schema_editor):
    Prospect = apps.get_model("prospects", "Prospect")
    Activity = apps.get_model("activities", "Activity")
    ActivityEvent = apps.get_model("activities", "ActivityEvent")
    ActivityKind = apps.get_model("activities", "ActivityKind")
    zone = ZoneInfo(settings.TIME_ZONE)
    rows = list(
        Prospect.objects.exclude(next_action="", next_action_on__isnull=True)
        .values_list("pk", "owner_id", "next_action", "next_action_on", "updated_at")
        .order_by("pk")
    )
    chunk = 5000
    for start in range(0, len(rows), chunk):
        part = rows[start : start + chunk]
        ids = [r[0] for r in part]
        seen = set()
        for source in (Activity.objects, ActivityEvent.objects):
            for prospect_id, subject, starts_at in source.filter(prospect_id__in=ids).values_list(
                "prospect_id", "subject", "starts_at"
            ):
                seen.add((prospect_id, subject, starts_at.astimezone(zone).date()))
        new = []
        for pk, owner_id, text, day, updated_at in part:
            day = day or updated_at.astimezone(zone).date()
            if (pk, text, day) in seen:
                continue
            seen.add((pk, text, day))
            new.append((pk, owner_id, text, day))
        if not new:
            continue
        kind, _created = ActivityKind.objects.get_or_create(
            code="other", defaults={"label_ja": "その他", "label_en": "Other", "position": 90}
        )
        Activity.objects.bulk_create(
            [
                Activity(
                    prospect_id=pk,
                    owner_id=owner_id,
                    kind_id=kind.pk,
                    subject=text,
                    starts_at=dt.datetime.combine(day, dt.time(), tzinfo=zone),
                    all_day=True,
                    status="planned",
                )
                for pk, owner_id, text, day in new
            ],
            batch_size=1000,
        )


def cancel_planned_of_closed(apps, schema_editor):
    Activity = apps.get_model("activities", "Activity")
    Activity.objects.filter(status="planned", prospect__status__in=["won", "lost"]).update(
        status="cancelled", version=F("version") + 1
    )


def uncancel(apps, schema_editor):
    """Backwards: 0007's constraint knows no "cancelled"; those activities are planned again."""
    Activity = apps.get_model("activities", "Activity")
    Activity.objects.filter(Q(status="cancelled")).update(status="planned", version=F("version") + 1)


class Migration(migrations.Migration):
    dependencies = [
        ("activities", "0007_activity_cancelled_status"),
        ("prospects", "0021_prospect_prospect_lead_activity_source"),
    ]

    operations = [
        migrations.RunPython(carry_remaining, migrations.RunPython.noop),
        migrations.RunPython(cancel_planned_of_closed, uncancel),
    ]
