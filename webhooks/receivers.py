"""Where the events come from: one receiver per source, each writing the outbox in the sender's
transaction (webhooks.services.event_emit delivers after the commit).

- prospect.created / updated / won / lost: prospects.signals.prospect_changed, sent by the prospect
  services (prospects.services, closing.services) once per change; a reopening is an update; a
  manager's bulk edit and the hand-over of a leaving rep's open prospects (prospects.bulk) send
  prospects.signals.prospects_updated (one prospect.updated per prospect); an import sends
  prospects_created and prospects_updated for the rows it wrote (one event per prospect, in batches;
  prospect.won / lost for a row it closed).
- alert.opened / resolved: targets.signals.alerts_changed, sent by the pipeline check with the ids it
  opened and resolved; the message id is the alert's, so a duplicated check tells it once.
- inquiry.received: inbound.signals.inquiry_received.
"""

from __future__ import annotations

from typing import Any

from webhooks.models import EventType
from webhooks.payloads import alert_data, prospect_data

PROSPECT_EVENTS = {
    "created": EventType.PROSPECT_CREATED,
    "updated": EventType.PROSPECT_UPDATED,
    "reopened": EventType.PROSPECT_UPDATED,
    "won": EventType.PROSPECT_WON,
    "lost": EventType.PROSPECT_LOST,
}


def on_prospect_changed(*, prospect: Any, change: str, **_kwargs: Any) -> None:
    from webhooks.services import event_emit

    event_emit(PROSPECT_EVENTS[change], prospect_data(prospect))


EMIT_BATCH = 2000


def _prospects_emit(event_type: str, prospect_ids: list[int]) -> None:
    """Many prospects at once: one query when nobody subscribed; else the prospects in one read and one
    batch."""
    from prospects.models import Prospect
    from webhooks.services import events_emit, subscribers

    subscriptions = subscribers(event_type)
    if not subscriptions:
        return
    ids = sorted(prospect_ids)
    for start in range(0, len(ids), EMIT_BATCH):  # an import's 100,000 rows: batches of outbox rows
        batch = ids[start : start + EMIT_BATCH]
        prospects = Prospect.objects.select_related("owner", "company").filter(pk__in=batch).order_by("pk")
        events_emit(event_type, [(prospect_data(p), None) for p in prospects], subscriptions=subscriptions)


def on_prospects_updated(*, prospect_ids: list[int], change: str = "updated", **_kwargs: Any) -> None:
    _prospects_emit(PROSPECT_EVENTS[change], prospect_ids)


def on_prospects_created(*, prospect_ids: list[int], **_kwargs: Any) -> None:
    _prospects_emit(EventType.PROSPECT_CREATED, prospect_ids)


def on_alerts_changed(*, opened: list[int], resolved: list[int], **_kwargs: Any) -> None:
    """One query when nobody subscribed to alert events; else a constant few, whatever the number of
    alerts (the check's cost stays the same for 5 or 50 reps)."""
    from targets.models import PipelineAlert
    from webhooks.models import Subscription
    from webhooks.services import events_emit

    wanted = {EventType.ALERT_OPENED: opened, EventType.ALERT_RESOLVED: resolved}
    subscribed: dict[str, list[int]] = {event: [] for event in wanted}
    for pk, events in Subscription.objects.filter(is_paused=False, events__overlap=list(wanted)).values_list(
        "pk", "events"
    ):
        for event in wanted:
            if event in events:
                subscribed[event].append(pk)
    ids = [pk for event, group in wanted.items() if subscribed[event] for pk in group]
    if not ids:
        return
    alerts = PipelineAlert.objects.select_related("user", "team").in_bulk(ids)
    for event, group in wanted.items():
        items = [
            (alert_data(alerts[pk]), f"msg_{event.value.replace('.', '_')}_{pk}")
            for pk in group
            if pk in alerts
        ]
        events_emit(event, items, subscriptions=subscribed[event])


def on_inquiry_received(*, inquiry: Any, prospect: Any, **_kwargs: Any) -> None:
    from webhooks.services import event_emit

    form = getattr(inquiry, "form", None)
    data = {
        "inquiry": {
            "id": inquiry.pk,
            "form": {"id": form.pk, "name": str(getattr(form, "name", ""))} if form is not None else None,
            "created_at": inquiry.created_at.isoformat() if getattr(inquiry, "created_at", None) else None,
        },
        "prospect": prospect_data(prospect),
    }
    event_emit(EventType.INQUIRY_RECEIVED, data, message_id=f"msg_inquiry_received_{inquiry.pk}")


def connect() -> None:
    from django.db.models.signals import post_delete, post_save

    from inbound.signals import inquiry_received
    from prospects.signals import prospect_changed, prospects_created, prospects_updated
    from targets.signals import alerts_changed
    from webhooks.models import Subscription
    from webhooks.services import subscriptions_changed

    prospect_changed.connect(on_prospect_changed, dispatch_uid="webhooks.prospect_changed")
    prospects_updated.connect(on_prospects_updated, dispatch_uid="webhooks.prospects_updated")
    prospects_created.connect(on_prospects_created, dispatch_uid="webhooks.prospects_created")
    alerts_changed.connect(on_alerts_changed, dispatch_uid="webhooks.alerts_changed")
    inquiry_received.connect(on_inquiry_received, dispatch_uid="webhooks.inquiry_received")
    # A request's memo of the active subscriptions (webhooks.services.subscribers) follows its changes.
    post_save.connect(subscriptions_changed, sender=Subscription, dispatch_uid="webhooks.subscription_saved")
    post_delete.connect(
        subscriptions_changed, sender=Subscription, dispatch_uid="webhooks.subscription_deleted"
    )
