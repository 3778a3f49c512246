"""The reps an import created, activated in one step from the finished import's page (admins), and the
Django admin's bulk actions."""

from __future__ import annotations

import pytest
from django.core import mail
from django.urls import reverse

from accounts.models import User
from imports.models import JobStatus
from pipeline.selectors import scope_choices
from tests.conftest import make_user
from tests.imports.conftest import run_import

pytestmark = pytest.mark.django_db

ROWS = [["会社名", "担当者"], ["A", "Moses Frase"], ["B", "山本 太郎"], ["C", "new.rep@example.jp"]]


@pytest.fixture
def job(personas):
    job = run_import(personas.admin, ROWS, create_owners=True)
    assert job.status == JobStatus.DONE, job.errors
    return job


def created(job) -> set[str]:
    return set(job.created_owners.values_list("username", flat=True))


def test_the_import_remembers_the_reps_it_created(job):
    assert created(job) == {"MosesFrase", "山本太郎", "new.rep@example.jp"}
    assert not job.created_owners.filter(is_active=True).exists()


def test_the_finished_import_offers_the_admin_to_activate_its_new_reps(personas, login, job):
    page = login(personas.admin).get(reverse("imports:job", args=[job.pk])).content.decode()
    assert reverse("imports:activate_owners", args=[job.pk]) in page
    assert "Moses Frase" in page and "山本 太郎" in page


def test_the_admin_activates_exactly_the_reps_of_this_import_into_a_team(personas, login, job):
    other_inactive = make_user("left-last-year", is_active=False)
    active_before = set(User.objects.filter(is_active=True).values_list("username", flat=True))
    response = login(personas.admin).post(
        reverse("imports:activate_owners", args=[job.pk]), {"team": personas.team.pk, "invite": "on"}
    )
    assert response.status_code == 302
    active_after = set(User.objects.filter(is_active=True).values_list("username", flat=True))
    assert active_after - active_before == created(job)
    other_inactive.refresh_from_db()
    assert other_inactive.is_active is False
    assert created(job) <= set(personas.team.members.values_list("username", flat=True))
    # Only the rep with an e-mail address gets the invitation with the set-password link.
    assert [m.to for m in mail.outbox] == [["new.rep@example.jp"]]
    assert "/password/reset/" in mail.outbox[0].body
    # Done: the page no longer offers it.
    page = login(personas.admin).get(reverse("imports:job", args=[job.pk])).content.decode()
    assert reverse("imports:activate_owners", args=[job.pk]) not in page


def test_a_rep_without_a_team_is_fine(personas, login, job):
    login(personas.admin).post(reverse("imports:activate_owners", args=[job.pk]), {"team": ""})
    moses = User.objects.get(username="MosesFrase")
    assert moses.is_active and not moses.teams.exists()
    assert mail.outbox == []


def test_the_admin_is_told_who_got_no_invitation(personas, login, job):
    client = login(personas.admin)
    url = reverse("imports:activate_owners", args=[job.pk])
    response = client.post(url, {"invite": "on"}, follow=True, HTTP_ACCEPT_LANGUAGE="en")
    shown = [str(m) for m in response.context["messages"]]
    assert any("3 reps were activated" in m for m in shown)
    assert any(m.startswith("No e-mail address") and "Moses Frase" in m and "山本 太郎" in m for m in shown)
    again = client.post(url, {"invite": "on"}, follow=True, HTTP_ACCEPT_LANGUAGE="en")
    assert [str(m) for m in again.context["messages"]] == ["The reps of this import are active already."]
    assert len(mail.outbox) == 1


def test_an_unknown_team_is_a_form_error(personas, login, job):
    response = login(personas.admin).post(
        reverse("imports:activate_owners", args=[job.pk]), {"team": "99999"}
    )
    assert response.status_code == 422
    assert not job.created_owners.filter(is_active=True).exists()


@pytest.mark.parametrize("who", ["manager", "owner"])
def test_only_an_admin_may_activate(personas, login, job, who):
    response = login(getattr(personas, who)).post(reverse("imports:activate_owners", args=[job.pk]), {})
    assert response.status_code in (403, 404)
    assert not job.created_owners.filter(is_active=True).exists()


def test_the_activated_rep_is_in_the_boards_scope_menu(personas, login, job):
    moses = User.objects.get(username="MosesFrase")
    key = f"user-{moses.pk}"
    assert dict(scope_choices(personas.manager)).get(key) is None  # not in the manager's team yet
    assert dict(scope_choices(personas.admin))[key] != "Moses Frase"  # marked inactive

    login(personas.admin).post(reverse("imports:activate_owners", args=[job.pk]), {"team": personas.team.pk})
    assert dict(scope_choices(personas.admin))[key] == "Moses Frase"
    board = login(personas.manager).get(reverse("pipeline:board"))
    assert (key, "Moses Frase") in board.context["scope_choices"]


def test_the_django_admin_activates_and_deactivates_a_selection(personas, login, job):
    client = login(personas.admin)
    users = list(job.created_owners.order_by("pk"))
    url = reverse("admin:accounts_user_changelist")
    selected = [str(u.pk) for u in users[:2]]
    response = client.post(url, {"action": "activate_users", "_selected_action": selected})
    assert response.status_code == 302
    assert [User.objects.get(pk=u.pk).is_active for u in users] == [True, True, False]

    client.post(url, {"action": "deactivate_users", "_selected_action": selected[:1]})
    assert [User.objects.get(pk=u.pk).is_active for u in users] == [False, True, False]


def test_the_django_admin_refuses_to_deactivate_the_admin_themselves(personas, login):
    client = login(personas.admin)
    url = reverse("admin:accounts_user_changelist")
    client.post(
        url, {"action": "deactivate_users", "_selected_action": [personas.admin.pk, personas.owner.pk]}
    )
    personas.owner.refresh_from_db()
    assert personas.owner.is_active and User.objects.get(pk=personas.admin.pk).is_active
