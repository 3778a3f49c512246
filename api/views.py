"""The user's own API tokens: create (shown once), list, revoke."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from api import services
from api.forms import TokenForm
from api.models import ApiToken
from salescrm.lib.params import parse_id

NEW_TOKEN_SESSION_KEY = "api_new_token"


@login_required
@require_http_methods(["GET", "POST"])
def token_list(request: HttpRequest) -> HttpResponse:
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        _token, text = services.token_create(user=request.user, **form.cleaned_data)
        # Shown once, on the page the redirect leads to; only its hash is kept.
        request.session[NEW_TOKEN_SESSION_KEY] = text
        return redirect("api:tokens")
    context = {
        "form": form,
        "tokens": services.user_tokens(request.user),
        "new_token": request.session.pop(NEW_TOKEN_SESSION_KEY, None) if request.method == "GET" else None,
    }
    return render(request, "api/tokens.html", context)


@login_required
@require_POST
def token_revoke_view(request: HttpRequest, pk: int) -> HttpResponse:
    token = ApiToken.objects.filter(user=request.user, pk=parse_id(pk)).first()
    if token is None:
        raise Http404
    services.token_revoke(token=token)
    messages.success(
        request, _("The token “%(name)s” was revoked; it no longer works.") % {"name": token.name}
    )
    return redirect("api:tokens")
