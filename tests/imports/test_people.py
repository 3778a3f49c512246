"""The people import: accounts, teams and managers from a file, with the prospect import's mapping, dry
run and all-or-nothing rules; admins only."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse
from django.utils import translation

from accounts.access import can_manage, managers_of, visible_users
from accounts.models import Role, Team, User
from accounts.names import split_name
from accounts.services import user_set_active
from imports import parsing
from imports.models import ImportJob, ImportKind, JobPhase, JobStatus
from imports.services import people as people_service
from imports.services import (
    people_job_create,
    people_job_preview,
    people_job_run,
    people_job_set_mapping,
    people_job_start,
)
from tests.imports.conftest import csv_bytes, upload, xlsx_bytes

pytestmark = pytest.mark.django_db

HEADER = ["氏名", "メールアドレス", "役割", "チーム", "上長"]
GOOD = [
    HEADER,
    ["佐藤 花子", "hanako@example.jp", "マネージャー", "東京営業部", ""],
    ["Moses Frase", "moses@example.com", "rep", "東京営業部", "hanako@example.jp"],
    ["John Smith", "john@example.com", "営業", "大阪営業部", "佐藤 花子"],
    ["鈴木 一郎", "ichiro@example.jp", "管理者", "", ""],
]


def people_job(by: User, rows, name: str = "people.csv") -> ImportJob:
    content = xlsx_bytes(rows) if name.endswith(".xlsx") else csv_bytes(rows)
    return people_job_create(by=by, upload=upload(content, name))


def checked(by: User, rows, **kwargs) -> ImportJob:
    job = people_job(by, rows, **kwargs)
    assert people_job_start(job=job, phase=JobPhase.PREVIEW)
    job.refresh_from_db()
    return job


def imported(by: User, rows) -> ImportJob:
    job = checked(by, rows)
    assert people_job_start(job=job, phase=JobPhase.IMPORT), job.errors
    job.refresh_from_db()
    return job


def reasons(job: ImportJob, row: int) -> list[str]:
    return [e["reason"] for e in job.errors if e["row"] == row]


def said(job: ImportJob, message) -> str:
    """A message as the job wrote it: in the language of its upload."""
    with translation.override(job.options["language"]):
        return str(message)


# --- Guesses


@pytest.mark.parametrize(
    ("header", "field"),
    [
        ("name", "name"),
        ("氏名", "name"),
        ("名前", "name"),
        ("E-mail", "email"),
        ("メール", "email"),
        ("メールアドレス", "email"),
        ("Role", "role"),
        ("役割", "role"),
        ("権限", "role"),
        ("team", "team"),
        ("チーム", "team"),
        ("所属", "team"),
        ("Manager", "manager"),
        ("上長", "manager"),
        ("マネージャー", "manager"),
        ("username", "username"),
        ("ユーザー名", "username"),
        ("顧客名", None),
    ],
)
def test_people_headers_are_guessed_in_both_languages(header, field):
    assert parsing.guess_people_field(header) == field


def test_the_people_guesses_do_not_change_the_prospect_guesses():
    assert parsing.guess_field("氏名") == "contact_name"
    assert parsing.guess_field("所属") == "contact_department"
    assert parsing.guess_people_columns(["氏名", "所属", "Name"]) == {"氏名": "name", "所属": "team"}


@pytest.mark.parametrize(
    ("value", "role"),
    [
        ("rep", Role.REP),
        ("営業", Role.REP),
        ("Manager", Role.MANAGER),
        ("マネージャー", Role.MANAGER),
        ("admin", Role.ADMIN),
        ("管理者", Role.ADMIN),
        ("社長", None),
    ],
)
def test_role_values_are_guessed_in_both_languages(value, role):
    assert parsing.guess_value("role", value) == role


def test_an_upload_of_people_guesses_its_columns(personas):
    job = people_job(personas.admin, GOOD)
    assert job.kind == ImportKind.PEOPLE
    assert job.mapping["columns"] == {
        "氏名": "name",
        "メールアドレス": "email",
        "役割": "role",
        "チーム": "team",
        "上長": "manager",
    }


@pytest.mark.parametrize(
    ("text", "parts"),
    [
        ("Moses Frase", ("Frase", "Moses")),
        ("Mary Ann Lee", ("Lee", "Mary Ann")),
        ("Frase, Moses", ("Frase", "Moses")),
        ("田中 翔太", ("田中", "翔太")),
        ("田中\u3000翔太", ("田中", "翔太")),
        ("田中翔太", ("田中翔太", "")),
        ("  Madonna ", ("Madonna", "")),
    ],
)
def test_a_name_is_split_into_family_and_given_name(text, parts):
    assert split_name(text) == parts


# --- Dry run


def test_the_dry_run_writes_nothing_and_shows_what_will_be_created(personas):
    users_before = User.objects.count()
    job = checked(personas.admin, GOOD)
    assert job.status == JobStatus.PREVIEWED and job.error_count == 0
    assert User.objects.count() == users_before
    assert not Team.objects.filter(name__in=["東京営業部", "大阪営業部"]).exists()
    assert job.created_count == 4
    assert job.people["teams_created"] == ["大阪営業部", "東京営業部"]
    assert {(m["manager"], m["team"]) for m in job.people["manages"]} == {
        ("佐藤 花子", "東京営業部"),
        ("佐藤 花子", "大阪営業部"),
    }
    moses = next(p for p in job.preview if p["email"] == "moses@example.com")
    assert moses["name"] == "Moses Frase" and moses["manager"] == "佐藤 花子" and moses["team_new"]


def test_the_dry_run_reports_every_error_of_a_row_at_once(personas):
    rows = [
        HEADER,
        ["", "not-an-address", "社長", "東京営業部", "nobody"],
        ["佐藤 花子", "hanako@example.jp", "rep", "", ""],
        ["佐藤 次郎", "HANAKO@example.jp", "rep", "東京営業部", "佐藤 花子"],
    ]
    job = checked(personas.admin, rows)
    assert len(reasons(job, 2)) == 4  # no name, a bad address, an unknown role, an unknown manager
    assert said(job, people_service.MISSING_NAME) in reasons(job, 2)
    assert said(job, people_service.UNKNOWN_MANAGER) in reasons(job, 2)
    assert reasons(job, 3) == []
    assert reasons(job, 4) == [
        said(job, people_service.EMAIL_IN_FILE % {"row": 3}),
        said(job, people_service.NOT_A_MANAGER % {"name": "佐藤 花子"}),  # a rep
    ]
    # Rows with errors and errors are counted apart.
    assert job.people["error_rows"] == 2
    assert job.error_count == 6  # row 4's username (its e-mail address) is not reported again
    assert not job.can_import
    assert [e["row"] for e in job.errors] == sorted(e["row"] for e in job.errors)


def test_the_people_job_page_says_where_its_error_list_stops(personas, login, monkeypatch):
    rows = [HEADER, ["", "not-an-address", "社長", "", ""], ["", "x", "rep", "", ""]]
    job = checked(personas.admin, rows)
    monkeypatch.setattr("imports.views.ERROR_ROWS_ON_PAGE", 1)  # the one page size of both imports
    client = login(personas.admin)
    client.cookies["django_language"] = "en"
    page = client.get(reverse("imports:people_job", args=[job.pk])).content.decode()
    assert len(job.errors) == job.error_count > 1  # a people import keeps every error it reports
    assert f"The first error is shown; the CSV has all {job.error_count}." in page
    assert page.count('<td data-label="Reason">') == 1


def test_an_existing_e_mail_or_username_is_an_error(personas):
    personas.owner.email = "owner@example.jp"
    personas.owner.save()
    rows = [
        ["name", "email", "username"],
        ["田中 翔太", "Owner@example.jp", ""],
        ["New Person", "new@example.jp", "teammate"],
        ["Other Person", "other@example.jp", "bad name!"],
    ]
    job = checked(personas.admin, rows)
    exists = people_service.EMAIL_EXISTS % {"user": f"{personas.owner.display_name}, owner"}
    assert reasons(job, 2) == [said(job, exists)]  # its username (the address) is not reported again
    assert reasons(job, 3) == [said(job, people_service.USERNAME_EXISTS % {"username": "teammate"})]
    assert reasons(job, 4) == [said(job, people_service.BAD_USERNAME)]


def test_a_manager_needs_a_team_and_is_found_among_existing_users(personas):
    rows = [
        ["name", "email", "team", "manager"],
        ["A Person", "a@example.jp", "", "manager"],  # personas.manager, by username
        ["B Person", "b@example.jp", "Team A", "manager"],
        ["C Person", "c@example.jp", "Team A", "owner"],  # a rep
    ]
    job = checked(personas.admin, rows)
    assert reasons(job, 2) == [said(job, people_service.MANAGER_NEEDS_TEAM)]
    assert reasons(job, 3) == []
    assert reasons(job, 4) == [said(job, people_service.NOT_A_MANAGER % {"name": "田中 翔太"})]
    assert job.people["teams_created"] == []  # "Team A" exists


def test_the_role_value_mapping_decides_an_unknown_word(personas):
    rows = [["name", "email", "role"], ["A Person", "a@example.jp", "課長"]]
    job = people_job(personas.admin, rows)
    people_job_set_mapping(job=job, columns=job.mapping["columns"], values={"role": {"課長": "manager"}})
    job = people_job_preview(job=job)
    assert job.error_count == 0 and job.preview[0]["role"] == said(job, Role.MANAGER.label)


def test_the_mapping_needs_a_name_and_an_e_mail_column(personas):
    job = people_job(personas.admin, GOOD)
    with pytest.raises(people_service.ImportRefused):
        people_job_set_mapping(job=job, columns={"氏名": "name"}, values={})
    with pytest.raises(people_service.ImportRefused):
        people_job_set_mapping(job=job, columns={"氏名": "name", "メールアドレス": "name"}, values={})


# --- Import


def test_the_import_creates_accounts_teams_and_managers_that_access_sees(personas):
    job = imported(personas.admin, GOOD)
    assert job.status == JobStatus.DONE and job.created_count == 4
    hanako = User.objects.get(email="hanako@example.jp")
    moses = User.objects.get(email="moses@example.com")
    john = User.objects.get(email="john@example.com")
    ichiro = User.objects.get(email="ichiro@example.jp")
    assert (moses.last_name, moses.first_name, moses.username) == ("Frase", "Moses", "moses@example.com")
    assert (hanako.role, moses.role, ichiro.role) == (Role.MANAGER, Role.REP, Role.ADMIN)
    # Created as the prospect import creates owners: inactive, without a usable password.
    assert not any(u.is_active or u.has_usable_password() for u in (hanako, moses, john, ichiro))
    tokyo, osaka = Team.objects.get(name="東京営業部"), Team.objects.get(name="大阪営業部")
    # accounts' own rules see the relations once the manager is active.
    user_set_active(user=hanako, active=True, by=personas.admin)
    assert set(visible_users(hanako)) == {hanako, moses, john}
    assert can_manage(hanako, moses) and can_manage(hanako, john)
    assert managers_of({moses.pk, john.pk}) == {moses.pk: {hanako.pk}, john.pk: {hanako.pk}}
    assert tokyo.pk != osaka.pk


def test_an_existing_manager_named_in_the_file_manages_the_rows_team(personas):
    rows = [
        ["name", "email", "team", "manager"],
        [
            "Newcomer One",
            "one@example.jp",
            "\uff54\uff45\uff41\uff4d\u3000\uff41",
            "manager",
        ],  # "Team A" in full-width
        ["Newcomer Two", "two@example.jp", "Team C", "manager@example.com"],
    ]
    personas.manager.email = "manager@example.com"
    personas.manager.save()
    teams_before = Team.objects.count()
    job = imported(personas.admin, rows)
    assert job.status == JobStatus.DONE, job.errors
    assert Team.objects.count() == teams_before + 1  # Team C only
    one, two = User.objects.get(email="one@example.jp"), User.objects.get(email="two@example.jp")
    assert {one, two} <= set(visible_users(personas.manager))
    assert one not in visible_users(personas.other_manager)


def test_a_failing_row_leaves_no_account_and_no_team(personas):
    rows = [*GOOD, ["Bad Row", "bad", "rep", "名古屋営業部", ""]]
    job = people_job(personas.admin, rows)
    job = people_job_preview(job=job)
    assert job.error_count == 1
    users_before, teams_before = User.objects.count(), Team.objects.count()
    job = people_job_run(job=job)  # run anyway (the page refuses): every row is checked again
    assert job.status == JobStatus.FAILED
    assert (User.objects.count(), Team.objects.count()) == (users_before, teams_before)
    assert not User.objects.filter(email="hanako@example.jp").exists()


def test_an_error_found_only_at_the_import_rolls_everything_back(personas):
    job = checked(personas.admin, GOOD)
    User.objects.create_user(username="late", email="john@example.com")  # taken since the dry run
    users_before, teams_before = User.objects.count(), Team.objects.count()
    assert people_job_start(job=job, phase=JobPhase.IMPORT)
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED and job.error_count == 1
    assert (User.objects.count(), Team.objects.count()) == (users_before, teams_before)


def test_an_import_cannot_run_twice(personas):
    job = imported(personas.admin, GOOD)
    assert not people_job_start(job=job, phase=JobPhase.IMPORT)
    assert User.objects.filter(email="moses@example.com").count() == 1


def test_a_file_of_more_people_than_a_request_imports_is_refused(personas, settings):
    settings.IMPORT_ASYNC_ROWS = 3
    with pytest.raises(people_service.ImportRefused) as refused:
        people_job(personas.admin, GOOD)
    assert refused.value.reason == people_service.TOO_MANY_PEOPLE % {"rows": 4, "limit": 3}
    assert not ImportJob.objects.exists()


def test_an_xlsx_file_of_people_imports(personas):
    job = checked(personas.admin, GOOD, name="people.xlsx")
    assert job.error_count == 0 and job.created_count == 4


# --- Pages and permissions


@pytest.mark.parametrize("who", ["owner", "manager"])
def test_only_an_admin_may_import_people(personas, login, who):
    client = login(getattr(personas, who))
    assert client.get(reverse("imports:people_upload")).status_code == 403
    job = people_job(personas.admin, GOOD)
    for name in ("people_job", "people_mapping"):
        assert client.get(reverse(f"imports:{name}", args=[job.pk])).status_code == 403
    assert client.post(reverse("imports:people_run", args=[job.pk])).status_code == 403
    assert "people_upload" not in client.get(reverse("imports:list")).content.decode()


def test_the_prospect_pages_do_not_open_a_people_import(personas, login):
    client = login(personas.admin)
    job = people_job(personas.admin, GOOD)
    assert client.get(reverse("imports:job", args=[job.pk])).status_code == 404
    assert client.post(reverse("imports:run", args=[job.pk])).status_code == 404


def test_upload_map_check_and_import_people_in_the_browser(personas, login):
    client = login(personas.admin)
    assert reverse("imports:people_upload") in client.get(reverse("imports:list")).content.decode()
    assert reverse("imports:people_upload") in client.get(reverse("user_list")).content.decode()
    response = client.post(
        reverse("imports:people_upload"), {"file": upload(csv_bytes(GOOD), "people.csv"), "encoding": "auto"}
    )
    job = ImportJob.objects.get(kind=ImportKind.PEOPLE)
    assert response["Location"] == reverse("imports:people_mapping", args=[job.pk])
    page = client.get(reverse("imports:people_mapping", args=[job.pk])).content.decode()
    assert 'name="val-2-0"' in page  # the role column's values to map
    columns = {f"col-{i}": f for i, f in enumerate(["name", "email", "role", "team", "manager"])}
    response = client.post(reverse("imports:people_mapping", args=[job.pk]), columns)
    assert response["Location"] == reverse("imports:people_job", args=[job.pk])
    page = client.get(reverse("imports:people_job", args=[job.pk])).content.decode()
    assert "大阪営業部" in page and "moses@example.com" in page
    assert not User.objects.filter(email="moses@example.com").exists()
    client.post(reverse("imports:people_run", args=[job.pk]))
    job.refresh_from_db()
    assert job.status == JobStatus.DONE
    assert User.objects.filter(email="moses@example.com", is_active=False).exists()
    assert job.get_absolute_url() in client.get(reverse("imports:list")).content.decode()


def test_the_page_shows_rows_with_errors_and_errors_apart(personas, login):
    client = login(personas.admin)
    rows = [HEADER, ["", "bad", "社長", "", ""]]
    job = checked(personas.admin, rows)
    page = client.get(reverse("imports:people_job", args=[job.pk])).content.decode()
    assert job.people["error_rows"] == 1 and job.error_count == 3
    assert re.search(r"<dd>1</dd>\s*<dt>[^<]+</dt><dd>3</dd>", page)  # rows with errors, then errors
    errors = client.get(reverse("imports:errors", args=[job.pk]))
    assert errors.status_code == 200
    assert "bad" in b"".join(errors.streaming_content).decode("utf-8-sig")


def test_a_mapping_without_an_e_mail_column_is_refused_on_the_page(personas, login):
    client = login(personas.admin)
    job = people_job(personas.admin, GOOD)
    response = client.post(reverse("imports:people_mapping", args=[job.pk]), {"col-0": "name"})
    assert response.status_code == 422
    job.refresh_from_db()
    assert job.status == JobStatus.UPLOADED
