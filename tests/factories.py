"""factory_boy factories for the models tests build: one place that knows which fields a valid row
needs, so a test names only what it is about. See tests/README.md.

    UserFactory(manager=True, manages=team)       a manager of team
    UserFactory(member_of=team)                   a rep in team
    ProspectFactory(owner=rep, short=True)        an open short-term prospect
    ProspectFactory(owner=rep, won=True)          won today, at its amount
    TestClosingFactory(prospect=p, reading=...)   asked by the prospect's owner, now
    PipelineAlertFactory(user=rep, rule=Rule.SHORT)

Rows are saved with the ORM (no service runs): a test of a service calls the service itself.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

import factory
from django.utils import timezone

from accounts.models import Role, Team, User
from closing.models import QuestionKind, Reading, TestClosing, TestClosingQuestion
from prospects.models import Horizon, LostReason, Prospect, Source, Status
from salescrm.lib.months import this_month
from targets.models import PipelineAlert, PipelineTarget, Rule, Scope


def _teams(extracted: Team | Iterable[Team] | None) -> list[Team]:
    if extracted is None:
        return []
    return [extracted] if isinstance(extracted, Team) else list(extracted)


class UserFactory(factory.django.DjangoModelFactory):
    """A rep unless a role trait says otherwise; password "pw-<username>" (the login tests use it).
    An admin is staff and superuser too, as seed_demo makes them: they manage every model in the
    Django admin."""

    class Meta:
        model = User
        skip_postgeneration_save = True

    class Params:
        manager = factory.Trait(role=Role.MANAGER)
        admin = factory.Trait(role=Role.ADMIN)

    username = factory.Sequence(lambda n: f"user{n}")
    password = factory.LazyAttribute(lambda o: f"pw-{o.username}")
    role = Role.REP
    is_staff = factory.LazyAttribute(lambda o: o.role == Role.ADMIN)
    is_superuser = factory.LazyAttribute(lambda o: o.role == Role.ADMIN)

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        # create_user hashes the password in the one INSERT.
        return model_class.objects.create_user(*args, **kwargs)

    @factory.post_generation
    def member_of(self, create: bool, extracted, **kwargs) -> None:
        """member_of=team (or a list of teams): the user is one of its members."""
        for team in _teams(extracted):
            team.members.add(self)

    @factory.post_generation
    def manages(self, create: bool, extracted, **kwargs) -> None:
        """manages=team (or a list of teams): the user is one of its managers."""
        for team in _teams(extracted):
            team.managers.add(self)


class TeamFactory(factory.django.DjangoModelFactory):
    """TeamFactory(members=[a, b], managers=[m])."""

    class Meta:
        model = Team
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Team {n}")

    @factory.post_generation
    def members(self, create: bool, extracted, **kwargs) -> None:
        if extracted:
            self.members.add(*extracted)

    @factory.post_generation
    def managers(self, create: bool, extracted, **kwargs) -> None:
        if extracted:
            self.managers.add(*extracted)


class ProspectFactory(factory.django.DjangoModelFactory):
    """An open mid-term prospect at 50 % of 1,000,000 yen from an inbound inquiry, no expected month.
    Traits: short / mid / long (horizon), due_this_month (expected this month), won (today, at its amount),
    lost (today, for price)."""

    class Meta:
        model = Prospect
        skip_postgeneration_save = True  # a post-generation hook adds rows of its own, never to this one

    class Params:
        short = factory.Trait(horizon=Horizon.SHORT)
        mid = factory.Trait(horizon=Horizon.MID)
        long = factory.Trait(horizon=Horizon.LONG)
        due_this_month = factory.Trait(expected_month=factory.LazyFunction(this_month))
        won = factory.Trait(
            status=Status.WON,
            closed_on=factory.LazyFunction(timezone.localdate),
            won_amount=factory.SelfAttribute("amount"),
        )
        lost = factory.Trait(
            status=Status.LOST,
            closed_on=factory.LazyFunction(timezone.localdate),
            lost_reason=LostReason.PRICE,
        )

    owner = factory.SubFactory(UserFactory)
    name = factory.Sequence(lambda n: f"Prospect {n}")
    source = Source.INBOUND
    horizon = Horizon.MID
    probability = 50
    amount = Decimal("1000000")

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        """`next_activity` (a subject) and/or `next_activity_on` (a day; today by default) plan the
        prospect's next activity: a planned activity of kind "other", all day, as the form plans one."""
        subject = kwargs.pop("next_activity", None)
        day = kwargs.pop("next_activity_on", None)
        obj = super()._create(model_class, *args, **kwargs)
        if subject or day:
            from activities.models import Activity, ActivityKind
            from activities.services import local_midnight

            kind, _ = ActivityKind.objects.get_or_create(code="other", defaults={"label_ja": "その他"})
            Activity.objects.create(
                prospect=obj,
                owner=obj.owner,
                kind=kind,
                subject=subject or "",
                starts_at=local_midnight(day or timezone.localdate()),
                all_day=True,
                status="planned" if obj.status == "open" else "cancelled",
            )
        return obj


class QuestionFactory(factory.django.DjangoModelFactory):
    """A test-closing question of the bank (the migration seeds the real ones)."""

    class Meta:
        model = TestClosingQuestion

    text_ja = factory.Sequence(lambda n: f"質問 {n}")
    text_en = factory.Sequence(lambda n: f"Question {n}")
    kind = QuestionKind.PRICE


class TestClosingFactory(factory.django.DjangoModelFactory):
    """A free-text test closing ("q" answered "a", undecided) asked now by the prospect's owner."""

    __test__ = False  # a factory, not a pytest class

    class Meta:
        model = TestClosing

    prospect = factory.SubFactory(ProspectFactory)
    asked_by = factory.SelfAttribute("prospect.owner")
    question = None
    question_text = "q"
    answer = "a"
    reading = Reading.UNDECIDED


class PipelineTargetFactory(factory.django.DjangoModelFactory):
    """The company-wide target unless user= or team= names the scope; every minimum empty."""

    class Meta:
        model = PipelineTarget

    user = None
    team = None


class PipelineAlertFactory(factory.django.DjangoModelFactory):
    """An open alert: a rep 2 below their open-prospects target (1 of 3), opened and checked now.
    Pass team= with scope=Scope.TEAM, or scope=Scope.COMPANY and user=None; the resolved trait
    closes it now."""

    class Meta:
        model = PipelineAlert

    class Params:
        resolved = factory.Trait(resolved_at=factory.LazyFunction(timezone.now))

    scope = Scope.USER
    user = factory.Maybe(
        factory.LazyAttribute(lambda o: o.scope == Scope.USER), factory.SubFactory(UserFactory), None
    )
    team = None
    rule = Rule.OPEN
    current = 1
    target = 3
    deficit = factory.LazyAttribute(lambda o: max(o.target - o.current, 0))
    opened_at = factory.LazyFunction(timezone.now)
    checked_at = factory.SelfAttribute("opened_at")
