"""The people and prospects the browser flows start from.

`make_crm()` builds the shared personas of tests/conftest.py (owner, teammate, outsider, manager,
other_manager, admin, team, other_team, and the owner's prospect 山田工務店) and gives the owner a small,
realistic pipeline: prospects in each horizon, this month and later, from several sources. Flows that
need more (a board to drag on, a monthly list, a pipeline target that raises an alert) add it on top
with make_prospect / their own models, in the test itself.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from accounts.models import User
from prospects.models import Horizon, Prospect, Source
from salescrm.lib.months import add_months, this_month
from tests.conftest import Personas, make_prospect


@dataclass
class Crm:
    personas: Personas
    pipeline: dict[str, Prospect] = field(default_factory=dict)

    def __getattr__(self, name: str):  # crm.owner, crm.outsider, crm.prospect ... as on Personas
        return getattr(self.personas, name)

    @staticmethod
    def password(user: User) -> str:
        """The login password tests/conftest.make_user gives every persona."""
        return "pw-" + user.username


def make_crm() -> Crm:
    personas = Personas()
    owner = personas.owner
    month = this_month()
    pipeline = {
        "short": make_prospect(
            owner,
            name="青葉商事",
            contact_person="青葉 一郎",
            source=Source.REFERRAL,
            horizon=Horizon.SHORT,
            probability=80,
            expected_month=month,
            amount=Decimal("2400000"),
            next_activity="見積書を送付",
        ),
        "mid": make_prospect(
            owner,
            name="みなと不動産",
            source=Source.DOOR_TO_DOOR,
            horizon=Horizon.MID,
            probability=50,
            expected_month=add_months(month, 2),
            amount=Decimal("1500000"),
        ),
        "long": make_prospect(
            owner,
            name="富士製作所",
            source=Source.EXHIBITION,
            horizon=Horizon.LONG,
            probability=20,
            expected_month=add_months(month, 6),
            amount=Decimal("5000000"),
        ),
        "outsider": make_prospect(personas.outsider, name="北斗運輸", source=Source.INBOUND),
    }
    return Crm(personas=personas, pipeline=pipeline)
