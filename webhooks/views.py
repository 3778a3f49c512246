"""Webhook subscriptions: admins only, as the other configuration pages (targets, questions, users)."""

from __future__ import annotations

import json

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.access import admin_required
from salescrm.lib.params import parse_page
from webhooks import services
from webhooks.forms import SubscriptionForm
from webhooks.models import Delivery, Subscription
from webhooks.selectors import delivery_log, subscriptions_with_counts

LOG_PAGE = 50


@admin_required
@require_GET
def subscription_list(request: HttpRequest) -> HttpResponse:
    return render(request, "webhooks/list.html", {"subscriptions": subscriptions_with_counts()})


@admin_required
@require_http_methods(["GET", "POST"])
def subscription_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    subscription = get_object_or_404(Subscription, pk=pk) if pk else None
    form = SubscriptionForm(request.POST or None, instance=subscription)
    if request.method == "POST" and form.is_valid():
        if subscription is None:
            data = form.cleaned_data
            subscription = services.subscription_create(
                by=request.user, url=data["url"], events=data["events"], description=data["description"]
            )
        else:
            form.save()
        messages.success(request, _("The webhook was saved."))
        return redirect("webhooks:detail", pk=subscription.pk)
    status = 422 if request.method == "POST" else 200
    return render(request, "webhooks/form.html", {"form": form, "subscription": subscription}, status=status)


@admin_required
@require_GET
def subscription_detail(request: HttpRequest, pk: int) -> HttpResponse:
    subscription = get_object_or_404(Subscription.objects.select_related("created_by"), pk=pk)
    page = Paginator(delivery_log(subscription), LOG_PAGE).get_page(parse_page(request.GET.get("page")))
    return render(request, "webhooks/detail.html", {"subscription": subscription, "page": page})


@admin_required
@require_POST
def subscription_pause(request: HttpRequest, pk: int) -> HttpResponse:
    subscription = get_object_or_404(Subscription, pk=pk)
    if request.POST.get("paused", "1") == "1":
        services.subscription_pause(subscription=subscription, by=request.user)
        messages.success(request, _("The webhook was paused."))
    else:
        count = services.subscription_resume(subscription=subscription)
        messages.success(
            request, _("The webhook was resumed; %(count)d waiting deliveries go now.") % {"count": count}
        )
    return redirect("webhooks:detail", pk=subscription.pk)


@admin_required
@require_POST
def subscription_secret(request: HttpRequest, pk: int) -> HttpResponse:
    subscription = get_object_or_404(Subscription, pk=pk)
    services.subscription_new_secret(subscription=subscription)
    messages.success(request, _("A new signing secret was made: the receiver needs it from now on."))
    return redirect("webhooks:detail", pk=subscription.pk)


@admin_required
@require_POST
def subscription_delete(request: HttpRequest, pk: int) -> HttpResponse:
    subscription = get_object_or_404(Subscription, pk=pk)
    subscription.delete()
    messages.success(request, _("The webhook was deleted."))
    return redirect("webhooks:list")


@admin_required
@require_GET
def delivery_detail(request: HttpRequest, pk: int) -> HttpResponse:
    delivery = get_object_or_404(Delivery.objects.select_related("subscription"), pk=pk)
    attempts = delivery.attempt_log.order_by("-number")
    payload_json = json.dumps(delivery.payload, ensure_ascii=False, indent=2)
    context = {"delivery": delivery, "attempts": attempts, "payload_json": payload_json}
    return render(request, "webhooks/delivery.html", context)


@admin_required
@require_POST
def delivery_resend(request: HttpRequest, pk: int) -> HttpResponse:
    delivery = get_object_or_404(Delivery, pk=pk)
    services.delivery_resend(delivery=delivery)
    messages.success(request, _("The delivery is sent again."))
    return redirect("webhooks:detail", pk=delivery.subscription_id)
