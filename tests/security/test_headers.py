"""Security headers and CSP on every HTML page type. To cover a new page, append a PageCase to PAGES:
a name, the persona who opens it (None = anonymous) and a function building the URL from the personas."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from html.parser import HTMLParser

import pytest
from django.test import Client
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

pytestmark = pytest.mark.django_db


@dataclass(frozen=True)
class PageCase:
    name: str
    who: str | None
    url: Callable[[object], str]
    status: int = 200
    prepare: Callable[[object], object] | None = None  # runs before the login, e.g. to add a device

    def __str__(self) -> str:
        return self.name


def _snapshot(p):
    from pipeline.selectors import user_scope
    from pipeline.services import snapshot_take
    from salescrm.lib.months import this_month

    return snapshot_take(scope=user_scope(p.owner), month=this_month())[0]


def _snapshot_url(p):
    from pipeline.models import ForecastSnapshot

    return reverse("pipeline:snapshot", args=[ForecastSnapshot.objects.get().pk])


def _question(p):
    from closing.models import TestClosingQuestion

    return TestClosingQuestion.objects.create(
        text_ja="今月ご決断いただけますか", text_en="Decide this month?", kind="timing"
    )


def _question_url(p):
    from closing.models import TestClosingQuestion

    return reverse("closing:question_edit", args=[TestClosingQuestion.objects.latest("pk").pk])


def _import_job(p):
    from tests.imports.conftest import HEADER, create_job, csv_bytes

    return create_job(
        p.owner, csv_bytes([HEADER, ["鈴木建設", "owner", "80%", "120万", "2026年11月", "商談中", "展示会"]])
    )


def _import_job_url(p):
    from imports.models import ImportJob

    return reverse("imports:job", args=[ImportJob.objects.get().pk])


PAGES = [
    PageCase("login", None, lambda p: reverse("login")),
    PageCase("home", "owner", lambda p: reverse("home")),
    PageCase("prospect list", "owner", lambda p: reverse("prospects:list")),
    PageCase("prospect detail", "owner", lambda p: reverse("prospects:detail", args=[p.prospect.pk])),
    PageCase("prospect form (new)", "owner", lambda p: reverse("prospects:create")),
    PageCase("prospect form (edit)", "owner", lambda p: reverse("prospects:edit", args=[p.prospect.pk])),
    PageCase("404 page", "owner", lambda p: "/no/such/page/", status=404),
    PageCase("password change", "owner", lambda p: reverse("password_change")),
    PageCase("two-factor setup", "manager", lambda p: reverse("two_factor_setup")),
    PageCase(
        "two-factor token step",
        "manager",
        lambda p: reverse("two_factor_verify"),
        prepare=lambda p: TOTPDevice.objects.create(user=p.manager, name="TOTP", confirmed=True),
    ),
    # pipeline
    PageCase("board", "owner", lambda p: reverse("pipeline:board")),
    PageCase("month list", "owner", lambda p: reverse("pipeline:month_list")),
    PageCase("month list print view", "manager", lambda p: reverse("pipeline:month_list") + "?print=1"),
    PageCase("forecast", "manager", lambda p: reverse("pipeline:forecast")),
    PageCase("snapshot", "owner", _snapshot_url, prepare=_snapshot),
    PageCase("rank bands", "admin", lambda p: reverse("pipeline:rank_bands")),
    # closing
    PageCase("waiting list", "owner", lambda p: reverse("closing:waiting")),
    PageCase("statistics", "manager", lambda p: reverse("closing:statistics")),
    PageCase("questions", "admin", lambda p: reverse("closing:questions")),
    PageCase("question form (new)", "admin", lambda p: reverse("closing:question_create")),
    PageCase("question form (edit)", "admin", _question_url, prepare=_question),
    # targets
    PageCase("targets settings", "admin", lambda p: reverse("targets:settings")),
    PageCase("cycle health", "owner", lambda p: reverse("targets:health")),
    PageCase("alerts", "manager", lambda p: reverse("targets:alerts")),
    # imports
    PageCase("imports list", "owner", lambda p: reverse("imports:list")),
    PageCase("imports upload", "owner", lambda p: reverse("imports:upload")),
    PageCase("imports job", "owner", _import_job_url, prepare=_import_job),
    PageCase("admin index", "admin", lambda p: reverse("admin:index")),
    PageCase("admin prospect list", "admin", lambda p: reverse("admin:prospects_prospect_changelist")),
    PageCase(
        "admin prospect change",
        "admin",
        lambda p: reverse("admin:prospects_prospect_change", args=[p.prospect.pk]),
    ),
]


@pytest.fixture(autouse=True)
def private_upload_dir(settings, tmp_path):
    settings.IMPORT_UPLOAD_DIR = tmp_path / "imports"


class ScriptCollector(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.scripts: list[dict[str, str | None]] = []
        self.style_attributes: list[str] = []
        self.event_handlers: list[str] = []

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "script":
            self.scripts.append(attributes)
        if "style" in attributes:
            self.style_attributes.append(tag)
        self.event_handlers += [f"{tag}[{name}]" for name in attributes if name.startswith("on")]


def parse_csp(header: str) -> dict[str, list[str]]:
    directives = {}
    for part in header.split(";"):
        tokens = part.split()
        if tokens:
            directives[tokens[0]] = tokens[1:]
    return directives


def fetch(client: Client, personas, case: PageCase):
    if case.prepare:
        case.prepare(personas)
    if case.who:
        client.force_login(getattr(personas, case.who))
    response = client.get(case.url(personas))
    assert response.status_code == case.status
    assert response["Content-Type"].startswith("text/html")
    return response


@pytest.mark.parametrize("case", PAGES, ids=str)
def test_the_page_sends_a_strict_content_security_policy(client, personas, case):
    response = fetch(client, personas, case)
    csp = parse_csp(response["Content-Security-Policy"])
    for directive in ("script-src", "style-src"):
        assert directive in csp
        assert "'unsafe-inline'" not in csp[directive]
        assert "'unsafe-eval'" not in csp[directive]
    assert "*" not in csp["script-src"]
    assert csp["frame-ancestors"] == ["'none'"]
    assert csp["object-src"] == ["'none'"]


@pytest.mark.parametrize("case", PAGES, ids=str)
def test_the_page_sends_the_security_headers(client, personas, case):
    response = fetch(client, personas, case)
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"


@pytest.mark.parametrize("case", PAGES, ids=str)
def test_every_script_is_static_or_carries_the_nonce(client, personas, case):
    response = fetch(client, personas, case)
    csp = parse_csp(response["Content-Security-Policy"])
    nonces = [t[len("'nonce-") : -1] for t in csp["script-src"] if t.startswith("'nonce-")]
    assert len(nonces) == 1
    parser = ScriptCollector()
    parser.feed(response.content.decode())
    assert parser.scripts, "every page loads at least app.js"
    for script in parser.scripts:
        src = script.get("src") or ""
        assert src.startswith("/static/") or script.get("nonce") == nonces[0], script
        if not src:
            assert script.get("nonce") == nonces[0], f"inline script without the nonce: {script}"


@pytest.mark.parametrize("case", [c for c in PAGES if not c.name.startswith("admin")], ids=str)
def test_our_pages_have_no_inline_styles_or_event_handlers(client, personas, case):
    """style="" would be blocked by style-src 'self'; on*="" handlers by script-src."""
    response = fetch(client, personas, case)
    parser = ScriptCollector()
    parser.feed(response.content.decode())
    assert parser.style_attributes == []
    assert parser.event_handlers == []


def test_the_lockout_page_sends_the_same_headers(client, personas):
    for _ in range(6):
        response = client.post(reverse("login"), {"username": "owner", "password": "wrong"})
    assert response.status_code == 429
    csp = parse_csp(response["Content-Security-Policy"])
    assert "'unsafe-inline'" not in csp["script-src"] + csp["style-src"]
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"


def test_the_nonce_changes_per_response(client, personas):
    first = client.get(reverse("login"))["Content-Security-Policy"]
    second = client.get(reverse("login"))["Content-Security-Policy"]
    assert first != second
