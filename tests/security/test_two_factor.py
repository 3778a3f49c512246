"""Optional TOTP two-factor for managers and admins: setup with a QR code, a token step after the
password, and (REQUIRE_ADMIN_2FA) admins sent to the setup before anything else."""

import re
import time

import pytest
from django.test import Client, override_settings
from django.urls import reverse
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import Role
from tests.conftest import make_user

pytestmark = pytest.mark.django_db


def token_for(device: TOTPDevice, *, steps_ahead: int = 0) -> str:
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time() + steps_ahead * device.step
    return f"{totp.token():0{device.digits}d}"


def confirmed_device(user) -> TOTPDevice:
    return TOTPDevice.objects.create(user=user, name="TOTP", confirmed=True)


def password_login(user, next_url: str = "") -> Client:
    client = Client()
    data = {"username": user.username, "password": "pw-" + user.username}
    if next_url:
        data["next"] = next_url
    response = client.post(reverse("login"), data, REMOTE_ADDR="192.0.2.1")
    assert response.status_code == 302
    return client


@pytest.fixture
def manager(db):
    return make_user("boss", Role.MANAGER)


@pytest.fixture
def admin(db):
    return make_user("root", Role.ADMIN)


def test_setup_page_shows_the_otpauth_uri_and_an_inline_svg_qr_code_without_style(manager):
    client = Client()
    client.force_login(manager)
    response = client.get(reverse("two_factor_setup"))
    assert response.status_code == 200
    body = response.content.decode()
    device = TOTPDevice.objects.get(user=manager)
    assert not device.confirmed
    assert "otpauth://totp/" in body and "secret=" in body
    svg = re.search(r"<svg\b.*?</svg>", body, re.S).group(0)
    assert "<path" in svg
    assert "style=" not in body
    assert "<img" not in svg


def test_the_setup_page_keeps_the_same_secret_until_confirmed(manager):
    client = Client()
    client.force_login(manager)
    client.get(reverse("two_factor_setup"))
    client.get(reverse("two_factor_setup"))
    assert TOTPDevice.objects.filter(user=manager).count() == 1


def test_confirming_with_a_wrong_token_keeps_the_device_unconfirmed(manager):
    client = Client()
    client.force_login(manager)
    client.get(reverse("two_factor_setup"))
    device = TOTPDevice.objects.get(user=manager)
    wrong = f"{(int(token_for(device)) + 1) % 1_000_000:06d}"
    response = client.post(reverse("two_factor_setup"), {"token": wrong})
    assert response.status_code == 422
    device.refresh_from_db()
    assert not device.confirmed


def test_confirming_with_the_right_token_turns_two_factor_on(manager):
    client = Client()
    client.force_login(manager)
    client.get(reverse("two_factor_setup"))
    device = TOTPDevice.objects.get(user=manager)
    response = client.post(reverse("two_factor_setup"), {"token": token_for(device)})
    assert response.status_code == 302
    device.refresh_from_db()
    assert device.confirmed
    # The session that set it up counts as verified: the home page opens.
    assert client.get(reverse("home")).status_code == 200


def test_a_rep_cannot_set_up_two_factor(db):
    rep = make_user("rep1")
    client = Client()
    client.force_login(rep)
    assert client.get(reverse("two_factor_setup")).status_code == 403


def test_a_user_with_a_device_must_enter_a_token_after_the_password(manager):
    device = confirmed_device(manager)
    client = password_login(manager, next_url=reverse("prospects:list"))
    for url in (reverse("home"), reverse("prospects:list"), reverse("password_change"), "/admin/"):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("two_factor_verify")), url
    response = client.get(reverse("two_factor_verify"))
    assert response.status_code == 200
    assert response.wsgi_request.user.is_verified() is False
    response = client.post(
        reverse("two_factor_verify"), {"token": token_for(device), "next": reverse("prospects:list")}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("prospects:list")
    response = client.get(reverse("home"))
    assert response.status_code == 200
    assert response.wsgi_request.user.is_verified() is True


def test_a_post_is_also_held_at_the_token_step(manager):
    confirmed_device(manager)
    client = password_login(manager)
    response = client.post(reverse("prospects:create"), {"name": "x"})
    assert response.status_code == 302
    assert response["Location"] == reverse("two_factor_verify")


def test_an_htmx_request_is_sent_to_the_token_step_with_a_client_redirect(manager):
    confirmed_device(manager)
    client = password_login(manager)
    response = client.get(reverse("prospects:list"), headers={"HX-Request": "true"})
    assert response["HX-Redirect"] == reverse("two_factor_verify")


def test_a_wrong_token_does_not_verify(manager):
    device = confirmed_device(manager)
    client = password_login(manager)
    wrong = f"{(int(token_for(device)) + 1) % 1_000_000:06d}"
    response = client.post(reverse("two_factor_verify"), {"token": wrong})
    assert response.status_code == 422
    assert client.get(reverse("home")).status_code == 302


def test_a_token_is_not_accepted_twice(manager):
    device = confirmed_device(manager)
    token = token_for(device)
    first = password_login(manager)
    assert first.post(reverse("two_factor_verify"), {"token": token}).status_code == 302
    second = password_login(manager)
    response = second.post(reverse("two_factor_verify"), {"token": token})
    assert response.status_code == 422


def test_the_token_step_does_not_redirect_off_site(manager):
    device = confirmed_device(manager)
    client = password_login(manager)
    response = client.post(
        reverse("two_factor_verify"), {"token": token_for(device), "next": "https://evil.example/"}
    )
    assert response["Location"] == reverse("home")


def test_logout_is_reachable_before_the_token(manager):
    confirmed_device(manager)
    client = password_login(manager)
    response = client.post(reverse("logout"))
    assert response.status_code == 302
    assert response["Location"] == reverse("login")


def test_users_without_a_device_are_not_asked_for_a_token(manager):
    client = password_login(manager)
    assert client.get(reverse("home")).status_code == 200


@override_settings(REQUIRE_ADMIN_2FA=True)
def test_with_required_two_factor_an_admin_without_device_is_sent_to_setup_first(admin):
    client = password_login(admin)
    for url in (reverse("home"), reverse("prospects:list"), "/admin/"):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("two_factor_setup"))
    assert client.get(reverse("two_factor_setup")).status_code == 200
    device = TOTPDevice.objects.get(user=admin)
    assert client.post(reverse("two_factor_setup"), {"token": token_for(device)}).status_code == 302
    assert client.get(reverse("home")).status_code == 200


@override_settings(REQUIRE_ADMIN_2FA=True)
def test_with_required_two_factor_managers_and_reps_are_not_forced(manager):
    rep = make_user("rep2")
    for user in (manager, rep):
        client = password_login(user)
        assert client.get(reverse("home")).status_code == 200


@override_settings(REQUIRE_ADMIN_2FA=True)
def test_with_required_two_factor_an_admin_cannot_turn_it_off(admin):
    device = confirmed_device(admin)
    client = password_login(admin)
    client.post(reverse("two_factor_verify"), {"token": token_for(device)})
    assert client.post(reverse("two_factor_disable")).status_code == 403
    assert TOTPDevice.objects.filter(user=admin).exists()


def test_a_verified_manager_may_turn_two_factor_off(manager):
    device = confirmed_device(manager)
    client = password_login(manager)
    client.post(reverse("two_factor_verify"), {"token": token_for(device)})
    assert client.post(reverse("two_factor_disable")).status_code == 302
    assert not TOTPDevice.objects.filter(user=manager).exists()
    assert client.get(reverse("home")).status_code == 200


def test_turning_two_factor_off_needs_the_token_step_first(manager):
    confirmed_device(manager)
    client = password_login(manager)
    client.post(reverse("two_factor_disable"))
    assert TOTPDevice.objects.filter(user=manager).exists()


def test_a_device_removed_by_an_admin_does_not_lock_the_user_out(manager):
    confirmed_device(manager)
    client = password_login(manager)
    TOTPDevice.objects.filter(user=manager).delete()
    response = client.get(reverse("two_factor_verify"))
    assert response.status_code == 302
    assert client.get(reverse("home")).status_code == 200


def test_the_gate_adds_no_query_for_users_without_two_factor(manager):
    client = password_login(manager)
    client.get(reverse("home"))
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        client.get(reverse("home"))
    assert not [q for q in queries.captured_queries if "otp_totp" in q["sql"]]


def test_the_token_step_speaks_japanese_by_default_and_english_on_request(manager):
    confirmed_device(manager)
    client = password_login(manager)
    assert "ワンタイムコード" in client.get(reverse("two_factor_verify")).content.decode()
    client.cookies.load({"django_language": "en"})
    english = client.get(reverse("two_factor_verify")).content.decode()
    assert "Enter your one-time code" in english
