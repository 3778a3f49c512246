"""Bad requests get a 4xx with a page that says why, never a 500."""

import datetime as dt

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from prospects.models import Prospect

pytestmark = pytest.mark.django_db


def template_names(response) -> list[str]:
    return [t.name for t in response.templates]


def test_an_oversized_post_body_is_answered_400_with_the_400_page(personas):
    client = Client(raise_request_exception=False)
    client.force_login(personas.owner)
    before = Prospect.objects.count()
    body = {"name": "x", "notes": "あ" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE // 3 + 10)}
    response = client.post(reverse("prospects:create"), body)
    assert response.status_code == 400
    assert "400.html" in template_names(response)
    assert Prospect.objects.count() == before


def test_too_many_fields_are_answered_400(personas):
    client = Client(raise_request_exception=False)
    client.force_login(personas.owner)
    body = {f"f{i}": "1" for i in range(settings.DATA_UPLOAD_MAX_NUMBER_FIELDS + 1)}
    response = client.post(reverse("prospects:create"), body)
    assert response.status_code == 400
    assert "400.html" in template_names(response)


MALFORMED_OR_UNKNOWN = [
    "/prospects/abc/",
    "/prospects/abc/edit/",
    "/prospects/-1/",
    "/prospects/0/",
    "/prospects/999999/",
    "/prospects/999999/edit/",
    "/prospects/99999999999999999999999999/",
    "/prospects/99999999999999999999999999/edit/",
    "/prospects/1e3/",
    "/prospects/%00/",
    "/prospects/%E3%81%82/",
]


@pytest.mark.parametrize("path", MALFORMED_OR_UNKNOWN)
@pytest.mark.parametrize("method", ["get", "post"])
def test_malformed_and_unknown_ids_are_404_with_the_404_page(personas, path, method):
    client = Client(raise_request_exception=False)
    client.force_login(personas.admin)
    response = getattr(client, method)(path)
    assert response.status_code == 404
    assert "404.html" in template_names(response)


@pytest.mark.parametrize(
    "url", [lambda p: reverse("prospects:create"), lambda p: reverse("prospects:edit", args=[p.prospect.pk])]
)
def test_a_post_without_a_csrf_token_is_refused_403(personas, url):
    client = Client(enforce_csrf_checks=True)
    client.force_login(personas.owner)
    before = list(Prospect.objects.values_list("pk", "version", "name"))
    response = client.post(url(personas), {"name": "CSRF attack", "source": "inbound", "horizon": "long"})
    assert response.status_code == 403
    assert "403_csrf.html" in template_names(response)
    assert list(Prospect.objects.values_list("pk", "version", "name")) == before


def test_a_post_with_a_forged_csrf_token_is_refused_403(personas):
    client = Client(enforce_csrf_checks=True)
    client.force_login(personas.owner)
    client.get(reverse("prospects:create"))
    response = client.post(reverse("prospects:create"), {"name": "x", "csrfmiddlewaretoken": "A" * 64})
    assert response.status_code == 403


def test_the_login_form_without_a_csrf_token_is_refused_403(personas):
    client = Client(enforce_csrf_checks=True)
    response = client.post(reverse("login"), {"username": "owner", "password": "pw-owner"})
    assert response.status_code == 403
    assert "_auth_user_id" not in client.session


def test_a_post_with_the_csrf_token_from_the_page_goes_through(personas):
    """The control for the tests above: the same client with the page's token is accepted."""
    client = Client(enforce_csrf_checks=True)
    client.force_login(personas.owner)
    client.get(reverse("prospects:create"))
    token = client.cookies[settings.CSRF_COOKIE_NAME].value
    response = client.post(
        reverse("prospects:create"),
        {
            "name": "With token",
            "source": "inbound",
            "horizon": "long",
            "probability": 10,
            "amount": 0,
            "csrfmiddlewaretoken": token,
        },
    )
    assert response.status_code == 302
    assert Prospect.objects.filter(name="With token").exists()


@pytest.mark.parametrize("method", ["put", "patch", "delete"])
def test_unsupported_methods_are_405(personas, method):
    client = Client()
    client.force_login(personas.owner)
    response = getattr(client, method)(reverse("prospects:edit", args=[personas.prospect.pk]))
    assert response.status_code == 405


def test_a_target_count_beyond_the_integer_range_is_a_form_error_not_a_500(personas, client):
    """Found by tests/security/test_fuzz_dialogs.py: the form passed it, the model's full_clean raised."""
    from targets.models import PipelineTarget

    client.force_login(personas.admin)
    url = reverse("targets:edit", args=[f"user-{personas.owner.pk}"])
    response = client.post(url, {"min_open": "2147483648"})
    assert response.status_code == 422
    assert not PipelineTarget.objects.exists()


@pytest.mark.parametrize(
    "parser,value",
    [
        ("parse_date", dt.date(1899, 12, 31)),
        ("parse_month", dt.datetime(2101, 1, 1)),
        ("parse_amount", float("inf")),
        ("parse_amount", float("nan")),
        ("parse_amount", 1e26),
        ("parse_probability", float("nan")),
        ("parse_probability", float("inf")),
    ],
)
def test_import_number_and_date_cells_out_of_range_are_refused_with_a_reason(parser, value):
    """Found by the parser fuzzing: xlsx date cells skipped the year range; NaN, infinity and huge
    numbers raised decimal errors instead of a ParseError."""
    from imports import parsing

    with pytest.raises(parsing.ParseError):
        getattr(parsing, parser)(value)
