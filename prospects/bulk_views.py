"""The prospect list's bulk action (managers and admins): the ticked rows, one action, one redirect back
to the list with what changed and what someone else had changed first."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from accounts.access import manager_required
from prospects import bulk
from prospects.bulk_forms import BulkAction


def _back(request: HttpRequest) -> HttpResponse:
    """To the list as the user left it (its filters and page): the query is parsed and written again,
    so whatever was posted stays a query string of the list."""
    query = QueryDict(request.POST.get("back", "")).urlencode()
    url = reverse("prospects:list")
    return redirect(f"{url}?{query}" if query else url)


@manager_required
@require_POST
def prospect_bulk(request: HttpRequest) -> HttpResponse:
    form = BulkAction(request.POST, user=request.user)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return _back(request)
    data, by = form.cleaned_data, request.user
    seen = data["seen"]
    if data["action"] == "owner":
        result = bulk.prospects_bulk_reassign(seen=seen, owner=data["owner"], by=by)
    elif data["action"] == "horizon":
        result = bulk.prospects_bulk_set_horizon(seen=seen, horizon=data["horizon"], by=by)
    else:
        result = bulk.prospects_bulk_set_expected_month(seen=seen, month=data["expected_month"], by=by)
    n = len(result.changed)
    messages.success(
        request, ngettext("%(n)s prospect was changed.", "%(n)s prospects were changed.", n) % {"n": n}
    )
    if result.conflicts:
        names = "、".join(p.name for p in result.conflicts)
        messages.warning(
            request,
            ngettext(
                "%(n)s prospect was changed by someone else after the list was shown (or closed) and was "
                "left as it is: %(names)s. Check it and try again.",
                "%(n)s prospects were changed by someone else after the list was shown (or closed) and "
                "were left as they are: %(names)s. Check them and try again.",
                len(result.conflicts),
            )
            % {"n": len(result.conflicts), "names": names},
        )
    if result.missing:
        messages.warning(request, _("Some ticked rows are no longer in your view and were left out."))
    return _back(request)
