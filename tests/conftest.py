"""Named personas shared by every test: an owner rep, a teammate, an outsider rep of another team,
their manager, another team's manager, an admin."""

from __future__ import annotations

import pytest
from django.utils import translation

from accounts.models import Role, User
from prospects.models import Prospect
from tests.factories import ProspectFactory, TeamFactory, UserFactory


def make_user(username: str | None = None, role: str = Role.REP, **extra) -> User:
    """UserFactory with the username first: the many older tests call it so."""
    if username is not None:
        extra["username"] = username
    return UserFactory(role=role, **extra)


def make_prospect(owner: User, **fields) -> Prospect:
    """ProspectFactory with the owner first: the many older tests call it so."""
    return ProspectFactory(owner=owner, **fields)


class Personas:
    def __init__(self) -> None:
        self.owner = UserFactory(username="owner", last_name="田中", first_name="翔太")
        self.teammate = UserFactory(username="teammate")
        self.outsider = UserFactory(username="outsider")
        self.manager = UserFactory(username="manager", manager=True)
        self.other_manager = UserFactory(username="other_manager", manager=True)
        self.admin = UserFactory(username="admin", admin=True)
        self.team = TeamFactory(name="Team A", members=[self.owner, self.teammate], managers=[self.manager])
        self.other_team = TeamFactory(name="Team B", members=[self.outsider], managers=[self.other_manager])
        self.prospect = ProspectFactory(owner=self.owner, name="山田工務店")

    def all(self) -> dict[str, User]:
        return {
            "owner": self.owner,
            "teammate": self.teammate,
            "outsider": self.outsider,
            "manager": self.manager,
            "other_manager": self.other_manager,
            "admin": self.admin,
        }


@pytest.fixture
def personas(db) -> Personas:
    return Personas()


@pytest.fixture
def login(client):
    def _login(user: User):
        client.force_login(user)
        return client

    return _login


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Every transactional test restores the database it found (serialized_rollback): the migrations'
    rows (the seeded test-closing questions, the rank bands) stay for the tests after it. Without it the
    flush after a plain transactional test re-created the content types, and the next test that
    restores the serialized database inserted them a second time (a duplicate key, at setup)."""
    for item in items:
        marker = item.get_closest_marker("django_db")
        if marker and marker.kwargs.get("transaction") and not marker.kwargs.get("serialized_rollback"):
            item.add_marker(
                pytest.mark.django_db(**{**marker.kwargs, "serialized_rollback": True}), append=False
            )


# alias -> the database as the session found it (serialized once by pytest-django's django_db_setup).
_SERIALIZED: dict[str, str] = {}


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup):
    """Keep the serialized database where every test finds it. Django keeps it on the connection
    object, and connections are per context: once pytest-playwright's sync API runs, a browser test
    gets a connection object of its own, without it, and its serialized_rollback restored nothing
    (a browser test after another transactional test found the activity kinds gone)."""
    from django.db import connections

    for alias in connections:
        contents = getattr(connections[alias], "_test_serialized_contents", None)
        if contents is not None:
            _SERIALIZED[alias] = contents


@pytest.hookimpl(wrapper=True)
def pytest_fixture_setup(fixturedef, request):
    if fixturedef.argname == "_django_db_helper" and _SERIALIZED:
        from django.db import connections

        for alias, contents in _SERIALIZED.items():
            if not hasattr(connections[alias], "_test_serialized_contents"):
                connections[alias]._test_serialized_contents = contents
    return (yield)


def _transactional(item: pytest.Item | None) -> bool:
    """As pytest-django sorts it: a test whose teardown empties the tables."""
    if item is None:
        return False
    marker = item.get_closest_marker("django_db")
    fixtures = set(getattr(item, "fixturenames", ()))
    return bool(
        (marker and (marker.kwargs.get("transaction") or marker.kwargs.get("reset_sequences")))
        or fixtures & {"transactional_db", "live_server"}
    )


def _restores_itself(item: pytest.Item) -> bool:
    marker = item.get_closest_marker("django_db")
    return bool(marker and marker.kwargs.get("serialized_rollback"))


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item: pytest.Item, nextitem: pytest.Item | None):
    """A transactional test ends by emptying every table, and only the next transactional test restores
    them: a plain test after it, or the next run with --reuse-db, found the migrations' rows (activity
    kinds, questions, rank bands) gone. So the last of a row of transactional tests restores them."""
    result = yield
    if _transactional(item) and _restores_itself(item) and not _transactional(nextitem):
        from django.core.management.color import no_style
        from django.core.management.sql import sql_flush
        from django.db import connections
        from pytest_django.plugin import blocking_manager_key

        with item.config.stash[blocking_manager_key].unblock():
            for connection in connections.all(initialized_only=True):
                contents = getattr(connection, "_test_serialized_contents", None)
                if contents:
                    # Emptied again first: a live server's last request may have written rows (a content
                    # type read through get_for_model) after the test's flush, and the restore would clash.
                    # Sequences kept (flush would reset them, and the next plain test reuse id 1).
                    statements = sql_flush(no_style(), connection, reset_sequences=False, allow_cascade=False)
                    connection.ops.execute_sql_flush(statements)
                    connection.creation.deserialize_db_from_string(contents)
    return result


@pytest.fixture(autouse=True)
def default_language():
    """Each test starts in the default language: a request (LocaleMiddleware) or an activate() of an
    earlier test leaves its language active in the thread, and a test reading a message outside a
    request would then pass or fail by the order the tests ran in."""
    translation.deactivate()
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def fresh_job_publisher(monkeypatch):
    """Each test publishes jobs through a publisher of its own: a broker failure an earlier test caused
    (or simulated) leaves a JOBS_BROKER_BACKOFF on the process's publisher, during which enqueue does not
    wait for the broker, and a later test that expects its publish would find none."""
    from salescrm.lib import jobs

    monkeypatch.setattr(jobs, "_publisher", jobs._Publisher())
