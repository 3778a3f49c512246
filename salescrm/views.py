from __future__ import annotations

import logging

from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import HttpRequest, HttpResponse, HttpResponsePermanentRedirect, JsonResponse
from django.shortcuts import render
from django.templatetags.static import static
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache

from prospects.models import Horizon

logger = logging.getLogger(__name__)

_PK = 987654321  # a placeholder id for URL patterns reversed once per response


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """A rep: today's and overdue planned activities (their next actions), counts per horizon against targets, alerts.
    A manager (or admin): the team table first, alerts one line each. Constant number of queries."""
    from activities.selectors import due_activities
    from pipeline.selectors import horizon_counts, user_scope
    from reports.selectors import unread_comment_reports
    from salescrm.selectors import HORIZONS, home_team_table

    user = request.user
    today = timezone.localdate()
    is_manager = user.is_manager or user.is_admin_role
    actions = due_activities(user=user, today=today)
    # The detail URL reversed once, not once per row ({% url %} in the loop).
    detail_url = reverse("prospects:detail", args=[_PK]).replace(str(_PK), "{pk}")
    for a in actions:
        a.detail_url = detail_url.format(pk=a.prospect_id)
    counts = horizon_counts(user)
    _bands, target = user_scope(user).bands_and_target()  # one written-out read
    labels = dict(Horizon.choices)
    horizons = [
        (h, labels[h], counts[h], getattr(target, f"min_{h}", None) if target else None) for h in HORIZONS
    ]
    # A manager's own tiles only when they own open prospects or have a target: three zeros under the
    # team table read as the team's figures.
    team = home_team_table(viewer=user, today=today) if is_manager else None
    show_own = not is_manager or any(counts.values()) or target is not None
    context = {
        "actions": actions,
        "horizons": horizons if show_own else [],
        "today": today,
        "team": team,
        "rows": team.rows if team else [],
        "is_manager": is_manager,
        # A manager's comment on one of the user's daily reports that they have not opened yet.
        "daily_comment_reports": unread_comment_reports(user),
    }
    return render(request, "home.html", context)


def favicon(request: HttpRequest) -> HttpResponse:
    """/favicon.ico, asked by browsers and tools on every site whatever the page links: the icon."""
    return HttpResponsePermanentRedirect(static("favicon.svg"))


@never_cache
def health(request: HttpRequest) -> JsonResponse:
    """Database and broker reachable? For compose healthchecks and load balancers."""
    checks: dict[str, str] = {}
    try:
        connection.ensure_connection()
        # A kept connection may have outlived its server: is_usable() asks the server itself.
        checks["database"] = "ok" if connection.is_usable() else "error"
    except Exception as exc:
        logger.warning("health: database check failed: %s", exc)
        checks["database"] = "error"
    checks["broker"] = "ok" if _broker_reachable(timeout=1.0) else "error"
    healthy = all(v == "ok" for v in checks.values())
    return JsonResponse({"status": "ok" if healthy else "error", **checks}, status=200 if healthy else 503)


def _broker_reachable(*, timeout: float) -> bool:
    """Connect to the broker in a helper thread and wait at most `timeout` seconds: against a
    stopped Redis the connection attempt alone takes ~6 s (redis-py retries with backoff), against a
    frozen one it hangs until kombu's connect timeout."""
    from concurrent.futures import ThreadPoolExecutor
    from concurrent.futures import TimeoutError as FutureTimeout

    from salescrm.celery import app

    def check() -> None:
        with app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=0, timeout=timeout)

    executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="health-broker")
    try:
        executor.submit(check).result(timeout=timeout)
    except FutureTimeout:
        logger.warning("health: broker check timed out after %.1fs", timeout)
        return False
    except Exception as exc:
        logger.warning("health: broker check failed: %s", exc)
        return False
    finally:
        executor.shutdown(wait=False)
    return True
