"""Plain helpers shared by the browser tests (tests/browser/conftest.py) and bin/screenshots.

Nothing here is a fixture: the launch settings, the viewports, the screenshot helper, the login
helpers and the check that a Japanese page shows no English UI text. Import what you need.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import polib
from playwright.sync_api import BrowserContext, Page, expect

ROOT = Path(__file__).resolve().parents[2]
# Debian's Chromium (apt-get install chromium): Playwright's own browser download cannot work here.
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
LAUNCH_ARGS = {"executable_path": CHROMIUM, "headless": True, "args": CHROMIUM_ARGS}

PHONE = {"width": 375, "height": 812}
DESKTOP = {"width": 1280, "height": 860}
# Every flow saves its screenshots here (gitignored); failures add a trace and a screenshot per page.
RESULTS = ROOT / "test-results" / "browser"
# Japanese sales staff on their phones: the browser asks for Japanese like theirs does.
JAPANESE = {"locale": "ja-JP", "timezone_id": "Asia/Tokyo"}
ENGLISH = {"locale": "en-US", "timezone_id": "Asia/Tokyo"}


def context_options(*, viewport: dict | None = None, language: str = "ja", scale: float = 1) -> dict:
    """Keyword arguments for browser.new_context(): a phone unless told otherwise."""
    viewport = viewport or PHONE
    phone = viewport["width"] < 800
    return {
        **(JAPANESE if language == "ja" else ENGLISH),
        "viewport": viewport,
        "is_mobile": phone,
        "has_touch": phone,
        "device_scale_factor": scale,
    }


def shot(
    page: Page, name: str, *, folder: Path = RESULTS, full_page: bool = False, caret: str = "initial"
) -> Path:
    """Save a screenshot named `name`.png (test-results/browser/ by default) and return its path.

    caret="initial" in tests: hiding the caret leaves style="" on every input, which htmx copies into
    its history cache and CSP (style-src 'self') refuses on back: a violation the app did not cause.
    """
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.png"
    page.screenshot(path=str(path), full_page=full_page, animations="disabled", caret=caret)
    return path


# --- logging in --------------------------------------------------------------------------------------


def login_via_form(page: Page, base_url: str, username: str, password: str) -> None:
    """Log in through the real login page (the page stays wherever the login redirects)."""
    page.goto(f"{base_url}/accounts/login/")
    page.locator("#id_username").fill(username)
    page.locator("#id_password").fill(password)
    with page.expect_navigation():
        page.locator("form.form button[type=submit]").click()
    expect(page.locator("details.usermenu")).to_be_visible()


def login_with_cookie(context: BrowserContext, base_url: str, user) -> None:
    """Log `user` in without the login page: a real session made by Django's test client, as a cookie.

    Use it for every flow that is not about logging in (it is fast and cannot be locked out by axes).
    """
    from django.conf import settings
    from django.test import Client

    client = Client()
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    context.add_cookies([{"name": cookie.key, "value": cookie.value, "url": base_url}])


def assets_loaded(page: Page) -> None:
    """htmx and the project's stylesheet really loaded (static files served, CSP let them in)."""
    assert page.evaluate("typeof window.htmx") == "object", "htmx is not defined on the page"
    has_css = page.evaluate(
        """() => [...document.styleSheets].some(
             s => (s.href || '').includes('/static/css/app.css') && s.cssRules.length > 0)"""
    )
    assert has_css, "static/css/app.css did not load"


# --- English left on Japanese pages ---------------------------------------------------------------------

_PLACEHOLDER = re.compile(r"%\((\w+)\)[sdif]|%[sdif]|\{\w*\}")
# Placeholders that stand for a number ("{{ counter }} prospects") match digits only, so that
# "%(counter)s prospect" is not found in "Add prospect".
_NUMERIC = {"counter", "count", "n", "num", "number", "total", "days", "months", "page", "pages"}


def catalogue_files(root: Path = ROOT) -> list[Path]:
    """The project catalogue (locale/) and every app's (APP/locale/), never the venv's."""
    files = [root / "locale/ja/LC_MESSAGES/django.po", *root.glob("*/locale/ja/LC_MESSAGES/django.po")]
    return sorted({f for f in files if f.is_file()})


def _normalise(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def _pattern(msgid: str) -> re.Pattern | None:
    """A regex for the English msgid as it would show on a page, or None when it is too short to tell.

    Placeholders (%(name)s) match any short run of text. Only msgids of 2+ words or 8+ characters
    (placeholders not counted) take part: "OK", "CSV" or "Email" could be a brand or a format name.
    """
    text = _normalise(msgid)
    literal = _normalise(_PLACEHOLDER.sub(" ", text))
    if len(literal) < 8 and len(literal.split()) < 2:
        return None
    body, last = "", 0
    for match in _PLACEHOLDER.finditer(text):
        numeric = match.group(1) in _NUMERIC or match.group(0) in ("%d", "%i")
        body += re.escape(text[last : match.start()]) + (r"[0-9][0-9,.]*" if numeric else r".{1,60}?")
        last = match.end()
    body += re.escape(text[last:])
    start = r"(?<![A-Za-z])" if re.match(r"[A-Za-z]", literal) else ""
    end = r"(?![A-Za-z])" if re.search(r"[A-Za-z]$", literal) else ""
    return re.compile(start + body + end)


@cache
def english_ui_patterns(files: tuple[Path, ...] | None = None) -> tuple[tuple[str, re.Pattern], ...]:
    """(msgid, regex) for every English UI text the Japanese catalogues are meant to replace.

    An entry counts when its translation differs from the msgid: a translated one (Japanese on the
    page) and also an untranslated or fuzzy one, since Django then shows the English msgid. An entry
    translated as itself ("salescrm") is a deliberate loan word and never counts.
    """
    found: dict[str, re.Pattern] = {}
    for path in files or tuple(catalogue_files()):
        for entry in polib.pofile(str(path)):
            if entry.obsolete or not entry.msgid:
                continue
            pairs = [(entry.msgid, entry.msgstr)]
            if entry.msgid_plural:
                forms = list(entry.msgstr_plural.values()) or [""]
                pairs = [(entry.msgid, forms[0]), (entry.msgid_plural, forms[-1])]
            for msgid, msgstr in pairs:
                if msgstr == msgid or msgid in found:
                    continue
                pattern = _pattern(msgid)
                if pattern is not None:
                    found[msgid] = pattern
    return tuple(found.items())


def english_in(text: str, patterns: Iterable[tuple[str, re.Pattern]] | None = None) -> list[str]:
    """The English UI msgids found verbatim in a page's visible text."""
    text = _normalise(text)
    return sorted({msgid for msgid, rx in (patterns or english_ui_patterns()) if rx.search(text)})


@dataclass
class PageText:
    url: str
    english: list[str]


@dataclass
class JapanesePageCheck:
    """Collects, for every page shown in Japanese (<html lang="ja">), the English UI text left on it."""

    problems: list[PageText] = field(default_factory=list)
    pages_checked: int = 0
    _seen: set[tuple[str, int]] = field(default_factory=set)

    def record(self, url: str, lang: str, text: str) -> None:
        if not lang.startswith("ja") or (url, hash(text)) in self._seen:
            return
        self._seen.add((url, hash(text)))
        self.pages_checked += 1
        english = english_in(text)
        if english:
            self.problems.append(PageText(url, english))

    def check(self, page: Page) -> None:
        """Check the page as it is now (the reports sent by the page itself may still be in flight)."""
        if page.is_closed():
            return
        lang = page.evaluate("document.documentElement.lang || ''")
        self.record(page.url, lang, page.inner_text("body"))

    def summary(self) -> str:
        by_page: dict[str, set[str]] = {}
        for problem in self.problems:
            by_page.setdefault(problem.url, set()).update(problem.english)
        lines = [
            "English UI text on pages shown in Japanese (msgid not translated, or a string outside gettext):"
        ]
        for url, english in by_page.items():
            lines.append(f"  {url}")
            lines.extend(f"    - {msgid!r}" for msgid in sorted(english))
        return "\n".join(lines)


# Runs in every page of a test's browser contexts: reports the visible text after each load and after
# each htmx swap, so pages reached by clicks and fragments swapped in are checked too.
REPORT_TEXT_SCRIPT = """
(() => {
  if (window.top !== window) return;
  const report = () => {
    if (!document.body || typeof window.__salescrmPageText !== "function") return;
    window.__salescrmPageText(location.href, document.documentElement.lang || "", document.body.innerText)
      .catch(() => {});
  };
  window.addEventListener("load", report);
  document.addEventListener("htmx:afterSettle", report);
})();
"""
