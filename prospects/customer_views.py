"""The prospect form's offers, redrawn as the rep types a company or contact name (htmx, debounced)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from prospects.customer import CustomerOfferForm


def _offer(request: HttpRequest, template: str) -> HttpResponse:
    form = CustomerOfferForm(request.GET, user=request.user)
    form.is_valid()  # an odd value (a NUL, a long text) is a form error: 422, the offer left as it was
    return render(request, template, {"form": form})


@login_required
@require_GET
def company_offer(request: HttpRequest) -> HttpResponse:
    """The companies the typed name most likely is, and the search box's matches, to attach to."""
    return _offer(request, "prospects/_company_offer.html")


@login_required
@require_GET
def contact_offer(request: HttpRequest) -> HttpResponse:
    """The contacts the typed person most likely is (at the company picked), and the search's matches."""
    return _offer(request, "prospects/_contact_offer.html")
