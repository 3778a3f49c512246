import time

from django.conf import settings
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse


class SessionTimeoutMiddleware:
    """Idle timeout on top of the absolute one (SESSION_COOKIE_AGE, set at login and never extended)."""

    KEY = "last_seen"

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated:
            now = int(time.time())
            last_seen = request.session.get(self.KEY, now)
            if now - last_seen > settings.SESSION_IDLE_TIMEOUT_SECONDS:
                logout(request)
            elif now - last_seen > 60:
                # Write at most once a minute: a session save per request is a write per page.
                request.session[self.KEY] = now
            elif self.KEY not in request.session:
                request.session[self.KEY] = now
        return self.get_response(request)
