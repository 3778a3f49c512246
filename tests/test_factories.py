"""The factories build rows that the database's CHECK constraints accept, with the traits they promise."""

import pytest
from django.utils import timezone

from accounts.models import Role
from prospects.models import Horizon, Status
from salescrm.lib.months import this_month
from targets.models import PipelineAlert, Rule, Scope
from tests.factories import (
    PipelineAlertFactory,
    PipelineTargetFactory,
    ProspectFactory,
    QuestionFactory,
    TeamFactory,
    TestClosingFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def test_a_user_is_a_rep_whose_password_is_pw_and_their_username():
    user = UserFactory(username="kato")
    assert user.role == Role.REP and not user.is_staff
    assert user.check_password("pw-kato")


def test_an_admin_is_staff_and_superuser_and_a_manager_manages_the_team_given():
    team = TeamFactory()
    admin = UserFactory(admin=True)
    manager = UserFactory(manager=True, manages=team)
    rep = UserFactory(member_of=[team])
    assert admin.role == Role.ADMIN and admin.is_staff and admin.is_superuser
    assert manager.role == Role.MANAGER and not manager.is_staff
    assert list(team.managers.all()) == [manager] and list(team.members.all()) == [rep]


def test_a_team_takes_its_members_and_managers():
    rep, manager = UserFactory(), UserFactory(manager=True)
    team = TeamFactory(members=[rep], managers=[manager])
    assert list(rep.teams.all()) == [team] and list(manager.managed_teams.all()) == [team]


def test_prospect_traits_set_the_horizon_month_and_outcome():
    assert ProspectFactory(short=True).horizon == Horizon.SHORT
    assert ProspectFactory(long=True).horizon == Horizon.LONG
    assert ProspectFactory(due_this_month=True).expected_month == this_month()
    won = ProspectFactory(won=True, amount=500)
    assert (won.status, won.closed_on, won.won_amount) == (Status.WON, timezone.localdate(), 500)
    lost = ProspectFactory(lost=True)
    assert lost.status == Status.LOST and lost.lost_reason


def test_a_test_closing_is_asked_by_the_prospects_owner():
    tc = TestClosingFactory(question=QuestionFactory())
    assert tc.asked_by == tc.prospect.owner and tc.question.text_ja


def test_alerts_and_targets_of_each_scope_are_valid():
    rep_alert = PipelineAlertFactory()
    team_alert = PipelineAlertFactory(scope=Scope.TEAM, team=TeamFactory(), rule=Rule.SHORT)
    company_alert = PipelineAlertFactory(scope=Scope.COMPANY, resolved=True)
    assert rep_alert.user is not None and rep_alert.deficit == 2
    assert team_alert.user is None and company_alert.user is None
    assert set(PipelineAlert.objects.open()) == {rep_alert, team_alert}
    assert PipelineTargetFactory(min_open=5).user is None
