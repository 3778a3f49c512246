"""The app modules the architecture tests read: every .py file of the apps (the fixed list below and
any other top-level folder with an apps.py), migrations excluded. Read from the working tree, so a new
module or app is checked the day it appears."""

from __future__ import annotations

import ast
import functools
import io
import tokenize
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
NAMED_APPS = ("accounts", "prospects", "pipeline", "closing", "targets", "imports", "salescrm")


def app_dirs() -> list[Path]:
    found = {ROOT / name for name in NAMED_APPS}
    found |= {path.parent for path in ROOT.glob("*/apps.py")}
    return sorted(path for path in found if path.is_dir())


@dataclass(frozen=True)
class Module:
    path: Path

    @property
    def name(self) -> str:
        return self.path.relative_to(ROOT).as_posix()

    @functools.cached_property
    def text(self) -> str:
        return self.path.read_text(encoding="utf-8")

    @functools.cached_property
    def tree(self) -> ast.Module:
        return ast.parse(self.text, filename=self.name)

    def comments(self) -> Iterator[tuple[int, str]]:
        """(line, text) of every # comment."""
        for token in tokenize.generate_tokens(io.StringIO(self.text).readline):
            if token.type == tokenize.COMMENT:
                yield token.start[0], token.string

    def docstrings(self) -> Iterator[tuple[int, str]]:
        """(line, text) of every module, class and function docstring."""
        for node in ast.walk(self.tree):
            if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
                body = node.body
                first = body[0] if body else None
                value = first.value if isinstance(first, ast.Expr) else None
                if isinstance(value, ast.Constant) and isinstance(value.value, str):
                    yield first.lineno, value.value


def is_migration(path: Path) -> bool:
    return "migrations" in path.parts


def app_modules(*, with_migrations: bool = False) -> list[Module]:
    modules = []
    for folder in app_dirs():
        for path in sorted(folder.rglob("*.py")):
            if "__pycache__" in path.parts or (is_migration(path) and not with_migrations):
                continue
            modules.append(Module(path))
    return modules


def listing(places: list[str]) -> str:
    return "\n  " + "\n  ".join(places) if places else " none"
