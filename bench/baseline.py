"""The baseline page: the cheapest useful page this machine can serve through the same middleware.

One indexed query for 50 of one rep's prospects, read in the order of the prospect_list_filters index
(owner, status, horizon, source), rendered with a small Django template. (It used to ask for the rep's
newest 50 by id: once the owner's own index was dropped, PostgreSQL answered that by walking the primary
key backwards past 10,000 other rows, 2.5-3 ms, which flattered every ratio; tests/bench pins that the
baseline's query is read from an index in order.) Every page's time is reported as a ratio to this one, measured in the same run, so the
figures survive the run-to-run drift of a shared 2-core machine.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from prospects.models import Prospect

ROWS = 50
BASELINE_ORDER = ("status", "horizon", "source")  # the index prospect_list_filters after its owner


@login_required
def baseline(request: HttpRequest) -> HttpResponse:
    owner_id = request.GET.get("owner") or request.user.pk
    rows = list(
        Prospect.objects.filter(owner_id=owner_id)
        .order_by(*BASELINE_ORDER)
        .values("id", "name", "horizon", "probability", "amount", "expected_month")[:ROWS]
    )
    return render(request, "bench/baseline.html", {"rows": rows})


@login_required
def frame(request: HttpRequest) -> HttpResponse:
    """The frame every signed-in page pays on top of the baseline: base.html (navigation, bell, search,
    language switch, user menu) and the context processors, with an empty content block and no query of
    its own. Its ratio to the baseline is the part of every page's ratio that no view can win back."""
    return render(request, "bench/frame.html")
