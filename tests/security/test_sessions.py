"""Session lifetime: an idle timeout and an absolute one counted from the login, however active the
user is."""

import time

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse

from accounts.middleware import LAST_SEEN_KEY, LOGIN_AT_KEY
from tests.conftest import make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def client_in(db):
    user = make_user("sessionuser")
    client = Client()
    assert (
        client.post(reverse("login"), {"username": user.username, "password": "pw-sessionuser"}).status_code
        == 302
    )
    return client


def shift(client: Client, **ages: int) -> None:
    """Make the session's stamps `ages` seconds old (login_at=..., last_seen=...)."""
    session = client.session
    now = int(time.time())
    keys = {"login_at": LOGIN_AT_KEY, "last_seen": LAST_SEEN_KEY}
    for name, age in ages.items():
        session[keys[name]] = now - age
    session.save()


def is_in(client: Client) -> bool:
    response = client.get(reverse("home"))
    if response.status_code == 200:
        return True
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
    return False


def test_login_stamps_the_login_time(client_in):
    stamp = client_in.session[LOGIN_AT_KEY]
    assert abs(stamp - time.time()) < 5


def test_the_session_survives_within_both_limits(client_in):
    shift(
        client_in,
        login_at=settings.SESSION_COOKIE_AGE - 60,
        last_seen=settings.SESSION_IDLE_TIMEOUT_SECONDS - 60,
    )
    assert is_in(client_in)


def test_an_idle_session_is_logged_out(client_in):
    shift(client_in, last_seen=settings.SESSION_IDLE_TIMEOUT_SECONDS + 1)
    assert not is_in(client_in)
    # and the session is gone, not merely hidden
    assert "_auth_user_id" not in client_in.session


def test_activity_pushes_the_idle_deadline(client_in):
    shift(client_in, last_seen=settings.SESSION_IDLE_TIMEOUT_SECONDS - 5)
    assert is_in(client_in)
    assert time.time() - client_in.session[LAST_SEEN_KEY] < 5
    assert is_in(client_in)


def test_the_absolute_limit_holds_even_for_an_active_user(client_in):
    shift(client_in, login_at=settings.SESSION_COOKIE_AGE + 1, last_seen=10)
    assert not is_in(client_in)


def test_activity_does_not_extend_the_absolute_limit(client_in):
    age = settings.SESSION_COOKIE_AGE - 120
    shift(client_in, login_at=age, last_seen=settings.SESSION_IDLE_TIMEOUT_SECONDS - 1)
    login_at = client_in.session[LOGIN_AT_KEY]
    assert is_in(client_in)  # this request writes the idle stamp (a session save)
    assert client_in.session[LOGIN_AT_KEY] == login_at
    # Django re-computes the database expiry on every save; our limit does not move with it.
    key = client_in.session.session_key
    assert (
        Session.objects.get(session_key=key).expire_date.timestamp() > login_at + settings.SESSION_COOKIE_AGE
    )
    shift(client_in, login_at=settings.SESSION_COOKIE_AGE + 1)
    assert not is_in(client_in)


def test_a_session_from_before_the_login_stamp_gets_one(client_in):
    session = client_in.session
    del session[LOGIN_AT_KEY]
    session.save()
    assert is_in(client_in)
    assert abs(client_in.session[LOGIN_AT_KEY] - time.time()) < 5


def test_the_defaults_are_twelve_hours_absolute_and_two_hours_idle():
    assert settings.SESSION_COOKIE_AGE == 12 * 3600
    assert settings.SESSION_IDLE_TIMEOUT_SECONDS == 2 * 3600
    assert settings.SESSION_SAVE_EVERY_REQUEST is False
    assert settings.SESSION_ENGINE == "django.contrib.sessions.backends.db"


def test_an_htmx_request_of_an_expired_session_sends_the_browser_to_the_login_page(client_in):
    shift(client_in, last_seen=settings.SESSION_IDLE_TIMEOUT_SECONDS + 1)
    response = client_in.get(reverse("prospects:list"), headers={"HX-Request": "true"})
    assert response["HX-Redirect"].startswith(reverse("login"))


def test_a_plain_request_of_an_expired_session_gets_the_usual_redirect(client_in):
    shift(client_in, last_seen=settings.SESSION_IDLE_TIMEOUT_SECONDS + 1)
    response = client_in.get(reverse("prospects:list"))
    assert response.status_code == 302
    assert "HX-Redirect" not in response


def test_the_security_middleware_runs_in_the_right_order():
    order = settings.MIDDLEWARE.index
    assert order("django.contrib.auth.middleware.AuthenticationMiddleware") < order(
        "django_otp.middleware.OTPMiddleware"
    )
    assert order("django_otp.middleware.OTPMiddleware") < order("accounts.middleware.TwoFactorMiddleware")
    assert order("accounts.middleware.SessionTimeoutMiddleware") < order(
        "accounts.middleware.TwoFactorMiddleware"
    )
    assert order("accounts.middleware.SessionTimeoutMiddleware") < order(
        "django_htmx.middleware.HtmxMiddleware"
    )
