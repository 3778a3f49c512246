"""The bell: its number is a COUNT of the very QuerySet its dropdown and the alerts page list
(visible_open_alerts), so the two never disagree (#17: "the bell showed 9 while its list held 8")."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from targets.models import PipelineAlert, Rule, Scope
from targets.selectors import open_alert_count, visible_open_alerts
from targets.views import MENU_ALERTS
from tests.conftest import make_user

pytestmark = pytest.mark.django_db


def _alert(user=None, team=None) -> PipelineAlert:
    scope = Scope.USER if user else Scope.TEAM if team else Scope.COMPANY
    now = timezone.now()
    return PipelineAlert.objects.create(
        scope=scope,
        user=user,
        team=team,
        rule=Rule.OPEN,
        current=0,
        target=1,
        deficit=1,
        opened_at=now,
        checked_at=now,
    )


def _bell(client) -> int:
    body = client.get(reverse("targets:bell")).content.decode()
    return int(re.search(r'id="bell-count"[^>]*>(\d+)<', body).group(1))


def _menu_items(client) -> int:
    body = client.get(reverse("targets:alerts"), headers={"HX-Request": "true"}).content.decode()
    return body.count('class="bell-item"')


def test_the_bell_counts_what_its_list_shows_with_inactive_and_departed_reps(personas, client):
    _alert(user=personas.owner)
    _alert(team=personas.team)
    _alert(user=personas.manager)  # the manager's own
    _alert(user=personas.outsider)  # another team's: not the manager's
    _alert()  # the company's: admins only
    gone = make_user("gone")
    personas.team.members.add(gone)
    _alert(user=gone)
    gone.is_active = False
    gone.save(update_fields=["is_active"])  # an inactive rep of the team: still seen, still counted
    left = make_user("left")
    personas.team.members.add(left)
    _alert(user=left)
    personas.team.members.remove(left)  # left the team: neither counted nor listed
    client.force_login(personas.manager)
    listed = list(visible_open_alerts(personas.manager))
    assert _bell(client) == _menu_items(client) == len(listed) == 4
    page = client.get(reverse("targets:alerts")).content.decode()
    assert all(f'id="alert-{a.pk}"' in page for a in listed)


def test_a_bell_with_more_alerts_than_its_dropdown_says_how_many_are_shown(personas, client):
    for _ in range(MENU_ALERTS + 1):
        _alert(user=make_user())
    client.force_login(personas.admin)
    assert _bell(client) == MENU_ALERTS + 1
    assert _menu_items(client) == MENU_ALERTS
    menu = client.get(reverse("targets:alerts"), headers={"HX-Request": "true"}).content.decode()
    with translation.override("ja"):  # the page's language
        shown = translation.gettext("%(shown)s of %(total)s shown") % {"shown": 8, "total": 9}
    assert shown == "9件中8件を表示" and shown in menu


@pytest.mark.parametrize("who", ["owner", "teammate", "outsider", "manager", "other_manager", "admin"])
def test_the_bell_is_one_count_query_for_every_role(personas, who, django_assert_num_queries):
    _alert(user=personas.owner)
    _alert(team=personas.team)
    user = getattr(personas, who)
    with django_assert_num_queries(1):
        n = open_alert_count(user)
    assert n == len(list(visible_open_alerts(user)))
    user.is_active = False
    assert open_alert_count(user) == 0
