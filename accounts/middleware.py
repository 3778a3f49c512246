"""Session lifetime and the two-factor gate, both cheap: they read the session, never the database
(except once for a session that predates the two-factor flag)."""

from __future__ import annotations

import time

from django.conf import settings
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode
from django_htmx.http import HttpResponseClientRedirect

from accounts import otp
from accounts.access import remember_for_request

LOGIN_AT_KEY = "login_at"
LAST_SEEN_KEY = "last_seen"


class SessionTimeoutMiddleware:
    """Idle timeout (SESSION_IDLE_TIMEOUT_SECONDS) and absolute timeout (SESSION_COOKIE_AGE).

    The absolute limit is enforced here from the login time kept in the session: Django's own expiry
    (SESSION_COOKIE_AGE) is recomputed on every session save, so a session that is written now and then
    (the idle stamp below, a flash message) would otherwise live for ever.
    """

    KEY = LAST_SEEN_KEY

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated:
            session = request.session
            now = int(time.time())
            login_at = session.get(LOGIN_AT_KEY)
            last_seen = session.get(self.KEY, now)
            if login_at is None:
                # A session from before this stamp existed: its age starts counting now.
                session[LOGIN_AT_KEY] = login_at = now
            if now - login_at > settings.SESSION_COOKIE_AGE or (
                now - last_seen > settings.SESSION_IDLE_TIMEOUT_SECONDS
            ):
                logout(request)
            elif now - last_seen > 60 or self.KEY not in session:
                # Write at most once a minute: a session save per request is a write per page.
                session[self.KEY] = now
            if request.user.is_authenticated:
                remember_for_request(request.user)
        response = self.get_response(request)
        # An htmx request of an expired session would swap the login page into a fragment: make the
        # browser go to the login page instead.
        if (
            getattr(request, "htmx", False)
            and response.status_code == 302
            and response.get("Location", "").startswith(reverse(settings.LOGIN_URL))
        ):
            return HttpResponseClientRedirect(response["Location"])
        return response


def stamp_login_time(request: HttpRequest) -> None:
    """Called at login (accounts.signals): the start of the absolute session lifetime."""
    now = int(time.time())
    request.session[LOGIN_AT_KEY] = now
    request.session[LAST_SEEN_KEY] = now


class TwoFactorMiddleware:
    """After a password login, a user with a confirmed TOTP device reaches nothing but the token step
    until `request.user.is_verified()`; with REQUIRE_ADMIN_2FA an admin without a device reaches
    nothing but the setup page. Must come after OTPMiddleware and SessionTimeoutMiddleware."""

    # Views reachable half-logged-in: the two steps themselves, logging out and the language switch.
    ALWAYS_ALLOWED = frozenset({"logout", "set_language", "health", "two_factor_verify", "two_factor_setup"})

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(self, request: HttpRequest, view_func, view_args, view_kwargs):
        user = request.user
        if not user.is_authenticated:
            return None
        match = request.resolver_match
        if match and match.url_name in self.ALWAYS_ALLOWED and not match.namespace:
            return None
        step = otp.pending_step(request)
        if step is None:
            return None
        target = reverse(step)
        htmx = getattr(request, "htmx", False)
        if request.method == "GET" and not htmx:
            target += "?" + urlencode({"next": request.get_full_path()})
        if htmx:
            return HttpResponseClientRedirect(target)
        return redirect(target)
