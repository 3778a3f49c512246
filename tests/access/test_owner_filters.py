"""Visibility is written once: `accounts.access.visible_owner_ids_q`, behind every `visible_to`.

This test reads the app code and fails on any filter of rows by owner outside accounts/access.py: an
ORM keyword such as `owner=`, `owner_id__in=`, `prospect__owner=` in filter(), exclude(), get() or
Q(), or raw SQL comparing `owner_id` with a parameter or a subquery. A view, fragment, export, job or
selector that needs "who may see what" calls visible_to (or visible_owner_ids_q) instead.

ALLOWED names the few owner filters that are not the visibility rule, each with its reason. An entry
that no longer matches any code fails too, so that the list stays short and true.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

from django.conf import settings

BASE = Path(settings.BASE_DIR)
HOME = "accounts/access.py"  # the one visibility function lives here
OWNER_KEYWORD = re.compile(r"^(\w+__)*owner(_id)?(__\w+)?$")
OWNER_SQL = re.compile(r"\bowner_id\s*(=|IN)\s*(%|\(|ANY\b)", re.I)
FILTER_CALLS = {"filter", "exclude", "get", "Q", "get_or_create", "update_or_create"}

# (path, enclosing function): why this owner filter is not the visibility rule.
ALLOWED: dict[tuple[str, str], str] = {
    ("prospects/forms.py", "ProspectFilterForm.filter"): "the owner picked in a filter, on visible_to",
    ("prospects/counts.py", "pipeline_sums"): "kept counters, of owners resolved by the caller",
    ("prospects/counts.py", "counts_by_owner"): "kept counters, of owners resolved by the caller",
    ("prospects/bulk.py", "prospects_reassign_open"): "担当替え: the leaving rep's rows, not a read",
    ("targets/selectors.py", "cycle_ledger"): "the scope's owners, after access_scope",
    ("targets/selectors.py", "_horizon_moves"): "the scope's owners, after access_scope",
    ("targets/services/check.py", "_history_vectors"): "the check's rollup rows of every scope (a job)",
    ("pipeline/selectors/scope.py", "Scope.prospects"): "owner ids resolved by visible_owner_ids_q",
    (
        "pipeline/selectors/scope.py",
        "scope_choices",
    ): "whether a person offered owns open prospects, on visible_users",
    ("pipeline/selectors/board.py", "_first_ids"): "one column's cards per owner, of a visible column",
    ("activities/calendar.py", "feed_activities"): "the user's own ('mine'), applied to visible_to",
    ("activities/selectors/agenda.py", "_planned"): "a scope's owner ids, applied to visible_to",
    ("activities/yields.py", "samples_read"): "yield statistics of the owners a plan or scope names",
    ("reports/selectors.py", "_sections"): "a day's rows of the reps a scope names, applied to visible_to",
    ("reports/selectors.py", "team_day"): "the day's reports of the scope's reps, applied to visible_to",
    ("reports/selectors.py", "report_of"): "the user's own report ('mine'), applied to visible_to",
    ("reports/selectors.py", "unread_comment_reports"): "the user's own reports, applied to visible_to",
    ("activities/yields.py", "alert_refills"): "what refilled resolved alerts, their scopes' owners (a job)",
}


def _app_files() -> list[Path]:
    apps = [*sorted(p.parent for p in BASE.glob("*/apps.py")), BASE / "salescrm"]
    return [p for app in apps for p in sorted(app.rglob("*.py")) if "migrations" not in p.parts]


def _owner_filters(path: Path) -> list[tuple[str, int, str]]:
    """(qualified name of the enclosing function, line, what) of every owner filter in one file."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    owner_of: dict[int, str] = {}

    def name_scopes(node: ast.AST, qualname: str) -> None:
        for child in ast.iter_child_nodes(node):
            inner = qualname
            if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
                inner = f"{qualname}.{child.name}" if qualname != "<module>" else child.name
            owner_of[id(child)] = inner
            name_scopes(child, inner)

    name_scopes(tree, "<module>")
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", None)
            if name in FILTER_CALLS:
                for keyword in node.keywords:
                    arg = keyword.arg or ""
                    # owner__isnull picks the company's rows of a rollup, not anyone's
                    if OWNER_KEYWORD.match(arg) and not arg.endswith("__isnull"):
                        found.append((owner_of.get(id(node), "<module>"), node.lineno, f"{name}({arg}=)"))
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            match = OWNER_SQL.search(node.value)
            if match:
                found.append((owner_of.get(id(node), "<module>"), node.lineno, f"SQL {match.group(0)!r}"))
    return found


def test_the_scanner_finds_an_owner_filter_in_orm_and_in_sql(tmp_path):
    sample = tmp_path / "sample.py"
    sample.write_text(
        "def page(user):\n"
        "    Prospect.objects.filter(owner=user)\n"
        "    Q(prospect__owner_id__in=ids)\n"
        "    Prospect.objects.create(owner=user)\n"  # a write, not a filter
        "def raw():\n"
        "    return 'SELECT 1 FROM p WHERE owner_id = %s'\n"
        "def join():\n"
        "    return 'SELECT 1 FROM p JOIN o ON o.owner_id = p.owner_id'\n",
        encoding="utf-8",
    )
    assert [(where, what) for where, _line, what in _owner_filters(sample)] == [
        ("page", "filter(owner=)"),
        ("page", "Q(prospect__owner_id__in=)"),
        ("raw", "SQL 'owner_id = %'"),
    ]


def test_rows_are_filtered_by_owner_only_through_the_visibility_function():
    seen: set[tuple[str, str]] = set()
    offenders = []
    for path in _app_files():
        rel = path.relative_to(BASE).as_posix()
        if rel == HOME:
            continue
        for where, line, what in _owner_filters(path):
            if (rel, where) in ALLOWED:
                seen.add((rel, where))
            else:
                offenders.append(f"{rel}:{line} in {where}: {what}")
    assert offenders == [], "filter by owner through visible_to / visible_owner_ids_q:\n" + "\n".join(
        offenders
    )
    assert set(ALLOWED) - seen == set(), (
        "allowed owner filters that no longer exist: remove them from ALLOWED"
    )


MEMBERSHIP_READ = re.compile(
    r"\.(members|managers)\.(through|all|filter|values|values_list|exists|count)\b"
    r"|accounts_team_(members|managers)|\bteams?__(members|managers)|\bmanaged_teams__"
    r"|[(,]\s*(teams|managed_teams)(__\w+)?\s*=[^=]|__(teams|managed_teams)\b"
)
# path: why it still reads team membership outside accounts (to be moved to accounts.access).
MEMBERSHIP_ALLOWED: dict[str, str] = {}


def test_the_membership_scanner_finds_reads_and_ignores_writes():
    reads = ["Team.members.through.objects.all()", "users.filter(teams=team.pk)", 'Q(**{f"{f}__teams": 1})']
    writes = ["team.members.add(user)", "teams = [Team.objects.create(name='a')]", "members.values()"]
    assert all(MEMBERSHIP_READ.search(line) for line in reads)
    assert not any(MEMBERSHIP_READ.search(line) for line in writes)


def test_only_accounts_reads_the_team_membership_tables():
    """Who leads or belongs to which team is read in accounts (accounts.access), nowhere else."""
    offenders, seen = [], set()
    for path in _app_files():
        rel = path.relative_to(BASE).as_posix()
        if rel.startswith("accounts/"):
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if MEMBERSHIP_READ.search(line):
                if rel in MEMBERSHIP_ALLOWED:
                    seen.add(rel)
                else:
                    offenders.append(f"{rel}:{number}: {line.strip()}")
    assert offenders == []
    assert set(MEMBERSHIP_ALLOWED) - seen == set(), "remove the entries that no longer read membership"
