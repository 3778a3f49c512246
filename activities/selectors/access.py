from __future__ import annotations

from typing import Any

from django.http import Http404

from accounts.models import User
from activities.models import Activity
from salescrm.lib.params import parse_id


def access_activity(user: User, pk: Any) -> Activity:
    """The activity (with its prospect, owner and kind) if `user` may see its prospect; 404 otherwise,
    malformed ids too, so ids never leak."""
    pk = parse_id(pk)
    qs = Activity.objects.visible_to(user).select_related("prospect", "prospect__owner", "owner", "kind")
    try:
        return qs.get(pk=pk)
    except Activity.DoesNotExist:
        raise Http404 from None
