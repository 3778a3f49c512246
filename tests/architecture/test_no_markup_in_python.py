"""Markup lives in templates (STYLE.md 25): no app module builds HTML in Python.

The rule, as this test applies it: outside docstrings, no string literal in an app module (a plain
string, a byte string, or the literal parts of an f-string) holds an HTML tag, that is `<name` of an
HTML or SVG element followed by a space, `>`, `/` or the end of the literal, a closing `</name`, or
`<!`. That catches
f-strings and concatenation ("<td>" + value) alike, since each starts from such a literal. A
format_html() or mark_safe() with a template string literal is markup in Python too, however small or
attribute-free: it belongs in a template, a partial ({% partialdef %}) or an {% include %} with the
values passed in. Docstrings and __repr__ methods are not read, nor are migrations."""

from __future__ import annotations

import ast
import re

from tests.architecture._source import app_modules, listing

ELEMENTS = """
a abbr address article aside audio b bdi bdo blockquote body br button canvas caption circle cite code
col colgroup data datalist dd defs del details dfn dialog div dl dt ellipse em embed fieldset figcaption
figure footer form g h1 h2 h3 h4 h5 h6 head header hgroup hr html i iframe img input ins kbd label legend
li line link main mark menu meta meter nav noscript object ol optgroup option output p path picture
polygon polyline pre progress q rect rp rt ruby s samp script search section select slot small source
span strong style sub summary sup svg table tbody td template text textarea tfoot th thead time title
tr tspan u ul use var video wbr
"""
# An element name, so URL patterns ("<int:pk>", "<uidb64>") and reprs ("<ProspectRow 1>") are not markup.
TAG = re.compile(rf"<(?:/?(?:{'|'.join(ELEMENTS.split())})(?=[\s/>]|$)|!)", re.IGNORECASE)


def _exempt_nodes(tree: ast.Module) -> set[int]:
    """Docstrings, and everything inside a __repr__ (a Python repr reads "<ProspectRow 12>")."""
    ids = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
                ids.add(id(body[0].value))
        if isinstance(node, ast.FunctionDef) and node.name == "__repr__":
            ids.update(id(inner) for inner in ast.walk(node))
    return ids


def markup_literals() -> list[str]:
    """One "module:line: first literal" per line that holds markup, in file order."""
    places: dict[tuple[str, int], str] = {}
    for module in app_modules():
        exempt = _exempt_nodes(module.tree)
        for node in ast.walk(module.tree):
            if not isinstance(node, ast.Constant) or id(node) in exempt:
                continue
            value = node.value
            if isinstance(value, bytes):
                value = value.decode("utf-8", "replace")
            if isinstance(value, str) and TAG.search(value):
                snippet = value.strip().replace("\n", " ")[:60]
                places.setdefault((module.name, node.lineno), f"{module.name}:{node.lineno}: {snippet!r}")
    return [places[key] for key in sorted(places)]


def test_the_tag_pattern_finds_markup_and_leaves_comparisons_alone():
    found = [
        text
        for text in ['<td class="n">', "</tr>", "<br>", "<a href=", "<!-- x -->", '"<li']
        if TAG.search(text)
    ]
    assert len(found) == 6
    assert not [
        text
        for text in ["a <= b", "1 < 2", "x << 2", "reset/<uidb64>/<token>/", "<int:pk>/", "<Row 3>"]
        if TAG.search(text)
    ]


def test_no_app_module_builds_html_in_python():
    places = markup_literals()
    assert not places, (
        f"{len(places)} string literal(s) in app code hold HTML; move the markup to a template"
        f" (see the rule in this module's docstring):{listing(places)}"
    )
