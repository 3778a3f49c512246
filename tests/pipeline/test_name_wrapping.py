"""Japanese names and company names wrap only at sensible points (田中 翔太 never as 田中 翔/太): every
cell of a pipeline table that shows a person's or a prospect's name carries the classes whose CSS keeps
the name whole, on screen and in the A4 print view."""

from decimal import Decimal
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

from pipeline.selectors import user_scope
from pipeline.services import snapshot_take
from prospects.models import Prospect
from salescrm.lib.months import add_months
from tests.conftest import make_prospect

pytestmark = pytest.mark.django_db
PERSON, COMPANY = "name-text person-name", "name-text"


class _NameCells(HTMLParser):
    """(data-label, class) of every table cell labelled Owner or Prospect, and the card name parts."""

    def __init__(self):
        super().__init__()
        self.cells = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        classes = attrs.get("class") or ""
        if tag == "td" and attrs.get("data-label") in ("Owner", "Prospect"):
            self.cells.append((attrs["data-label"], classes))
        if "card-name" in classes.split() or "card-owner" in classes.split():
            self.cells.append(("Prospect" if "card-name" in classes else "Owner", classes))


def _cells(body):
    parser = _NameCells()
    parser.feed(body)
    return parser.cells


def _assert_whole_names(cells):
    assert cells
    for label, classes in cells:
        wanted = PERSON if label == "Owner" else COMPANY
        assert set(wanted.split()) <= set(classes.split()), (label, classes)


@pytest.fixture
def names(personas, month):
    personas.owner.last_name, personas.owner.first_name = "田中", "翔太"
    personas.owner.save()
    return make_prospect(
        personas.owner, name="株式会社テスト商事", expected_month=month, amount=Decimal("1000000")
    )


@pytest.mark.parametrize("printing", [False, True])
def test_the_month_list_keeps_names_whole_on_screen_and_in_print(personas, names, client, printing):
    client.force_login(personas.manager)
    client.cookies["django_language"] = "en"
    params = {"scope": f"team-{personas.team.pk}"} | ({"print": "1"} if printing else {})
    body = client.get(reverse("pipeline:month_list"), params).content.decode()
    cells = _cells(body)
    assert {label for label, _classes in cells} == {"Owner", "Prospect"}
    _assert_whole_names(cells)


def test_the_board_card_keeps_names_whole(personas, names, client):
    client.force_login(personas.manager)  # a manager's card shows the owner too
    body = client.get(reverse("pipeline:board"), {"scope": f"team-{personas.team.pk}"}).content.decode()
    cells = _cells(body)
    assert {label for label, _classes in cells} == {"Owner", "Prospect"}
    _assert_whole_names(cells)


def test_the_snapshot_page_keeps_names_whole(personas, names, client, month):
    snapshot, _created = snapshot_take(scope=user_scope(personas.owner), month=month)
    make_prospect(personas.owner, name="追加の案件", expected_month=month)  # an "added" row too
    Prospect.objects.filter(pk=names.pk).update(expected_month=add_months(month, 1))  # a "slipped" one
    client.force_login(personas.owner)
    client.cookies["django_language"] = "en"
    body = client.get(reverse("pipeline:snapshot", args=[snapshot.pk])).content.decode()
    cells = _cells(body)
    assert len(cells) == 4  # owner and prospect of the slipped line and of the added prospect
    _assert_whole_names(cells)


def test_the_css_keeps_names_whole_on_screen_and_in_print():
    css = (Path(settings.BASE_DIR) / "static/css/pipeline.css").read_text()
    screen, _sep, printed = css.partition("@media print")
    for part in (screen, printed):
        assert ".name-text { word-break: keep-all;" in part
        assert ".person-name { white-space: nowrap; }" in part
