"""Named personas shared by every test: an owner rep, a teammate, an outsider rep of another team,
their manager, another team's manager, an admin."""

from __future__ import annotations

import itertools
from decimal import Decimal

import pytest

from accounts.models import Role, Team, User
from prospects.models import Horizon, Prospect, Source

_seq = itertools.count(1)


def make_user(username: str | None = None, role: str = Role.REP, **extra) -> User:
    username = username or f"user{next(_seq)}"
    user = User.objects.create_user(username=username, password="pw-" + username, role=role, **extra)
    if role == Role.ADMIN:
        # As seed_demo does: an administrator manages every model in the Django admin too.
        user.is_staff = user.is_superuser = True
        user.save(update_fields=["is_staff", "is_superuser"])
    return user


def make_prospect(owner: User, **fields) -> Prospect:
    defaults = dict(
        name=f"Prospect {next(_seq)}",
        source=Source.INBOUND,
        horizon=Horizon.MID,
        probability=50,
        amount=Decimal("1000000"),
    )
    defaults.update(fields)
    return Prospect.objects.create(owner=owner, **defaults)


class Personas:
    def __init__(self) -> None:
        self.owner = make_user("owner", last_name="田中", first_name="翔太")
        self.teammate = make_user("teammate")
        self.outsider = make_user("outsider")
        self.manager = make_user("manager", Role.MANAGER)
        self.other_manager = make_user("other_manager", Role.MANAGER)
        self.admin = make_user("admin", Role.ADMIN)
        self.team = Team.objects.create(name="Team A")
        self.team.members.add(self.owner, self.teammate)
        self.team.managers.add(self.manager)
        self.other_team = Team.objects.create(name="Team B")
        self.other_team.members.add(self.outsider)
        self.other_team.managers.add(self.other_manager)
        self.prospect = make_prospect(self.owner, name="山田工務店")

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
