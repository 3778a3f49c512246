"""The bell's kept counts (targets.models.OpenAlertCount): every way alerts, teams and users change keeps
each user's count equal to visible_open_alerts(user).count(); concurrent changes lose nothing; the
request's user carries the count, so the bell on a page costs no query."""

from __future__ import annotations

import datetime as dt
import importlib
import threading

import pytest
from django.db import IntegrityError, connection, connections, transaction
from django.urls import reverse
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from accounts.models import Role, Team, User
from targets import alert_counts
from targets.models import OpenAlertCount, PipelineAlert, Rule, Scope
from targets.selectors import open_alert_count, visible_open_alerts
from tests.conftest import make_user

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 11, 16, 9, 0, tzinfo=dt.UTC)


def open_alert(*, user: User | None = None, team: Team | None = None, rule: str = Rule.OPEN) -> PipelineAlert:
    scope = Scope.USER if user else Scope.TEAM if team else Scope.COMPANY
    return PipelineAlert.objects.create(
        scope=scope,
        user=user,
        team=team,
        rule=rule,
        current=1,
        target=3,
        deficit=2,
        opened_at=NOW,
        checked_at=NOW,
    )


def kept() -> dict[int, int]:
    return dict(OpenAlertCount.objects.values_list("user_id", "n"))


def real() -> dict[int, int]:
    return {u.pk: visible_open_alerts(u).count() for u in User.objects.all()}


def holds_the_lock() -> bool:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND pid = pg_backend_pid() "
            "AND ((classid::bigint << 32) | objid::bigint) = %s",
            [alert_counts.LOCK_KEY],
        )
        return cursor.fetchone()[0] > 0


def test_each_persona_hears_about_the_alerts_visible_to_them(personas):
    open_alert(user=personas.owner)
    open_alert(user=personas.outsider)
    open_alert(team=personas.team)
    open_alert()  # the company's
    assert kept() == real()
    assert kept()[personas.manager.pk] == 2 and kept()[personas.admin.pk] == 4
    assert kept()[personas.teammate.pk] == 0 and kept()[personas.other_manager.pk] == 1


def test_resolving_deleting_and_moving_an_alert_recount(personas):
    alert = open_alert(user=personas.owner)
    PipelineAlert.objects.filter(pk=alert.pk).update(user=personas.outsider)
    assert (
        kept()[personas.manager.pk] == 0
        and kept()[personas.other_manager.pk] == 1 == real()[personas.other_manager.pk]
    )
    PipelineAlert.objects.filter(pk=alert.pk).update(resolved_at=NOW)
    assert kept()[personas.outsider.pk] == 0 and kept() == real()
    PipelineAlert.objects.filter(pk=alert.pk).update(resolved_at=None)
    assert kept()[personas.outsider.pk] == 1
    alert.delete()
    assert kept() == real() and kept()[personas.admin.pk] == 0


@pytest.mark.django_db(transaction=True)  # the lock is the transaction's: each step commits
def test_a_refresh_of_an_open_alerts_figures_takes_no_lock_and_writes_no_count(personas):
    alert = open_alert(user=personas.owner)
    with transaction.atomic():
        PipelineAlert.objects.filter(pk=alert.pk).update(current=2, deficit=1, checked_at=NOW)
        User.objects.filter(pk=personas.owner.pk).update(last_login=NOW)
        assert not holds_the_lock()
        open_alert(user=personas.teammate)
        assert holds_the_lock()  # until the commit
    assert kept() == real()


def test_team_changes_roles_activation_and_new_users_recount(personas):
    open_alert(user=personas.outsider)
    personas.team.members.add(personas.outsider)
    assert kept()[personas.manager.pk] == 1
    personas.team.managers.add(personas.other_manager)  # already sees the outsider: no double
    assert kept()[personas.other_manager.pk] == 1
    personas.other_team.managers.remove(personas.other_manager)
    personas.team.managers.remove(personas.other_manager)
    assert kept()[personas.other_manager.pk] == 0
    personas.team.members.remove(personas.outsider)
    assert kept()[personas.manager.pk] == 0

    User.objects.filter(pk=personas.teammate.pk).update(role=Role.ADMIN)
    assert kept()[personas.teammate.pk] == 1
    User.objects.filter(pk=personas.outsider.pk).update(is_active=False)
    assert kept()[personas.outsider.pk] == 0
    newcomer = make_user(role=Role.ADMIN)
    assert kept()[newcomer.pk] == 1
    personas.other_team.delete()
    assert kept() == real()


def test_truncating_the_alerts_empties_the_counts(personas):
    open_alert(user=personas.owner)
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute(f"TRUNCATE {PipelineAlert._meta.db_table}")
    assert set(kept().values()) == {0}


# One step of a random history: (operation, rep or team index, other index, rule).
step = st.tuples(
    st.sampled_from(
        [
            "open_rep",
            "open_team",
            "open_company",
            "resolve",
            "reopen",
            "move",
            "delete",
            "refresh",
            "join",
            "leave",
            "lead",
            "quit",
            "promote",
            "demote",
            "deactivate",
            "activate",
            "new_admin",
            "delete_team",
        ]
    ),
    st.integers(0, 5),
    st.integers(0, 5),
    st.sampled_from(Rule.values),
)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=st.lists(step, max_size=25))
def test_any_sequence_of_changes_keeps_every_count_equal_to_a_real_count(django_db_blocker, steps):
    with django_db_blocker.unblock(), transaction.atomic():
        people = [make_user(role=Role.MANAGER if i % 3 == 0 else Role.REP) for i in range(6)]
        teams = [Team.objects.create(name=f"Team {i}") for i in range(3)]
        teams[0].members.add(people[1], people[2])
        teams[0].managers.add(people[0])
        for op, i, j, rule in steps:
            alerts = list(PipelineAlert.objects.order_by("pk"))
            alert = alerts[i % len(alerts)] if alerts else None
            person, other, team = people[i], people[j], teams[j % len(teams)] if teams else None
            try:
                with transaction.atomic():
                    if op == "open_rep":
                        open_alert(user=person, rule=rule)
                    elif op == "open_team" and team:
                        open_alert(team=team, rule=rule)
                    elif op == "open_company":
                        open_alert(rule=rule)
                    elif op == "resolve" and alert:
                        PipelineAlert.objects.filter(pk=alert.pk).update(resolved_at=timezone.now())
                    elif op == "reopen" and alert:
                        PipelineAlert.objects.filter(pk=alert.pk).update(resolved_at=None)
                    elif op == "move" and alert and alert.user_id:
                        PipelineAlert.objects.filter(pk=alert.pk).update(user=other)
                    elif op == "delete" and alert:
                        alert.delete()
                    elif op == "refresh":
                        PipelineAlert.objects.update(current=j, checked_at=timezone.now())
                    elif op == "join" and team:
                        team.members.add(person)
                    elif op == "leave" and team:
                        team.members.remove(person)
                    elif op == "lead" and team:
                        team.managers.add(person)
                    elif op == "quit" and team:
                        team.managers.remove(person)
                    elif op == "promote":
                        User.objects.filter(pk=person.pk).update(role=[Role.MANAGER, Role.ADMIN][j % 2])
                    elif op == "demote":
                        User.objects.filter(pk=person.pk).update(role=Role.REP, is_superuser=False)
                    elif op == "deactivate":
                        User.objects.filter(pk=person.pk).update(is_active=False)
                    elif op == "activate":
                        User.objects.filter(pk=person.pk).update(is_active=True)
                    elif op == "new_admin":
                        people.append(make_user(role=Role.ADMIN))
                    elif op == "delete_team" and team:
                        teams.remove(team)
                        team.delete()
            except IntegrityError:
                pass  # one open alert per scope and rule: the step is refused, as the check would be
        assert kept() == real()
        assert alert_counts.drift() == []
        transaction.set_rollback(True)


def _concurrently(first, second) -> None:
    """Run `first` in a transaction that stays open until `second` (here, in its own transaction) has
    been started and had time to reach the lock; then both commit."""
    first_written = threading.Event()
    errors: list[BaseException] = []

    def hold() -> None:
        try:
            with transaction.atomic():
                first()
                first_written.set()
                threading.Event().wait(0.5)  # the other transaction reaches its trigger meanwhile
        except BaseException as exc:  # reported below
            errors.append(exc)
        finally:
            connections.close_all()

    thread = threading.Thread(target=hold)
    thread.start()
    assert first_written.wait(10)
    with transaction.atomic():
        second()
    thread.join(10)
    assert not errors


@pytest.mark.django_db(transaction=True)
def test_two_alerts_opened_at_once_for_one_manager_both_count():
    manager = make_user(role=Role.MANAGER)
    reps = [make_user(), make_user()]
    team = Team.objects.create(name="Concurrent")
    team.members.add(*reps)
    team.managers.add(manager)

    _concurrently(lambda: open_alert(user=reps[0]), lambda: open_alert(user=reps[1]))

    assert kept()[manager.pk] == 2 == real()[manager.pk]


@pytest.mark.django_db(transaction=True)
def test_a_rep_joining_a_team_while_their_alert_opens_is_counted_for_its_manager():
    manager, rep = make_user(role=Role.MANAGER), make_user()
    team = Team.objects.create(name="Joining")
    team.managers.add(manager)

    _concurrently(lambda: open_alert(user=rep), lambda: team.members.add(rep))

    assert kept()[manager.pk] == 1 == real()[manager.pk]


def test_the_request_user_carries_the_count_and_the_bell_reads_it(
    personas, client, django_assert_num_queries
):
    open_alert(user=personas.owner)
    open_alert(team=personas.team)
    client.force_login(personas.manager)
    response = client.get(reverse("targets:bell"), headers={"HX-Request": "true"})
    assert ">2<" in response.content.decode()
    user = response.wsgi_request.user
    assert user.kept_open_alerts == 2
    with django_assert_num_queries(0):
        assert open_alert_count(user) == 2
    # A user loaded any other way is counted.
    plain = User.objects.get(pk=personas.manager.pk)
    with django_assert_num_queries(1):
        assert open_alert_count(plain) == 2


def test_a_page_shows_the_kept_count(personas, client):
    open_alert(user=personas.owner)
    client.force_login(personas.owner)
    body = client.get(reverse("home")).content.decode()
    assert 'id="bell-count" class="bell-count has-alerts"' in body and ">1</span>" in body


def test_drift_is_found_mended_by_the_nightly_upkeep_and_logged(personas, caplog, settings):
    from targets.tasks import open_alert_count_upkeep

    assert (
        settings.CELERY_BEAT_SCHEDULE["targets-open-alert-count-upkeep"]["task"]
        == open_alert_count_upkeep.name
    )
    open_alert(user=personas.owner)
    OpenAlertCount.objects.filter(user=personas.manager).update(n=7)
    OpenAlertCount.objects.filter(user=personas.teammate).delete()
    assert alert_counts.drift() == sorted([(personas.teammate.pk, None, 0), (personas.manager.pk, 7, 1)])
    with caplog.at_level("WARNING", logger="targets.alert_counts"):
        assert open_alert_count_upkeep.run() == {"drifted": 2}
    assert "open alert counts differed for 2 users" in caplog.text
    assert open_alert_count_upkeep.run() == {"drifted": 0}
    assert kept() == real()


def test_the_lock_key_is_the_triggers():
    migration = importlib.import_module("targets.migrations.0008_open_alert_count")
    assert migration.LOCK_KEY == alert_counts.LOCK_KEY


def test_a_count_gone_below_zero_is_counted_for_real_and_does_not_fail_the_writes(personas, client):
    alert = open_alert(user=personas.owner)
    OpenAlertCount.objects.filter(user=personas.owner).update(n=0)  # as after a load with triggers off
    PipelineAlert.objects.filter(pk=alert.pk).update(resolved_at=NOW)  # -1: the write goes through
    assert kept()[personas.owner.pk] == -1
    open_alert(user=personas.owner, rule=Rule.SHORT)
    OpenAlertCount.objects.filter(user=personas.owner).update(n=-1)
    client.force_login(personas.owner)
    response = client.get(reverse("targets:bell"), headers={"HX-Request": "true"})
    assert ">1<" in response.content.decode()


def test_the_management_command_mends_the_counts(personas):
    from io import StringIO

    from django.core.management import call_command

    open_alert(user=personas.owner)
    OpenAlertCount.objects.filter(user=personas.owner).update(n=5)
    out = StringIO()
    call_command("alert_counts", stdout=out)
    assert out.getvalue().startswith("1 users' open alert counts differed") and kept() == real()
