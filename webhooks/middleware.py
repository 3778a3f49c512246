"""The request's memo of the active webhook subscriptions (webhooks.services.subscriptions_memo)."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from webhooks.services import subscriptions_memo


class SubscriptionsMemoMiddleware:
    """A request that emits several events reads the subscriptions once; the memo ends with it."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        with subscriptions_memo():
            return self.get_response(request)
