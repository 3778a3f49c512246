"""A realistic demo company: 1 admin, 2 managers, 2 teams, 8 reps, ~300 prospects over 12 months.

Idempotent: a second run finds the demo marker user and changes nothing. The data is drawn from a
fixed random seed, so every fresh database gets the same company.
"""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

import pghistory
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from accounts.models import Role, Team, User
from prospects.models import Horizon, LostReason, Prospect, Source, Status, suggest_horizon
from salescrm.lib.months import add_months, this_month

DEMO_PASSWORD = "demo-pass-2026"
ADMIN = ("admin", "管理", "太郎", Role.ADMIN)
MANAGERS = [("sato", "佐藤", "健一", Role.MANAGER), ("suzuki", "鈴木", "美穂", Role.MANAGER)]
REPS = [
    ("tanaka", "田中", "翔太"),
    ("takahashi", "高橋", "彩"),
    ("ito", "伊藤", "大輔"),
    ("watanabe", "渡辺", "結衣"),
    ("yamamoto", "山本", "拓也"),
    ("nakamura", "中村", "優子"),
    ("kobayashi", "小林", "直樹"),
    ("kato", "加藤", "真央"),
]
COMPANY_PARTS = [
    "山田",
    "東和",
    "北斗",
    "さくら",
    "みなと",
    "青葉",
    "富士",
    "大和",
    "光",
    "緑川",
    "朝日",
    "共栄",
]
COMPANY_KINDS = [
    "工務店",
    "商事",
    "建設",
    "不動産",
    "歯科医院",
    "製作所",
    "運輸",
    "食品",
    "保育園",
    "クリニック",
]
NEXT_ACTIONS = [
    "電話でフォロー",
    "見積書を送付",
    "ショールーム案内",
    "提案書を持参",
    "決裁者と面談",
    "現地調査",
]
COMPETITORS = ["A社", "B工業", "C商会"]


class Command(BaseCommand):
    help = "Create the demo company (idempotent)."

    def handle(self, *args, **options) -> None:
        if User.objects.filter(username=ADMIN[0]).exists():
            self.stdout.write("Demo data already present; nothing to do.")
            return
        with transaction.atomic(), pghistory.context(source="seed_demo"):
            self._seed()
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo data created. Log in as admin / sato / tanaka with password {DEMO_PASSWORD}"
            )
        )

    def _user(self, username: str, last: str, first: str, role: str) -> User:
        user = User(
            username=username, last_name=last, first_name=first, role=role, email=f"{username}@example.jp"
        )
        user.set_password(DEMO_PASSWORD)
        if role == Role.ADMIN:
            user.is_staff = user.is_superuser = True
        user.save()
        return user

    def _seed(self) -> None:
        rnd = random.Random(20261127)
        self._user(*ADMIN)
        managers = [self._user(*m) for m in MANAGERS]
        reps = [self._user(u, last, first, Role.REP) for u, last, first in REPS]
        teams = [Team.objects.create(name="東京営業一課"), Team.objects.create(name="東京営業二課")]
        for i, team in enumerate(teams):
            team.managers.add(managers[i])
            team.members.add(*reps[i * 4 : (i + 1) * 4])

        today = timezone.localdate()
        current = this_month(today)
        now = timezone.now()
        sources = [s for s, _ in Source.choices]
        weights = [3, 4, 2, 2, 3, 1]
        prospects: list[Prospect] = []
        for n in range(300):
            owner = reps[n % len(reps)]
            created = now - dt.timedelta(days=rnd.randint(0, 365), hours=rnd.randint(0, 23))
            amount = Decimal(rnd.choice([30, 50, 80, 120, 150, 200, 300, 450, 600, 900]) * 10000)
            name = f"{rnd.choice(COMPANY_PARTS)}{rnd.choice(COMPANY_KINDS)}"
            if n % 7 == 0:
                name = f"{rnd.choice(COMPANY_PARTS)} 様邸"
            p = Prospect(
                name=f"{name} {n + 1:03d}",
                owner=owner,
                source=rnd.choices(sources, weights)[0],
                contact_person=f"{rnd.choice(['山田', '松本', '井上', '木村', '林'])} 様",
                phone=f"03-{rnd.randint(1000, 9999)}-{rnd.randint(1000, 9999)}",
                amount=amount,
                created_at=created,
            )
            age_days = (now - created).days
            closed = age_days > 45 and rnd.random() < 0.45
            if closed:
                closed_on = (created + dt.timedelta(days=rnd.randint(20, max(21, age_days - 1)))).date()
                closed_on = min(closed_on, today)
                if rnd.random() < 0.45:
                    p.status, p.won_amount, p.probability = Status.WON, amount, 100
                else:
                    p.status, p.probability = Status.LOST, rnd.choice([10, 20, 30])
                    p.lost_reason = rnd.choice([r for r, _ in LostReason.choices])
                    if p.lost_reason == LostReason.COMPETITOR:
                        p.competitor = rnd.choice(COMPETITORS)
                    if rnd.random() < 0.3:
                        p.recontact_on = closed_on + dt.timedelta(days=rnd.randint(30, 180))
                p.closed_on = closed_on
                p.expected_month = closed_on.replace(day=1)
                p.horizon = Horizon.SHORT
            else:
                offset = rnd.choice([-1, 0, 0, 0, 1, 1, 2, 3, 4, 5, 7, 9, 12, None])
                p.expected_month = add_months(current, offset) if offset is not None else None
                p.horizon = suggest_horizon(p.expected_month, today)
                p.probability = {
                    Horizon.SHORT: rnd.choice([50, 60, 70, 80, 90]),
                    Horizon.MID: rnd.choice([30, 40, 50, 60]),
                    Horizon.LONG: rnd.choice([5, 10, 20, 30]),
                }[p.horizon]
                if rnd.random() < 0.7:
                    p.next_action = rnd.choice(NEXT_ACTIONS)
                    p.next_action_on = today + dt.timedelta(days=rnd.randint(-5, 21))
                if offset is not None and offset < 0:
                    p.expected_month_slips = rnd.randint(1, 2)
            prospects.append(p)
        Prospect.objects.bulk_create(prospects, batch_size=500)
