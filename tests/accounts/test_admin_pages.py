"""The administrator's account pages: invite by e-mail, password links (Django's own views),
deactivate / reactivate, and 担当替え of every open prospect of a leaving rep."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.urls import reverse

from accounts.models import Role, User
from prospects.models import Prospect
from tests.conftest import make_prospect

pytestmark = pytest.mark.django_db


def _link(message) -> str:
    return re.search(r"https?://[^/\s]+(/\S+)", message.body).group(1)


def test_admin_invites_a_user_who_sets_a_password_from_the_link(personas, client):
    client.force_login(personas.admin)
    response = client.post(
        reverse("user_invite"),
        {
            "email": "new@example.jp",
            "username": "newrep",
            "last_name": "新井",
            "first_name": "花",
            "role": Role.REP,
            "teams": [personas.team.pk],
        },
        HTTP_ACCEPT_LANGUAGE="ja",
    )
    assert response.status_code == 302
    user = User.objects.get(username="newrep")
    assert not user.has_usable_password() and list(user.teams.all()) == [personas.team]
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["new@example.jp"]
    assert "アカウント" in mail.outbox[0].subject and "newrep" in mail.outbox[0].body
    event = User.pgh_event_models["insert"].objects.select_related("pgh_context").get(pgh_obj=user)
    assert event.pgh_context.metadata["user"] == personas.admin.pk

    client.logout()
    link = _link(mail.outbox[0])
    form_page = client.get(link, follow=True)
    assert form_page.status_code == 200 and form_page.context["validlink"]
    done = client.post(
        form_page.redirect_chain[-1][0],
        {"new_password1": "a-long-Pass-2026", "new_password2": "a-long-Pass-2026"},
    )
    assert done.status_code == 302
    assert User.objects.get(username="newrep").check_password("a-long-Pass-2026")
    # The link works once.
    client.logout()
    assert not client.get(link, follow=True).context["validlink"]


def test_an_invitation_with_a_taken_username_is_a_form_error(personas, client):
    client.force_login(personas.admin)
    response = client.post(
        reverse("user_invite"),
        {"email": "x@example.jp", "username": "OWNER", "last_name": "x", "role": Role.REP},
    )
    assert response.status_code == 422 and "username" in response.context["form"].errors
    assert mail.outbox == []


def test_admin_sends_a_password_link_that_sets_a_new_password(personas, client):
    personas.owner.email = "owner@example.jp"
    personas.owner.save()
    client.force_login(personas.admin)
    assert client.post(reverse("user_password_reset", args=[personas.owner.pk])).status_code == 302
    assert mail.outbox[0].to == ["owner@example.jp"]
    client.logout()
    page = client.get(_link(mail.outbox[0]), follow=True)
    client.post(
        page.redirect_chain[-1][0], {"new_password1": "Another-pass-77", "new_password2": "Another-pass-77"}
    )
    personas.owner.refresh_from_db()
    assert personas.owner.check_password("Another-pass-77")


def test_a_user_without_e_mail_gets_a_clear_message_not_a_link(personas, client):
    personas.owner.email = ""
    personas.owner.save()
    client.force_login(personas.admin)
    response = client.post(reverse("user_password_reset", args=[personas.owner.pk]), follow=True)
    assert mail.outbox == [] and "メールアドレスがありません" in response.content.decode()


def test_the_public_password_reset_pages_are_in_japanese(client):
    html = client.get(reverse("password_reset"), HTTP_ACCEPT_LANGUAGE="ja").content.decode()
    assert "パスワードを忘れた場合" in html
    login = client.get(reverse("login"), HTTP_ACCEPT_LANGUAGE="ja").content.decode()
    assert reverse("password_reset") in login


def test_admin_deactivates_and_reactivates_a_user_recorded_with_the_admin(personas, client):
    client.force_login(personas.admin)
    client.post(reverse("user_set_active", args=[personas.owner.pk]), {"active": "0"})
    personas.owner.refresh_from_db()
    assert not personas.owner.is_active
    event = (
        User.pgh_event_models["update"]
        .objects.select_related("pgh_context")
        .filter(pgh_obj=personas.owner)
        .latest("pgh_id")
    )
    assert event.is_active is False and event.pgh_context.metadata["user"] == personas.admin.pk
    client.post(reverse("user_set_active", args=[personas.owner.pk]), {"active": "1"})
    personas.owner.refresh_from_db()
    assert personas.owner.is_active


def test_a_deactivated_users_session_stops(personas, client):
    client.force_login(personas.owner)
    assert client.get(reverse("home")).status_code == 200
    User.objects.filter(pk=personas.owner.pk).update(is_active=False)
    assert client.get(reverse("home")).status_code == 302


def test_an_admin_cannot_deactivate_themselves(personas, client):
    client.force_login(personas.admin)
    response = client.post(reverse("user_set_active", args=[personas.admin.pk]), {"active": "0"}, follow=True)
    personas.admin.refresh_from_db()
    assert personas.admin.is_active and "自分のアカウント" in response.content.decode()


def test_logging_in_does_not_write_a_user_history_event(personas, client):
    before = User.pgh_event_models["update"].objects.count()
    response = client.post(reverse("login"), {"username": "owner", "password": "pw-owner"})
    assert response.status_code == 302 and response["Location"] != reverse("login")
    assert User.pgh_event_models["update"].objects.count() == before


def test_reassign_moves_every_open_prospect_in_one_step_with_history(personas, client):
    leaving = personas.owner
    second = make_prospect(leaving, name="二件目")
    won = make_prospect(leaving, name="受注済み", status="won", closed_on="2026-11-02", won_amount=1000)
    versions = {p.pk: p.version for p in (personas.prospect, second)}
    client.force_login(personas.admin)
    page = client.get(reverse("user_reassign", args=[leaving.pk]), HTTP_ACCEPT_LANGUAGE="ja")
    assert "2 件" in page.content.decode()
    response = client.post(reverse("user_reassign", args=[leaving.pk]), {"to_owner": personas.teammate.pk})
    assert response.status_code == 302
    moved = Prospect.objects.filter(pk__in=versions)
    assert {p.owner_id for p in moved} == {personas.teammate.pk}
    assert all(p.version == versions[p.pk] + 1 for p in moved)
    won.refresh_from_db()
    assert won.owner_id == leaving.pk  # closed deals keep the rep who closed them
    events = (
        Prospect.pgh_event_models["update"]
        .objects.filter(pgh_obj__in=versions, owner=personas.teammate)
        .select_related("pgh_context")
    )
    assert len(events) == 2
    assert {e.pgh_context.metadata["user"] for e in events} == {personas.admin.pk}


def test_reassign_refuses_an_inactive_new_owner(personas, client):
    personas.teammate.is_active = False
    personas.teammate.save()
    client.force_login(personas.admin)
    response = client.post(
        reverse("user_reassign", args=[personas.owner.pk]), {"to_owner": personas.teammate.pk}
    )
    assert response.status_code == 422
    personas.prospect.refresh_from_db()
    assert personas.prospect.owner_id == personas.owner.pk


def test_user_list_marks_inactive_users_and_counts_their_open_prospects(personas, client):
    personas.owner.is_active = False
    personas.owner.save()
    client.force_login(personas.admin)
    html = client.get(reverse("user_list"), HTTP_ACCEPT_LANGUAGE="ja").content.decode()
    row = html.split(f'id="user-{personas.owner.pk}"', 1)[1].split("</tr>", 1)[0]
    assert "無効" in row and reverse("user_reassign", args=[personas.owner.pk]) in row


@pytest.mark.parametrize("role", ["owner", "manager", "other_manager"])
def test_account_pages_are_refused_to_non_admins(personas, client, role):
    client.force_login(getattr(personas, role))
    assert client.get(reverse("user_list")).status_code == 403
    assert (
        client.post(reverse("user_set_active", args=[personas.teammate.pk]), {"active": "0"}).status_code
        == 403
    )
    personas.teammate.refresh_from_db()
    assert personas.teammate.is_active


def test_an_inactive_accounts_roster_name_is_marked_in_both_languages(personas):
    from django.utils import translation

    personas.owner.is_active = False
    with translation.override("ja"):
        assert personas.owner.roster_name == "田中 翔太 (無効)"
    with translation.override("en"):
        assert personas.owner.roster_name == "田中 翔太 (inactive)"
    assert personas.teammate.roster_name == personas.teammate.display_name
