"""Fixtures for the end-to-end tests in Debian's Chromium against the app served by live_server.

- `browser_type_launch_args` (pytest-playwright's, overridden): Debian's /usr/bin/chromium, headless.
- `app`: the live server's base URL (static files served by WhiteNoise with finders).
- `open_page(user=..., viewport=PHONE, language="ja")`: a page in a fresh browser context, logged in as
  `user` through a session cookie (or logged out with user=None). Every context it makes is traced;
  every page it makes reports its visible text to the Japanese-page check.
- `crm`: the shared personas (tests/conftest.py) plus a small pipeline for the owner rep.

Automatic, for every test here:
- a page shown in Japanese that still shows English UI text (a msgid of the Japanese catalogues) fails
  the test, listing the msgids and pages; so does an uncaught JavaScript error (CSP violations included);
- a failing test leaves a screenshot of every open page and the Playwright trace of every context under
  test-results/browser/<test>/ and prints their paths in its failure report.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

import pytest
from playwright.sync_api import Browser, BrowserContext, Page

from tests.browser import support
from tests.browser.data import Crm, make_crm

# Playwright's sync API runs an event loop in this thread; Django's ORM would refuse to run next to it.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

ARTIFACTS = pytest.StashKey["BrowserArtifacts"]()


@pytest.fixture(scope="session")
def browser_type_launch_args() -> dict:
    return dict(support.LAUNCH_ARGS)


@pytest.fixture
def app(live_server) -> str:
    return live_server.url


@pytest.fixture
def crm(transactional_db) -> Crm:
    return make_crm()


@dataclass
class BrowserArtifacts:
    """What one test opened in the browser, so hooks can check it and save evidence when it fails."""

    folder: str
    contexts: list[BrowserContext] = field(default_factory=list)
    traced: set[int] = field(default_factory=set)
    japanese: support.JapanesePageCheck = field(default_factory=support.JapanesePageCheck)
    page_errors: list[str] = field(default_factory=list)
    saved: list[str] = field(default_factory=list)

    def pages(self) -> list[Page]:
        return [p for c in self.contexts for p in c.pages if not p.is_closed()]

    def save_failure(self) -> None:
        folder = support.RESULTS / self.folder
        folder.mkdir(parents=True, exist_ok=True)
        for i, context in enumerate(self.contexts, 1):
            for j, page in enumerate(p for p in context.pages if not p.is_closed()):
                path = folder / f"context{i}-page{j + 1}.png"
                try:
                    page.screenshot(path=str(path), full_page=True, caret="initial")
                    self.saved.append(f"screenshot: {path}  ({page.url})")
                except Exception as exc:  # a crashed page must not hide the real failure
                    self.saved.append(f"screenshot of {page.url} failed: {exc}")
            if id(context) in self.traced:
                path = folder / f"trace-context{i}.zip"
                self.traced.discard(id(context))
                try:
                    context.tracing.stop(path=str(path))
                    self.saved.append(f"trace: {path}  (open: .venv/bin/playwright show-trace {path})")
                except Exception as exc:
                    self.saved.append(f"trace of context {i} failed: {exc}")


@pytest.fixture
def open_page(browser: Browser, app: str, request) -> Iterator[Callable[..., Page]]:
    """Factory: open_page(user=None, viewport=PHONE, language="ja", scale=1) -> a new page in its own
    context (own cookies: two calls are two people on two phones)."""
    folder = re.sub(r"[^\w.-]+", "-", request.node.nodeid.split("tests/browser/")[-1]).strip("-")
    artifacts = BrowserArtifacts(folder=folder)
    request.node.stash[ARTIFACTS] = artifacts

    def _report_text(source, url: str, lang: str, text: str) -> None:
        artifacts.japanese.record(url, lang, text)

    def _open(user=None, *, viewport: dict | None = None, language: str = "ja", scale: float = 1) -> Page:
        context = browser.new_context(
            **support.context_options(viewport=viewport, language=language, scale=scale)
        )
        context.set_default_timeout(10_000)
        context.tracing.start(screenshots=True, snapshots=True, sources=False)
        artifacts.contexts.append(context)
        artifacts.traced.add(id(context))
        context.expose_binding("__salescrmPageText", _report_text)
        context.add_init_script(support.REPORT_TEXT_SCRIPT)
        context.on("weberror", lambda error: artifacts.page_errors.append(str(error.error)))
        if user is not None:
            support.login_with_cookie(context, app, user)
        page = context.new_page()
        page.on(
            "console",
            lambda msg: (
                artifacts.page_errors.append(msg.text)
                if msg.type == "error" and "Content Security Policy" in msg.text
                else None
            ),
        )
        return page

    yield _open
    for context in artifacts.contexts:
        if id(context) in artifacts.traced:
            context.tracing.stop()  # passed: nothing to keep
        context.close()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo):
    report = yield
    artifacts = item.stash.get(ARTIFACTS, None)
    if artifacts is None or report.when != "call":
        return report
    if report.passed:
        # The pages report their text asynchronously: look at each open page once more, now.
        for page in artifacts.pages():
            artifacts.japanese.check(page)
        problems = []
        if artifacts.japanese.problems:
            problems.append(artifacts.japanese.summary())
        if artifacts.page_errors:
            problems.append(
                "JavaScript errors in the page:\n" + "\n".join(f"  - {e}" for e in artifacts.page_errors)
            )
        if problems:
            report.outcome = "failed"
            report.longrepr = "\n\n".join(problems)
    if report.failed:
        artifacts.save_failure()
        if artifacts.saved:
            report.sections.append(("browser artifacts", "\n".join(artifacts.saved)))
    return report


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Every test in tests/browser/ must carry @pytest.mark.browser (so `-m "not browser"` skips them)."""
    unmarked = [
        item.nodeid
        for item in items
        if "tests/browser/" in item.nodeid and item.get_closest_marker("browser") is None
    ]
    if unmarked:
        raise pytest.UsageError("browser tests without @pytest.mark.browser: " + ", ".join(unmarked))
