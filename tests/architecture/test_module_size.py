"""No app module passes MAX_LINES lines (issue 15): a module that long holds more than one idea; split
it by what it answers (a package of modules) instead. Migrations are not counted."""

from __future__ import annotations

from tests.architecture._source import app_modules, listing

MAX_LINES = 600


def test_no_app_module_is_over_600_lines():
    too_long = [
        f"{module.name}: {count} lines"
        for module in app_modules()
        if (count := len(module.text.splitlines())) > MAX_LINES
    ]
    assert not too_long, (
        f"app modules over {MAX_LINES} lines; split them by what they answer:{listing(too_long)}"
    )
