"""Response rules every view follows, set in one place rather than in each view."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse

from salescrm.lib import formrules

# The web inquiry form's public side (inbound.public, inbound.embed): what other sites' visitors reach.
PUBLIC_PATH_PREFIXES = ("/inbound/f/", "/inbound/embed.js")
# The one status of a page or htmx fragment that shows form errors. static/js/app.js swaps it in place.
FORM_ERROR_STATUS = 422
PRIVATE_CACHE_CONTROL = "private, no-store"


def _is_django_admin(request: HttpRequest) -> bool:
    """The Django admin keeps its own statuses: it is Django's UI, not ours."""
    match = getattr(request, "resolver_match", None)
    return match is not None and match.app_name == "admin"


def _shows_form_errors(request: HttpRequest, response: HttpResponse) -> bool:
    """A refused submission (200 or 400 today) or a refused query (400). A GET page whose filters
    fall back to their defaults (200) is an answer, not a refusal."""
    if _is_django_admin(request):
        return False
    return response.status_code == 400 or (response.status_code == 200 and request.method != "GET")


class ResponseRulesMiddleware:
    """- A signed-in user's pages, fragments and exports are never kept by a browser or proxy cache
      (a shared computer's back button, a proxy between offices).
    - A response that shows form errors answers 422, full page or fragment alike (views used to answer
      200, 400 or 422): a form marks the request when it finds errors (salescrm.lib.formrules)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        token = formrules.form_errors_seen.set(False)
        try:
            response = self.get_response(request)
            if formrules.form_errors_seen.get() and _shows_form_errors(request, response):
                response.status_code = FORM_ERROR_STATUS
                response.reason_phrase = "Unprocessable Content"
        finally:
            formrules.form_errors_seen.reset(token)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            response["Cache-Control"] = PRIVATE_CACHE_CONTROL
        return response


class PublicPathsMiddleware:
    """The web inquiry form's public paths answer everyone alike, signed in here or not: the session
    cookie a browser sends along is set aside before SessionMiddleware, so no session is read and no
    user looked up there (and none of what hangs on a user: the idle stamp, OTP). The cookie itself is
    left as it is: no Set-Cookie, the user stays signed in. CSRF is unchanged: the POST is csrf_exempt
    and guarded by inbound.guard. Must come before SessionMiddleware."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path_info.startswith(PUBLIC_PATH_PREFIXES):
            request.COOKIES.pop(settings.SESSION_COOKIE_NAME, None)
        return self.get_response(request)
