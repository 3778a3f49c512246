"""The API's one way in: `Authorization: Bearer <personal API token>`.

The order of refusals leaks nothing: no or a bad token 401, over the rate limit 429, a read-only token
on a write 403; only then does the view look the object up (404 for anything outside the user's view,
through the same access functions as the screens)."""

from __future__ import annotations

import pghistory
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja.security import HttpBearer

from api.models import ApiToken
from api.problems import ApiProblem
from api.services import RateLimited, token_authenticate

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


class TokenAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> ApiToken | None:
        try:
            found = token_authenticate(token)
        except RateLimited as exc:
            raise ApiProblem(
                429,
                _("This token made too many requests; try again in %(seconds)d s.")
                % {"seconds": exc.retry_after},
                headers={"Retry-After": str(exc.retry_after)},
            ) from None
        if found is None:
            return None
        if request.method not in SAFE_METHODS and not found.can_write:
            raise ApiProblem(403, _("This token is read-only."))
        # The views, the access functions and the history triggers see the token's user.
        request.user = found.user
        if request.method not in SAFE_METHODS:
            pghistory.context(user=found.user.pk, api_token=found.pk)
        return found
