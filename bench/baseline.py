"""The baseline page: the cheapest useful page this machine can serve through the same middleware.

One indexed query (the owner/status/horizon index) for 50 of one rep's prospects, rendered with a small
Django template. Every page's time is reported as a ratio to this one, measured in the same run, so the
figures survive the run-to-run drift of a shared 2-core machine.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from prospects.models import Prospect

ROWS = 50


@login_required
def baseline(request: HttpRequest) -> HttpResponse:
    owner_id = request.GET.get("owner") or request.user.pk
    rows = list(
        Prospect.objects.filter(owner_id=owner_id)
        .order_by("-id")
        .values("id", "name", "horizon", "probability", "amount", "expected_month")[:ROWS]
    )
    return render(request, "bench/baseline.html", {"rows": rows})
