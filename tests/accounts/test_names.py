"""One rule for names (accounts.names): Japanese script family name first, Latin script given name
first; the import splits by it and every page shows by it."""

from __future__ import annotations

import pytest
from django.urls import reverse

from accounts.models import User
from accounts.names import join_name, split_name
from imports.models import JobStatus
from imports.services import import_job_preview
from tests.conftest import make_prospect, make_user
from tests.imports.conftest import create_job, csv_bytes, run_import


@pytest.mark.parametrize(
    ("text", "last", "first"),
    [
        ("Moses Frase", "Frase", "Moses"),
        ("  Mary Ann   Smith ", "Smith", "Mary Ann"),
        ("Frase, Moses", "Frase", "Moses"),
        ("田中 翔太", "田中", "翔太"),
        ("田中\u3000翔太", "田中", "翔太"),  # the ideographic space
        ("佐々木 ひなた", "佐々木", "ひなた"),
        ("Madonna", "Madonna", ""),
        ("田中翔太", "田中翔太", ""),  # no space: no way to tell where the family name ends
    ],
)
def test_a_full_name_splits_by_its_script(text, last, first):
    assert split_name(text) == (last, first)


@pytest.mark.parametrize(
    ("last", "first", "shown"),
    [("Frase", "Moses", "Moses Frase"), ("田中", "翔太", "田中 翔太"), ("Frase", "", "Frase"), ("", "", "")],
)
def test_a_name_is_shown_in_the_order_of_its_script(last, first, shown):
    assert join_name(last, first) == shown


@pytest.mark.parametrize("text", ["Moses Frase", "田中 翔太", "Mary Ann Smith"])
def test_split_then_join_gives_the_name_back(text):
    assert join_name(*split_name(text)) == text


@pytest.mark.django_db
def test_users_are_shown_by_the_rule_everywhere(personas, login):
    moses = make_user("moses", last_name="Frase", first_name="Moses")
    personas.team.members.add(moses)
    assert moses.display_name == moses.get_full_name() == str(moses) == "Moses Frase"
    assert personas.owner.display_name == "田中 翔太"
    assert User.format_name("Frase", "Moses", "moses") == "Moses Frase"  # rows read with values()
    p = make_prospect(moses, name="Frase deal")
    page = login(personas.manager).get(reverse("prospects:detail", args=[p.pk])).content.decode()
    assert "Moses Frase" in page and "Frase Moses" not in page
    board = login(personas.manager).get(reverse("pipeline:board"), {"scope": f"team-{personas.team.pk}"})
    assert (f"user-{moses.pk}", "Moses Frase") in board.context["scope_choices"]


@pytest.mark.django_db
def test_the_import_splits_new_owners_by_the_rule(personas):
    rows = [["会社名", "担当者"], ["A", "Moses Frase"], ["B", "山本 太郎"]]
    preview = import_job_preview(job=create_job(personas.admin, csv_bytes(rows), create_owners=True))
    assert [p["owner"] for p in preview.preview] == ["Moses Frase", "山本 太郎"]
    job = run_import(personas.admin, rows, create_owners=True)
    assert job.status == JobStatus.DONE, job.errors
    moses = User.objects.get(username="MosesFrase")
    yamamoto = User.objects.get(username="山本太郎")
    assert (moses.last_name, moses.first_name, moses.display_name) == ("Frase", "Moses", "Moses Frase")
    assert (yamamoto.last_name, yamamoto.first_name, yamamoto.display_name) == ("山本", "太郎", "山本 太郎")
