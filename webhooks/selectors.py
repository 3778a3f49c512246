from __future__ import annotations

from django.db.models import Count, OuterRef, Q, QuerySet, Subquery

from webhooks.models import Attempt, Delivery, DeliveryState, Subscription


def subscriptions_with_counts() -> QuerySet[Subscription]:
    return Subscription.objects.select_related("created_by").annotate(
        pending=Count("deliveries", filter=Q(deliveries__state=DeliveryState.PENDING)),
        failed=Count("deliveries", filter=Q(deliveries__state=DeliveryState.FAILED)),
    )


def delivery_log(subscription: Subscription) -> QuerySet[Delivery]:
    """The subscription's deliveries, newest first, each with its last attempt's figures."""
    last = Attempt.objects.filter(delivery=OuterRef("pk")).order_by("-number")
    return (
        Delivery.objects.filter(subscription=subscription)
        .defer("payload")
        .annotate(
            last_status=Subquery(last.values("status_code")[:1]),
            last_at=Subquery(last.values("started_at")[:1]),
            last_duration=Subquery(last.values("duration_ms")[:1]),
            last_error=Subquery(last.values("error")[:1]),
            last_excerpt=Subquery(last.values("response_excerpt")[:1]),
        )
        .order_by("-created_at", "-id")
    )
