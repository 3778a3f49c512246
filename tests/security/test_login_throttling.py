"""Login throttling (django-axes): the lockout is keyed on username + IP, so one bad typist never locks
out a shared office IP, and an attacker at one IP never locks a user out everywhere."""

from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tests.conftest import make_user

pytestmark = pytest.mark.django_db

IP_A = "203.0.113.10"
IP_B = "198.51.100.20"


def post_login(username: str, password: str, ip: str, client: Client | None = None):
    client = client or Client()
    return client.post(reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=ip)


def is_logged_in(response) -> bool:
    return response.status_code == 302 and response["Location"] == reverse(settings.LOGIN_REDIRECT_URL)


@pytest.fixture
def users(db):
    return make_user("xuser"), make_user("yuser")


def fail_until_locked(username: str, ip: str) -> None:
    for _ in range(settings.AXES_FAILURE_LIMIT):
        post_login(username, "wrong password", ip)


def assert_locked_out(response) -> None:
    assert response.status_code == 429
    assert "registration/locked_out.html" in [t.name for t in response.templates]


def test_the_failure_limit_is_five_within_fifteen_minutes():
    assert settings.AXES_FAILURE_LIMIT == 5
    assert timedelta(minutes=15) == settings.AXES_COOLOFF_TIME
    assert settings.AXES_LOCKOUT_PARAMETERS == [["username", "ip_address"]]


def test_four_failures_do_not_lock_the_user_out(users):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert post_login("xuser", "wrong", IP_A).status_code == 422  # a form error
    assert is_logged_in(post_login("xuser", "pw-xuser", IP_A))


def test_five_failures_lock_the_user_at_that_ip_even_with_the_right_password(users):
    fail_until_locked("xuser", IP_A)
    response = post_login("xuser", "pw-xuser", IP_A)
    assert_locked_out(response)
    assert "_auth_user_id" not in response.wsgi_request.session


def test_another_user_at_the_same_ip_still_logs_in(users):
    fail_until_locked("xuser", IP_A)
    assert is_logged_in(post_login("yuser", "pw-yuser", IP_A))


def test_the_same_user_at_another_ip_still_logs_in(users):
    fail_until_locked("xuser", IP_A)
    assert is_logged_in(post_login("xuser", "pw-xuser", IP_B))


def test_the_lockout_ends_after_the_cool_off(users):
    fail_until_locked("xuser", IP_A)
    assert_locked_out(post_login("xuser", "pw-xuser", IP_A))
    past = timezone.now() - settings.AXES_COOLOFF_TIME - timedelta(seconds=1)
    AccessAttempt.objects.filter(username="xuser").update(attempt_time=past)
    assert is_logged_in(post_login("xuser", "pw-xuser", IP_A))


def test_the_lockout_still_holds_just_before_the_cool_off_ends(users):
    fail_until_locked("xuser", IP_A)
    almost = timezone.now() - settings.AXES_COOLOFF_TIME + timedelta(seconds=30)
    AccessAttempt.objects.filter(username="xuser").update(attempt_time=almost)
    assert_locked_out(post_login("xuser", "pw-xuser", IP_A))


def test_the_lockout_page_is_translated_and_says_why(users):
    fail_until_locked("xuser", IP_A)
    response = post_login("xuser", "pw-xuser", IP_A)
    body = response.content.decode()
    assert "ログイン" in body, body[body.find("<main") :][:600]


def test_the_admin_login_is_throttled_the_same_way(db):
    make_user("staffer", is_staff=True)
    for _ in range(settings.AXES_FAILURE_LIMIT):
        Client().post(reverse("admin:login"), {"username": "staffer", "password": "wrong"}, REMOTE_ADDR=IP_A)
    response = Client().post(
        reverse("admin:login"), {"username": "staffer", "password": "pw-staffer"}, REMOTE_ADDR=IP_A
    )
    assert response.status_code == 429
