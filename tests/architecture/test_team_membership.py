"""Only `accounts/` reads the team membership tables (Team.members and Team.managers, whose reverse
names are User.teams and User.managed_teams): every other app asks accounts.access (visible_users,
visible_teams, team_member_ids, ...), so "who is in which team" is answered in one place.

Read outside accounts/ (migrations and docstrings excepted):
- a lookup through the relations: a keyword of filter/exclude/get/Q(...) or a string such as
  "owner__teams", "teams", "managed_teams__pk", "members__in", "managers__id", f"{field}__teams";
- the related managers: `.teams`, `.managed_teams`, `.members.<query>`, `.managers.<query>`,
  `.through`;
- the table names in SQL (accounts_team_members, accounts_team_managers).
Adding members (`team.members.add(...)`, as seed_demo does) is a write, not a read, and is allowed."""

from __future__ import annotations

import ast
import re

from tests.architecture._source import ROOT, app_modules, listing

ACCOUNTS = ROOT / "accounts"
LOOKUP = re.compile(r"(?:^|__)(?:teams|managed_teams)(?:__|$)|(?:^|__)(?:members|managers)__")
TABLE = re.compile(r"accounts_team_(?:members|managers)")
LOOKUP_CALLS = {"filter", "exclude", "get", "get_or_create", "update_or_create", "Q", "FilteredRelation"}
QUERY_METHODS = {
    "all", "filter", "exclude", "values", "values_list", "exists", "count", "order_by", "through",
    "select_related", "prefetch_related", "annotate", "first", "last", "in_bulk", "iterator",
}  # fmt: skip
WRITE_METHODS = {"add", "set", "remove", "clear"}


def _call_name(call: ast.Call) -> str:
    func = call.func
    return func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else ""


def _docstrings(tree: ast.Module) -> set[int]:
    ids = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            first = node.body[0] if node.body else None
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
                ids.add(id(first.value))
    return ids


def membership_reads(tree: ast.Module) -> list[tuple[int, str]]:
    found = []
    docstrings = _docstrings(tree)
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings:
            if LOOKUP.search(node.value) or TABLE.search(node.value):
                found.append((node.lineno, f"lookup or table {node.value.strip()[:50]!r}"))
        elif isinstance(node, ast.Call) and _call_name(node) in LOOKUP_CALLS:
            found += [
                (node.lineno, f"lookup {kw.arg}=") for kw in node.keywords if kw.arg and LOOKUP.search(kw.arg)
            ]
            found += [
                (node.lineno, f"lookup {kw.arg}=")
                for kw in node.keywords
                if kw.arg in {"members", "managers"} and _call_name(node) != "get"
            ]
        elif isinstance(node, ast.Attribute):
            if node.attr in {"teams", "managed_teams"} or node.attr == "through":
                found.append((node.lineno, f".{node.attr}"))
            elif (
                node.attr in QUERY_METHODS
                and isinstance(node.value, ast.Attribute)
                and node.value.attr in {"members", "managers"}
            ):
                found.append((node.lineno, f".{node.value.attr}.{node.attr}"))
    return found


def test_the_scan_finds_each_way_of_reading_memberships():
    code = """
User.objects.filter(teams=team)
Prospect.objects.filter(owner__teams__managers=user)
Team.objects.filter(managers=user)
Q(**{f"{field}__teams": pk})
user.managed_teams.all()
team.members.values_list("pk")
Team.members.through.objects.all()
cursor.execute("SELECT user_id FROM accounts_team_members")
team.members.add(rep)
self.managers.get(team_id, set())
"""
    found = membership_reads(ast.parse(code))
    assert {line for line, _ in found} == set(range(2, 10))


def test_only_accounts_reads_the_team_membership_tables():
    places = [
        f"{name}:{line}: {what}"
        for name, line, what in sorted(
            (module.name, line, what)
            for module in app_modules()
            if ACCOUNTS not in module.path.parents
            for line, what in membership_reads(module.tree)
        )
    ]
    assert not places, (
        "team memberships read outside accounts/; ask accounts.access (visible_users, visible_teams,"
        f" team_member_ids, ...) instead:{listing(places)}"
    )
