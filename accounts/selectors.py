"""What the administrator's user page reads."""

from __future__ import annotations

from django.db.models import Count, Q, QuerySet

from accounts.models import User


def user_admin_rows() -> QuerySet[User]:
    """Every account, active ones first, with its teams and how many open prospects it still owns (a
    deactivated rep's are there to be reassigned). Three queries."""
    return (
        User.objects.annotate(n_open=Count("prospects", filter=Q(prospects__status="open")))
        .prefetch_related("teams", "managed_teams")
        .order_by("-is_active", "last_name", "first_name", "username")
    )
