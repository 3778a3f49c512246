from __future__ import annotations

from typing import Any

from django.http import Http404

from accounts.models import User
from activities.models import Activity


def access_activity(user: User, pk: Any) -> Activity:
    """The activity (with its prospect, owner and kind) if `user` may see its prospect; 404 otherwise,
    malformed ids too, so ids never leak."""
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        raise Http404 from None
    if not 0 < pk < 2**63:
        raise Http404
    qs = Activity.objects.visible_to(user).select_related("prospect", "prospect__owner", "owner", "kind")
    try:
        return qs.get(pk=pk)
    except Activity.DoesNotExist:
        raise Http404 from None
