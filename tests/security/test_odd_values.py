"""Every URL pattern x every persona x GET and POST, with odd values in each path and query parameter:
never a 500.

The URL patterns come from the resolver and the parameter names from the code (every form field of the
apps and every name a view reads from request.GET / request.POST), so a new URL or parameter is walked
without touching this file; a URL without an access rule in tests/access/test_matrix.py (which builds a
valid URL for it) fails here too.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from tests.access.test_matrix import ROLES, RULES
from tests.security.test_nul_in_forms import project_apps, project_form_classes

ODD_VALUES = [
    "\u0661\u0662",  # Arabic-Indic digits: isdigit() and int() accept them
    "\uff11\uff12",  # full-width digits
    "\u00b2",  # superscript two: isdigit() accepts it, int() refuses it
    "99999999999999999999999999",  # beyond bigint
    "9223372036854775808",
    "-1",
    "",
    "\x00",
    "9" * 4000,
    "1e3",
    " 1",
    "user-\u00b2",
    "team-99999999999999999999",
    "2026-11-01~1~\u00b2",
]
# The odd values also tried one parameter at a time (an early refusal of one must not hide another).
ONE_AT_A_TIME = ["\u00b2", "99999999999999999999999999", "\x00"]

APPS = project_apps()
_READ = re.compile(r"request\.(?:GET|POST)(?:\.get\(|\[)\"([^\"]+)\"")


def view_parameter_names() -> list[str]:
    """The names views read themselves (not through a form, which checks every field at once): each is
    also tried alone, so that an early refusal of one cannot hide another."""
    names: set[str] = {"col-0", "val-0-0"}
    for app in APPS:
        for path in (Path(settings.BASE_DIR) / app).rglob("*.py"):
            names.update(_READ.findall(path.read_text()))
    return sorted(names)


def parameter_names() -> list[str]:
    """Every name a view reads from the query string or body, and every field of every form."""
    names: set[str] = {"col-0", "val-0-0", "val-0-1", "col-1"}  # the import mapping's numbered fields
    for app in APPS:
        for path in (Path(settings.BASE_DIR) / app).rglob("*.py"):
            names.update(_READ.findall(path.read_text()))
    for form_class in project_form_classes():
        names.update(form_class.base_fields)
    return sorted(names)


def _routes(patterns, prefix: str = "", namespace: str | None = None, converters: dict | None = None):
    for p in patterns:
        seen = {**(converters or {}), **getattr(p.pattern, "converters", {})}
        if isinstance(p, URLResolver):
            ns = p.namespace
            full = f"{namespace}:{ns}" if namespace and ns else (ns or namespace)
            yield from _routes(p.url_patterns, prefix + str(p.pattern), full, seen)
        elif isinstance(p, URLPattern) and p.name:
            yield (f"{namespace}:{p.name}" if namespace else p.name), (prefix + str(p.pattern), seen)


ROUTES = {
    name: route for name, route in _routes(get_resolver().url_patterns) if not name.startswith("admin:")
}
_CONVERTER = re.compile(r"<(?:\w+:)?(\w+)>")


def test_every_url_is_walked_with_a_valid_url_to_start_from():
    assert sorted(set(ROUTES) - set(RULES)) == []


def _odd_paths(route: str, converters: dict) -> list[str]:
    """The route with each path parameter replaced by each odd value its converter lets through (the
    others never reach a view: the resolver answers 404), URL-quoted; the other parameters are 1."""
    from urllib.parse import quote

    paths = []
    for match in _CONVERTER.finditer(route):
        converter = converters.get(match[1])
        for value in ODD_VALUES:
            if value and (converter is None or re.fullmatch(converter.regex, value)):
                odd = route[: match.start()] + quote(value, safe="") + route[match.end() :]
                paths.append("/" + _CONVERTER.sub("1", odd))
    return paths


def _request(client: Client, method: str, url: str, data: dict) -> int:
    response = client.get(url, data) if method == "GET" else client.post(url, data)
    return response.status_code


@pytest.mark.django_db
@pytest.mark.parametrize("name", sorted(ROUTES))
def test_odd_values_never_give_a_500(personas, name):
    rule = RULES[name]
    url = reverse(name, kwargs=rule.kwargs(personas) if rule.kwargs else {})
    names = parameter_names()
    view_names = view_parameter_names()
    failures = []
    for role in ROLES:
        client = Client(raise_request_exception=False)
        if role != "anonymous":
            client.force_login(getattr(personas, role))
        for method in ("GET", "POST"):
            for value in ODD_VALUES:
                if _request(client, method, url, dict.fromkeys(names, value)) == 500:
                    failures.append((role, method, "every parameter", value))
            for path in _odd_paths(*ROUTES[name]):
                if _request(client, method, path, {}) == 500:
                    failures.append((role, method, path[:80]))
            if role == "admin":  # the persona that reaches the most code
                for param in view_names:
                    for value in ONE_AT_A_TIME:
                        if _request(client, method, url, {param: value}) == 500:
                            failures.append((role, method, param, value))
    assert failures == [], failures
