from __future__ import annotations

import datetime as dt
from importlib import import_module

from django.utils import timezone

from activities.models import Activity, ActivityKind, ActivityStatus


def kind(code: str = "call") -> ActivityKind:
    """A seeded kind (migration 0002); made again, as that migration seeds it (its test-close trigger
    included), after a transactional test emptied the tables."""
    seeded = {k[0]: k for k in import_module("activities.migrations.0002_seed_kinds").KINDS}
    defaults = {"label_ja": code, "label_en": code}
    if code in seeded:
        _code, ja, en, trigger, position = seeded[code]
        defaults = {"label_ja": ja, "label_en": en, "triggers_test_close": trigger, "position": position}
    found, _created = ActivityKind.objects.get_or_create(code=code, defaults=defaults)
    return found


def at(day: dt.date, hour: int = 10, minute: int = 0) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, minute)))


def make_activity(
    prospect, *, starts_at: dt.datetime, status: str = ActivityStatus.PLANNED, **fields
) -> Activity:
    fields.setdefault("kind", kind(fields.pop("code", "call")))
    if status == ActivityStatus.DONE:
        fields.setdefault("done_at", max(starts_at, timezone.now()))
    return Activity.objects.create(
        prospect=prospect,
        owner=fields.pop("owner", prospect.owner),
        starts_at=starts_at,
        status=status,
        **fields,
    )
