"""Photograph the main screens of a running salescrm (seeded with `manage.py seed_demo`) for the docs.

Run through bin/screenshots, which prepares the database and the server:
    python -m tests.browser.screenshots --base-url http://127.0.0.1:8123 --out docs/screenshots

To add a screen, add a Screen to SCREENS: its PNG is docs/screenshots/<name>.png.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from playwright.sync_api import Page, expect, sync_playwright

from tests.browser import support

DEMO_PASSWORD = "demo-pass-2026"  # salescrm/management/commands/seed_demo.py


@dataclass(frozen=True)
class Screen:
    name: str  # the file: docs/screenshots/<name>.png
    path: str  # the URL path to open
    user: str | None  # the demo user to log in as (seed_demo: tanaka = rep, sato = manager); None: logged out
    viewport: dict = field(default_factory=lambda: support.PHONE)
    full_page: bool = False
    language: str = "ja"
    prepare: Callable[[Page], None] | None = None  # clicks to make before the shot (menus, dialogs)


def _open_first_prospect(page: Page) -> None:
    page.locator("#results a[href^='/prospects/']").first.click()
    expect(page.locator("ol.timeline").first).to_be_visible()


def _open_bell(page: Page) -> None:
    page.locator("details.bell summary").click()
    expect(page.locator("#bell-menu .bell-item").first).to_be_visible()


def _open_first_company(page: Page) -> None:
    page.locator("ul.list li a").first.click()
    expect(page.locator("h1")).to_be_visible()


SCREENS = [
    Screen("login", "/accounts/login/", None),
    Screen("prospects-phone", "/prospects/", "tanaka"),
    Screen("prospect-detail", "/prospects/", "tanaka", support.DESKTOP, True, prepare=_open_first_prospect),
    Screen("board", "/pipeline/", "tanaka", support.DESKTOP),
    Screen("monthly-list", "/pipeline/month/", "sato", support.DESKTOP, True),
    Screen("alert", "/", "tanaka", prepare=_open_bell),
    Screen("agenda-phone", "/activities/agenda/", "tanaka"),
    Screen("daily-report", "/reports/daily/", "tanaka", support.DESKTOP, True),
    Screen("company", "/companies/", "tanaka", support.DESKTOP, True, prepare=_open_first_company),
]


def take(base_url: str, out: Path, screens: list[Screen]) -> list[Path]:
    out.mkdir(parents=True, exist_ok=True)
    saved = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(**support.LAUNCH_ARGS)
        for screen in screens:
            # Phones at their real pixel density (2x), desktops at 1x: sharp and still small files.
            scale = 2 if screen.viewport["width"] < 800 else 1
            context = browser.new_context(
                **support.context_options(viewport=screen.viewport, language=screen.language, scale=scale)
            )
            page = context.new_page()
            if screen.user:
                support.login_via_form(page, base_url, screen.user, DEMO_PASSWORD)
            page.goto(base_url + screen.path)
            if screen.prepare:
                screen.prepare(page)
            page.wait_for_load_state("networkidle")
            support.assets_loaded(page)
            saved.append(
                support.shot(page, screen.name, folder=out, full_page=screen.full_page, caret="hide")
            )
            context.close()
        browser.close()
    return saved


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base-url", required=True)
    parser.add_argument("--out", type=Path, default=support.ROOT / "docs" / "screenshots")
    parser.add_argument("--only", nargs="*", help="names of the screens to take (default: all)")
    args = parser.parse_args(argv)
    screens = [s for s in SCREENS if not args.only or s.name in args.only]
    for path in take(args.base_url.rstrip("/"), args.out, screens):
        print(f"  {path.relative_to(support.ROOT) if path.is_relative_to(support.ROOT) else path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
