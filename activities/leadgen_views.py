"""Lead-generation activity pages: the list, the compact phone form, one activity with the prospects
it brought (and "add a prospect from it"), and the yields. Thin: the form checks, leadgen saves,
yields reads."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from accounts.access import team_member_ids, visible_teams, visible_users
from activities import yields
from activities.leadgen import LeadActivityForm, access_lead_activity, lead_activity_create
from activities.models import LeadActivity, LeadKind
from prospects.models import Prospect

PAGE_SIZE = 25


@login_required
@require_GET
def lead_activity_list(request: HttpRequest) -> HttpResponse:
    kind = request.GET.get("kind", "")
    rows = LeadActivity.objects.visible_to(request.user).select_related("owner")
    if kind in LeadKind.values:
        rows = rows.filter(kind=kind)
    page = Paginator(rows.order_by("-on", "-id"), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "activities/leadgen_list.html",
        # The detail links from one reverse per page, not one per row.
        {
            "page": page,
            "kind": kind,
            "kinds": LeadKind.choices,
            "detail_base": reverse("activities:lead_list"),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def lead_activity_create_view(request: HttpRequest) -> HttpResponse:
    initial = {"on": timezone.localdate(), "kind": request.GET.get("kind") or LeadKind.FLYER}
    form = LeadActivityForm(request.POST or None, user=request.user, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            activity = lead_activity_create(by=request.user, **form.values())
        except ValidationError as exc:
            form.add_error(None, exc.messages)
        else:
            messages.success(request, _("The lead activity was saved."))
            return redirect("activities:lead_detail", pk=activity.pk)
    status = 422 if form.is_bound else 200
    return render(request, "activities/leadgen_form.html", {"form": form}, status=status)


@login_required
@require_GET
def lead_activity_detail(request: HttpRequest, pk: int) -> HttpResponse:
    activity = access_lead_activity(request.user, pk)
    prospects = (
        Prospect.objects.visible_to(request.user)
        .filter(lead_activity=activity)
        .select_related("owner")
        .order_by("-created_at", "-id")
    )
    return render(
        request, "activities/leadgen_detail.html", {"activity": activity, "prospects": list(prospects[:200])}
    )


@login_required
@require_GET
def lead_yields(request: HttpRequest) -> HttpResponse:
    """Yields of the trailing 90 days: the user's own (with the fallback rule), each visible rep's,
    each visible team's and the company's."""
    since, until = yields.window()
    samples = yields.samples_read(since=since, until=until)
    members = team_member_ids()
    user = request.user
    # One row list (reps, then teams, then the company) so the template loops once, no include per row.
    rows = [
        {
            "name": u.display_name,
            "css": "",
            "yields": yields.yields_for_user(user=u, samples=samples, members=members),
        }
        for u in visible_users(user).filter(is_active=True).order_by("username")
    ]
    rows += [
        {
            "name": t.name,
            "css": "team",
            "yields": yields.yields_for_team(team_id=t.pk, samples=samples, members=members),
        }
        for t in visible_teams(user).order_by("name")
    ]
    rows.append(
        {"name": _("Whole company"), "css": "company", "yields": yields.yields_for_company(samples=samples)}
    )
    context = {
        "since": since,
        "until": until,
        "rows": rows,
        "min_units": [(str(LeadKind(k).label), n) for k, n in yields.MIN_UNITS.items()],
        "kinds": LeadKind.choices,
    }
    return render(request, "activities/leadgen_yields.html", context)
