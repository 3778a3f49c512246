"""Findings of the outside probe (issue 16), one test each: odd input gets a clear refusal, never a 500."""

from __future__ import annotations

import pytest
from axes.models import AccessAttempt
from django.test import Client
from django.urls import reverse
from django.utils import timezone

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("length", [151, 256, 5000])
def test_a_login_with_a_username_too_long_is_a_form_error_before_the_throttle(personas, length):
    client = Client(raise_request_exception=True)
    response = client.post(reverse("login"), {"username": "u" * length, "password": "x"})
    assert response.status_code in (200, 422)
    assert response.context["form"].errors["username"]
    assert not AccessAttempt.objects.exists()


def test_a_login_with_a_username_at_the_limit_is_an_ordinary_failed_attempt(personas):
    response = Client().post(reverse("login"), {"username": "u" * 150, "password": "x"})
    assert response.status_code in (200, 422)
    assert AccessAttempt.objects.get().username == "u" * 150


# --- Headers: one place (salescrm.middleware.ResponseRulesMiddleware).


@pytest.mark.parametrize(
    "url",
    [
        lambda p: reverse("home"),
        lambda p: reverse("prospects:detail", args=[p.prospect.pk]),
        lambda p: reverse("prospects:list") + "?export=csv",
        lambda p: reverse("pipeline:board"),
        lambda p: reverse("targets:bell"),
    ],
    ids=["home", "detail", "export", "board", "bell fragment"],
)
def test_signed_in_pages_and_exports_are_never_cached(personas, client, url):
    client.force_login(personas.owner)
    response = client.get(url(personas))
    assert response.status_code == 200
    assert response["Cache-Control"] == "private, no-store"


def test_production_sends_hsts_on_https_behind_the_proxy(client):
    response = client.get(reverse("login"), HTTP_X_FORWARDED_PROTO="https")
    assert response["Strict-Transport-Security"].startswith("max-age=31536000")


def test_hsts_is_on_by_default_outside_development():
    from django.conf import settings

    assert not settings.DEBUG and settings.SECURE_HSTS_SECONDS >= 31536000


def _htmx(client, method, url, data):
    call = client.get if method == "GET" else client.post
    return call(url, data, HTTP_HX_REQUEST="true")


FORM_ERROR_CASES = [
    ("login", lambda p: reverse("login"), "POST", {"username": "x" * 200, "password": "x"}, None),
    ("prospect create", lambda p: reverse("prospects:create"), "POST", {"name": ""}, "owner"),
    (
        "prospect edit",
        lambda p: reverse("prospects:edit", args=[p.prospect.pk]),
        "POST",
        {"name": "", "version": 1},
        "owner",
    ),
    ("password change", lambda p: reverse("password_change"), "POST", {"old_password": "x"}, "owner"),
    ("board filters", lambda p: reverse("pipeline:board"), "GET", {"month_from": "nonsense"}, "owner"),
    (
        "card quick edit",
        lambda p: reverse("pipeline:card_edit", args=[p.prospect.pk]),
        "POST",
        {"probability": "500", "amount": "1", "version": 1},
        "owner",
    ),
    (
        "won",
        lambda p: reverse("closing:won", args=[p.prospect.pk]),
        "POST",
        {"amount": "-1", "version": 1},
        "owner",
    ),
]


@pytest.mark.parametrize("htmx", [False, True], ids=["page", "htmx"])
@pytest.mark.parametrize("case", FORM_ERROR_CASES, ids=[c[0] for c in FORM_ERROR_CASES])
def test_form_errors_answer_422_for_pages_and_fragments_alike(personas, client, case, htmx):
    _name, url, method, data, who = case
    if who:
        client.force_login(getattr(personas, who))
    if htmx:
        response = _htmx(client, method, url(personas), data)
    else:
        response = client.get(url(personas), data) if method == "GET" else client.post(url(personas), data)
    assert response.status_code == 422


def test_the_htmx_error_swap_covers_422():
    from pathlib import Path

    from django.conf import settings

    script = (Path(settings.BASE_DIR) / "static/js/app.js").read_text()
    assert "status === 422" in script


# --- Dates: one range (salescrm.lib.formrules.DATE_MIN..DATE_MAX) for forms, imports and the database.

DATE_CASES = [
    ("next activity in 9999", lambda p: reverse("prospects:create"), "next_on", "9999-01-01"),
    ("won on 1900-01-01", lambda p: reverse("closing:won", args=[p.prospect.pk]), "closed_on", "1900-01-01"),
    (
        "lost on 1999-12-31",
        lambda p: reverse("closing:lost", args=[p.prospect.pk]),
        "closed_on",
        "1999-12-31",
    ),
    (
        "re-contact in 9999",
        lambda p: reverse("closing:lost", args=[p.prospect.pk]),
        "recontact_on",
        "9999-12-31",
    ),
]


@pytest.mark.parametrize("case", DATE_CASES, ids=[c[0] for c in DATE_CASES])
def test_a_date_outside_the_range_is_a_form_error_naming_the_range(personas, client, case):
    from prospects.models import Prospect

    _name, url, field, value = case
    client.force_login(personas.owner)
    data = {
        "name": "日付の確認",
        "source": "inbound",
        "horizon": "long",
        "probability": "10",
        "amount": "1000",
        "currency": "JPY",
        "version": personas.prospect.version,
        "reason": "price",
        "closed_on": "2026-11-02",
        field: value,
    }
    before = list(Prospect.objects.values_list("pk", "version", "status"))
    response = client.post(url(personas), data, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 422
    assert "2000-01-01" in " ".join(response.context["form"].errors[field])
    assert list(Prospect.objects.values_list("pk", "version", "status")) == before


def test_the_range_bounds_themselves_are_accepted():
    import datetime as dt

    from prospects.forms import ProspectForm  # noqa: F401  (the forms use the same rule)
    from salescrm.lib.formrules import DATE_MAX, DATE_MIN, date_out_of_bounds

    assert not date_out_of_bounds(DATE_MIN) and not date_out_of_bounds(DATE_MAX)
    assert date_out_of_bounds(DATE_MIN - dt.timedelta(days=1)) and date_out_of_bounds(dt.date(9999, 1, 1))


@pytest.mark.parametrize("day", ["2000-01-01", "2100-12-31"])
def test_a_next_activity_on_either_bound_is_saved_as_a_planned_activity(personas, client, day):
    # Local midnight of 2000-01-01 in Tokyo is 1999 in UTC: the activity's CHECK must still take it.
    from activities.models import Activity, ActivityKind

    other, _created = ActivityKind.objects.get_or_create(code="other", defaults={"label_ja": "その他"})

    client.force_login(personas.owner)
    data = {
        "name": "境界の日付",
        "source": "inbound",
        "horizon": "long",
        "probability": "10",
        "amount": "1000",
        "next_kind": other.pk,
        "next_subject": "電話",
        "next_on": day,
    }
    response = client.post(reverse("prospects:create"), data)
    assert response.status_code == 302
    planned = Activity.objects.get(prospect__name="境界の日付")
    assert str(timezone.localdate(planned.starts_at)) == day


@pytest.mark.parametrize("value", ["1900/01/01", "1999年12月31日", "平成5年4月1日", "9999-01-01"])
def test_an_imported_date_outside_the_range_is_a_row_error(value):
    from imports import parsing

    with pytest.raises(parsing.ParseError, match="2000-01-01"):
        parsing.parse_date(value)


def test_the_database_refuses_a_test_closing_month_outside_the_range(personas):
    import datetime as dt

    from django.db import IntegrityError, transaction

    from closing.models import TestClosing

    with pytest.raises(IntegrityError), transaction.atomic():
        TestClosing.objects.create(
            prospect=personas.prospect,
            question_text="q",
            answer="a",
            reading="positive",
            asked_by=personas.owner,
            revealed_month=dt.date(1900, 1, 1),
        )


@pytest.mark.parametrize(
    "field,value",
    [
        ("recontact_on", "9999-12-31"),
        ("expected_month", "1999-12-01"),
        ("closed_on", "1900-01-01"),
    ],
)
def test_the_database_refuses_a_prospect_date_outside_the_range(personas, field, value):
    import datetime as dt

    from django.db import IntegrityError, transaction

    from prospects.models import Prospect

    with pytest.raises(IntegrityError, match=f"prospect_{field}_in_bounds"), transaction.atomic():
        Prospect.objects.filter(pk=personas.prospect.pk).update(**{field: dt.date.fromisoformat(value)})


@pytest.mark.parametrize("value", ["9999-01-01", "1999-12-30"])
def test_the_database_refuses_a_next_activity_date_outside_the_range(personas, value):
    """The next action's date is the planned activity's: its CHECK holds the range (local dates)."""
    import datetime as dt

    from django.db import IntegrityError, transaction

    from activities.models import Activity, ActivityKind
    from activities.services import local_midnight

    other, _created = ActivityKind.objects.get_or_create(code="other", defaults={"label_ja": "その他"})
    with pytest.raises(IntegrityError, match="activity_starts_at_in_bounds"), transaction.atomic():
        Activity.objects.create(
            prospect=personas.prospect,
            owner=personas.owner,
            kind=other,
            starts_at=local_midnight(dt.date.fromisoformat(value)),
            all_day=True,
        )


@pytest.mark.parametrize(
    "target", ["\u0661\u0662", "home", "two_factor_setup", "//evil.example/", "javascript:x"]
)
def test_the_two_factor_next_parameter_is_a_path_or_home(personas, client, target):
    client.force_login(personas.owner)  # nothing to verify: straight to `next`
    response = client.get(reverse("two_factor_verify"), {"next": target})
    assert response.status_code == 302
    assert response["Location"] == reverse("home")


def test_a_currency_code_posted_with_a_prospect_is_neither_stored_nor_shown(personas, client):
    """The probe saved and displayed a currency outside the offered choices; there is now one company
    currency (settings.COMPANY_CURRENCY) and no per-prospect field a POST could set."""
    from prospects.models import Prospect

    client.force_login(personas.owner)
    data = {
        "name": "通貨の確認",
        "source": "inbound",
        "horizon": "long",
        "probability": "10",
        "amount": "1000",
        "currency": "XXX",
    }
    response = client.post(reverse("prospects:create"), data)
    assert response.status_code == 302
    prospect = Prospect.objects.get(name="通貨の確認")
    assert not hasattr(prospect, "currency")
    assert "XXX" not in client.get(reverse("prospects:detail", args=[prospect.pk])).content.decode()


# --- One parser for ids, pages and scope keys (salescrm.lib.params).


@pytest.mark.parametrize(
    "value",
    ["\u0661\u0662", "\uff11\uff12", "\u00b2", "\u2460", " 1", "1 ", "+1", "-1", "1e3", "", "1.0", "0"],
)
def test_only_ascii_digits_are_an_id(value):
    from django.http import Http404

    from salescrm.lib.params import int_or_none, parse_id

    assert int_or_none(value, minimum=1) is None
    with pytest.raises(Http404):
        parse_id(value)


def test_an_id_is_bounded_to_a_bigint():
    from django.http import Http404

    from salescrm.lib.params import BIGINT_MAX, parse_id

    assert parse_id(str(BIGINT_MAX)) == BIGINT_MAX
    for value in (str(BIGINT_MAX + 1), "9" * 30, "9" * 4000):
        with pytest.raises(Http404):
            parse_id(value)


@pytest.mark.parametrize(
    "value,page", [("3", 3), ("", 1), (None, 1), ("\u0663", 1), ("0", 1), ("9" * 40, 1), ("9" * 12, 10**9)]
)
def test_a_page_number_falls_back_to_the_first_page(value, page):
    from salescrm.lib.params import parse_page

    assert parse_page(value) == page


@pytest.mark.parametrize(
    "text,key",
    [
        ("user-5", ("user", 5)),
        ("team-12", ("team", 12)),
        ("user-\u00b2", None),
        ("user-\u0661", None),
        ("team-", None),
        ("user-0", None),
        ("other-1", None),
        ("user-" + "9" * 20, None),
    ],
)
def test_a_scope_key_is_a_kind_and_an_ascii_id(text, key):
    from salescrm.lib.params import parse_key

    assert parse_key(text, ("user", "team")) == key
