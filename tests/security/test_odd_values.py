"""Every URL pattern x GET and POST x the personas whose code paths differ, with odd values in each path,
query and form parameter: never a 500.

The URL patterns come from the resolver and the parameter names from the code (every form field of the
apps and every name a view reads from request.GET / request.POST), so a new URL or parameter is walked
without touching this file; a URL without an access rule in tests/access/test_matrix.py (which builds a
valid URL for it) fails here too.

What keeps it fast (it walked 30,000 requests in 19 minutes; the CI run must stay well under 30):
- Personas: anonymous, a rep (the owner), a manager and an admin. The teammate, the outsider and the other
  team's manager run the same code as the owner and the manager with fewer rows visible, and the
  parameters are parsed before the visibility rule refuses them.
- One value per class of fault (the class, not a near-duplicate, is what a parser gets wrong).
- Each view's own reads are tried alone (so that an early refusal of one cannot hide another) by the
  admin, who reaches the most code, only in the request part they are read from, and not after a 405
  (the view never runs for that method). Not only after a refusal: a 200 can come from a branch that
  another parameter chose (an export) without reading the rest.
"""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from tests.access.test_matrix import ROLES, RULES, api_headers
from tests.security.test_nul_in_forms import project_apps, project_form_classes

PERSONAS = ["anonymous", "owner", "manager", "admin"]
ODD_VALUES = [
    "\u0661\u0662",  # Arabic-Indic digits: isdigit() and int() accept them (so would full-width ones)
    "\u00b2",  # superscript two: isdigit() accepts it, int() refuses it
    "99999999999999999999999999",  # beyond bigint: int() accepts it, PostgreSQL refuses it
    "-1",
    "",
    "\x00",
    "9" * 4000,
    "1e3",
    " 1",
    "user-\u00b2",  # scope keys and the board's cursor: a valid shape around an odd number
    "team-99999999999999999999",
    "2026-11-01~1~\u00b2",
]
# The odd values also tried one parameter at a time (an early refusal of one must not hide another).
ONE_AT_A_TIME = ["\u00b2", "99999999999999999999999999", "\x00"]

APPS = project_apps()
_READ = re.compile(r"request\.(GET|POST)(?:\.get\(|\[)\"([^\"]+)\"")
# The import mapping's numbered fields, which no form declares.
_MAPPING_FIELDS = {"col-0", "val-0-0", "val-0-1", "col-1"}


def view_parameter_names() -> dict[str, list[str]]:
    """The names views read themselves (not through a form, which checks every field at once), by the
    method whose data they are read from (GET: the query string, POST: the body)."""
    names: dict[str, set[str]] = {"GET": set(), "POST": {"col-0", "val-0-0"}}
    for app in APPS:
        for path in (Path(settings.BASE_DIR) / app).rglob("*.py"):
            for method, name in _READ.findall(path.read_text()):
                names[method].add(name)
    return {method: sorted(found) for method, found in names.items()}


def parameter_names() -> list[str]:
    """Every name a view reads from the query string or body, and every field of every form."""
    names: set[str] = set(_MAPPING_FIELDS)
    for found in view_parameter_names().values():
        names.update(found)
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


def test_the_personas_are_the_access_matrix_roles():
    assert set(PERSONAS) <= set(ROLES)


def _odd_paths(route: str, converters: dict) -> list[str]:
    """The route with each path parameter replaced by each odd value its converter lets through (the
    others never reach a view: the resolver answers 404), URL-quoted; the other parameters are 1."""
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
    odd_paths = _odd_paths(*ROUTES[name])
    failures = []
    for role in PERSONAS:
        client = Client(raise_request_exception=False)
        if role != "anonymous" and rule.api:  # a REST API operation: the persona's token, not a session
            client = Client(raise_request_exception=False, headers=api_headers(getattr(personas, role)))
        elif role != "anonymous":
            client.force_login(getattr(personas, role))
        for method in ("GET", "POST"):
            reached = set()
            for value in ODD_VALUES:
                status = _request(client, method, url, dict.fromkeys(names, value))
                if status == 500:
                    failures.append((role, method, "every parameter", value))
                elif status != 405:
                    reached.add(value)
            for path in odd_paths:
                if _request(client, method, path, {}) == 500:
                    failures.append((role, method, path[:80]))
            if role == "admin":  # the persona that reaches the most code
                for param in view_names[method]:
                    for value in reached.intersection(ONE_AT_A_TIME):
                        if _request(client, method, url, {param: value}) == 500:
                            failures.append((role, method, param, value))
    assert failures == [], failures
