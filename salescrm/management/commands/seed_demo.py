"""A realistic demo company: 1 admin, 2 managers, 2 teams, 8 reps, ~300 prospects over 12 months,
test closings on about half of them, pipeline targets for every rep, team and the company, and the
alerts the first pipeline check raises from them.

Idempotent: a second run finds the demo marker user and changes nothing. The data is drawn from a
fixed random seed, so every fresh database gets the same company.
"""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal
from importlib import import_module

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
# A rep's next step and the kind of activity it is planned as.
NEXT_ACTIONS = [
    ("電話でフォロー", "call"),
    ("見積書を送付", "email"),
    ("ショールーム案内", "showroom_visit"),
    ("提案書を持参", "visit"),
    ("決裁者と面談", "meeting"),
    ("現地調査", "visit"),
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
        from targets.services import pipeline_check_run

        pipeline_check_run()
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
        # A revival is made by the re-contact job from a lost deal, never entered as a new lead.
        sources = [s for s, _ in Source.choices if s != Source.REVIVAL]
        weights = [3, 4, 2, 2, 3, 1]
        leadgen = self._lead_activities(rnd, reps, today)
        prospects: list[Prospect] = []
        finals: list[dict] = []
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
            p.lead_activity = self._lead_activity_for(rnd, leadgen, p, created.date())
            final: dict = {}
            age_days = (now - created).days
            closed = age_days > 45 and rnd.random() < 0.45
            if closed:
                closed_on = (created + dt.timedelta(days=rnd.randint(20, max(21, age_days - 1)))).date()
                closed_on = min(closed_on, today)
                if rnd.random() < 0.45:
                    final.update(status=Status.WON, won_amount=amount, probability=100)
                else:
                    final.update(status=Status.LOST, probability=rnd.choice([10, 20, 30]))
                    final["lost_reason"] = rnd.choice([r for r, _ in LostReason.choices])
                    if final["lost_reason"] == LostReason.COMPETITOR:
                        final["competitor"] = rnd.choice(COMPETITORS)
                    if rnd.random() < 0.3:
                        final["recontact_on"] = closed_on + dt.timedelta(days=rnd.randint(30, 180))
                final.update(
                    closed_on=closed_on, expected_month=closed_on.replace(day=1), horizon=Horizon.SHORT
                )
            else:
                offset = rnd.choice([-1, 0, 0, 0, 1, 1, 2, 3, 4, 5, 7, 9, 12, None])
                final["expected_month"] = add_months(current, offset) if offset is not None else None
                final["horizon"] = suggest_horizon(final["expected_month"], today)
                final["probability"] = {
                    Horizon.SHORT: rnd.choice([50, 60, 70, 80, 90]),
                    Horizon.MID: rnd.choice([30, 40, 50, 60]),
                    Horizon.LONG: rnd.choice([5, 10, 20, 30]),
                }[final["horizon"]]
                if rnd.random() < 0.7:  # its next step, planned as an activity (_activities)
                    p._next_plan = (rnd.choice(NEXT_ACTIONS), today + dt.timedelta(days=rnd.randint(-5, 21)))
                if offset is not None and offset < 0:
                    final["expected_month_slips"] = rnd.randint(1, 2)
            if final.get("status") is None and rnd.random() < 0.25:
                # Never touched since it was entered: its first state is its final one.
                for key, value in final.items():
                    setattr(p, key, value)
                final = {}
            else:
                self._first_state(rnd, p, final, created)
            prospects.append(p)
            finals.append(final)
        from companies.demo import seed_directory

        seed_directory(prospects)  # their companies and contacts (#19), a few near-duplicates to merge
        Prospect.objects.bulk_create(prospects, batch_size=500)
        self._history(rnd, prospects, finals, now)
        self._test_closings(rnd, prospects, today)
        self._activities(rnd, prospects, today)
        self._targets(reps, teams)
        self._daily_reports(rnd, reps, managers, today)

    @staticmethod
    def _first_state(rnd: random.Random, p: Prospect, final: dict, created: dt.datetime) -> None:
        """The prospect as the rep first entered it: open, a vaguer horizon and a lower probability than
        it ends with (a later step of its history brings it to its final state)."""
        entered = this_month(created.date())
        p.horizon = final["horizon"] if final.get("status") is None and rnd.random() < 0.3 else Horizon.LONG
        if p.horizon == Horizon.LONG and rnd.random() < 0.5:
            p.horizon = Horizon.MID
        p.probability = (
            max(5, final["probability"] - rnd.choice([0, 10, 20, 30])) if "probability" in final else 10
        )
        p.probability = min(p.probability, 60)
        p.expected_month = (
            final["expected_month"] if rnd.random() < 0.5 else add_months(entered, rnd.randint(2, 8))
        )

    def _history(
        self, rnd: random.Random, prospects: list[Prospect], finals: list[dict], now: dt.datetime
    ) -> None:
        """Give each prospect the history a real team leaves over months: the insert event dated when it
        was added, a change or two in between (a test closing moved it along, a month slipped), and the
        outcome on its close date. updated_at follows the last of them, so the cards' "last updated"
        ages vary as they would."""
        from django.db.models import F, OuterRef, Subquery

        event_model = Prospect.pgh_event_models["insert"]
        # Steps run as rounds over every prospect, so that each round's events can be dated at once.
        rounds: list[list[tuple[Prospect, dict, dt.datetime]]] = [[], []]
        for p, final in zip(prospects, finals, strict=True):
            created = p.created_at
            if final.get("closed_on"):
                end = timezone.make_aware(
                    dt.datetime.combine(final["closed_on"], dt.time(rnd.randint(9, 18)))
                )
                end = min(max(end, created + dt.timedelta(hours=1)), now)
                middle = created + (end - created) * rnd.uniform(0.3, 0.8)
                rounds[0].append(
                    (p, {"horizon": Horizon.SHORT, "probability": rnd.choice([50, 60, 70])}, middle)
                )
                rounds[1].append((p, final, end))
            elif final:
                # Open: touched last somewhere between when it was added and today.
                rounds[1].append((p, final, created + (now - created) * rnd.uniform(0.2, 1.0)))
        for steps in rounds:
            last_event = event_model.objects.order_by("-pgh_id").values_list("pgh_id", flat=True).first() or 0
            for p, changes, at in steps:
                Prospect.objects.filter(pk=p.pk).update(**changes, version=F("version") + 1, updated_at=at)
            stamp = {p.pk: at for p, _changes, at in steps}
            events = event_model.objects.filter(pgh_id__gt=last_event, pgh_label="update")
            for event in events.only("pgh_id", "pgh_obj_id"):
                event_model.objects.filter(pk=event.pk).update(pgh_created_at=stamp[event.pgh_obj_id])
        event_model.objects.filter(pgh_label="insert", pgh_obj__in=prospects).update(
            pgh_created_at=Subquery(
                Prospect.objects.filter(pk=OuterRef("pgh_obj_id")).values("created_at")[:1]
            )
        )
        untouched = [p.pk for p, final in zip(prospects, finals, strict=True) if not final]
        Prospect.objects.filter(pk__in=untouched).update(updated_at=F("created_at"))
        # The objects go on to the test closings as they now are in the database.
        for p, final in zip(prospects, finals, strict=True):
            for key, value in final.items():
                setattr(p, key, value)

    def _test_closings(self, rnd: random.Random, prospects: list[Prospect], today: dt.date) -> None:
        import importlib

        from django.db.models import OuterRef, Subquery

        from closing.models import Reading, TestClosing, TestClosingQuestion

        bank = importlib.import_module("closing.migrations.0003_seed_questions").QUESTIONS
        for kind, text_ja, text_en in bank:
            TestClosingQuestion.objects.get_or_create(
                text_ja=text_ja, defaults={"text_en": text_en, "kind": kind}
            )
        questions = list(TestClosingQuestion.objects.order_by("pk"))
        answers = {
            Reading.POSITIVE: ["前向きに検討したい", "来月なら決められそう", "一度見に行きます"],
            Reading.UNDECIDED: ["社内で相談します", "予算次第です", "もう少し比較したい"],
            Reading.NEGATIVE: ["今は考えていない", "他社で決まりそう", "価格が合わない"],
        }
        now = timezone.now()
        logs: list[TestClosing] = []
        for p in prospects:
            if rnd.random() > 0.55:
                continue
            if p.status == Status.WON:
                reading, end = Reading.POSITIVE, p.closed_on
            elif p.status == Status.LOST:
                reading, end = Reading.NEGATIVE, p.closed_on
            else:
                reading, end = rnd.choice(list(Reading)), today
            start = p.created_at.date()
            for _ in range(rnd.choice([1, 1, 2, 3])):
                day = start + dt.timedelta(days=rnd.randint(0, max(0, (end - start).days)))
                asked_at = min(
                    now, timezone.make_aware(dt.datetime.combine(day, dt.time(rnd.randint(9, 18))))
                )
                question = rnd.choice(questions)
                logs.append(
                    TestClosing(
                        prospect=p,
                        question=question,
                        question_text=question.text_ja,
                        reading=reading,
                        answer=rnd.choice(answers[reading]),
                        asked_by=p.owner,
                        asked_at=asked_at,
                    )
                )
        TestClosing.objects.bulk_create(logs, batch_size=500)
        # Their history too is dated when they were asked, not when the demo was loaded.
        TestClosing.pgh_event_models["insert"].objects.update(
            pgh_created_at=Subquery(
                TestClosing.objects.filter(pk=OuterRef("pgh_obj_id")).values("asked_at")[:1]
            )
        )

    def _activities(self, rnd: random.Random, prospects: list[Prospect], today: dt.date) -> None:
        """Done activities spread over each prospect's life (visits, calls, proposals, ...), and an open
        prospect's next action as its planned activity (as migration activities 0003 made them)."""
        from django.db.models import OuterRef, Subquery

        from activities.models import Activity, ActivityKind, ActivityStatus
        from activities.services import local_midnight

        # The standard kinds as migration activities 0002 seeds them: a database emptied since (a test's
        # flush) has none, and the demo needs them, so they are made when missing.
        for code, ja, en, trigger, position in import_module("activities.migrations.0002_seed_kinds").KINDS:
            ActivityKind.objects.get_or_create(
                code=code,
                defaults={
                    "label_ja": ja,
                    "label_en": en,
                    "triggers_test_close": trigger,
                    "position": position,
                },
            )
        kinds = {k.code: k for k in ActivityKind.objects.all()}
        done_kinds = [
            "visit",
            "call",
            "call",
            "email",
            "meeting",
            "showroom_visit",
            "proposal_sent",
            "quote_sent",
        ]
        outcomes = [
            "不在。後日また連絡",
            "ご主人と面談。前向き",
            "資料を渡した",
            "見積の説明をした",
            "比較検討中とのこと",
        ]
        now = timezone.now()
        # As the history left them (the objects hold their first state).
        final = {row[0]: row[1:] for row in Prospect.objects.values_list("pk", "status", "closed_on")}
        rows: list[Activity] = []
        for p in prospects:
            status, closed_on = final[p.pk]
            end = closed_on or today
            start = p.created_at.date()
            for _ in range(rnd.randint(1, 6)):
                day = start + dt.timedelta(days=rnd.randint(0, max(0, (end - start).days)))
                at = min(now, timezone.make_aware(dt.datetime.combine(day, dt.time(rnd.randint(9, 18)))))
                rows.append(
                    Activity(
                        prospect=p,
                        owner=p.owner,
                        kind=kinds[rnd.choice(done_kinds)],
                        starts_at=at,
                        duration_minutes=rnd.choice([None, 15, 30, 60, 90]),
                        status=ActivityStatus.DONE,
                        done_at=at,
                        outcome=rnd.choice(outcomes),
                        created_at=at,
                    )
                )
            plan = getattr(p, "_next_plan", None)
            if status == Status.OPEN and plan is not None:
                (subject, kind), day = plan
                rows.append(
                    Activity(
                        prospect=p,
                        owner=p.owner,
                        kind=kinds[kind],
                        subject=subject,
                        starts_at=local_midnight(day),
                        all_day=True,
                    )
                )
        Activity.objects.bulk_create(rows, batch_size=500)
        # Their history is dated when they happened, not when the demo was loaded.
        Activity.pgh_event_models["insert"].objects.update(
            pgh_created_at=Subquery(
                Activity.objects.filter(pk=OuterRef("pgh_obj_id")).values("created_at")[:1]
            )
        )

    @staticmethod
    def _lead_activities(rnd: random.Random, reps: list[User], today: dt.date) -> dict:
        """Six months of each rep's lead-generation work (flyer drops every four weeks, door-to-door
        every two, referral requests monthly, an exhibition a quarter, an inbound campaign every two
        months), so the yields and the plans have figures on the first run. (owner, kind) -> the
        activities, oldest first."""
        from activities.models import LeadActivity, LeadKind

        rows: list[LeadActivity] = []
        areas = ["港区芝", "品川区大井", "目黒区中町", "世田谷区三軒茶屋", "大田区蒲田"]
        every = {
            LeadKind.FLYER: 28,
            LeadKind.DOOR_TO_DOOR: 14,
            LeadKind.REFERRAL: 30,
            LeadKind.EXHIBITION: 91,
            LeadKind.INBOUND: 61,
        }
        for rep in reps:
            for kind, days in every.items():
                on = today - dt.timedelta(days=180 - rnd.randint(0, days - 1))
                while on <= today:
                    fields: dict = {"owner": rep, "kind": kind, "on": on, "created_by": rep}
                    if kind == LeadKind.FLYER:
                        fields.update(
                            flyers=rnd.choice([200, 300, 300, 500]),
                            area=rnd.choice(areas),
                            name="秋のリフォーム相談会チラシ",
                        )
                    elif kind == LeadKind.DOOR_TO_DOOR:
                        doors = rnd.randint(25, 60)
                        fields.update(
                            doors_knocked=doors,
                            conversations=rnd.randint(3, doors // 5),
                            area=rnd.choice(areas),
                        )
                    elif kind == LeadKind.REFERRAL:
                        fields.update(requests=rnd.randint(4, 10))
                    elif kind == LeadKind.EXHIBITION:
                        fields.update(
                            name="住まいのリフォームフェア",
                            contacts=rnd.randint(15, 40),
                            ends_on=min(on + dt.timedelta(days=1), today),
                        )
                    else:
                        fields.update(
                            name="Web広告キャンペーン", channel=rnd.choice(["Web広告", "地域情報誌"])
                        )
                    rows.append(LeadActivity(**fields))
                    on += dt.timedelta(days=days + rnd.randint(-3, 3))
        LeadActivity.objects.bulk_create(rows)
        out: dict = {}
        for row in sorted(rows, key=lambda r: r.on):
            out.setdefault((row.owner_id, row.kind), []).append(row)
        return out

    @staticmethod
    def _lead_activity_for(rnd: random.Random, leadgen: dict, p: Prospect, created: dt.date):
        """The rep's latest activity of the prospect's source within 30 days before it was added (most
        new leads of those sources come from one), so the yields count them."""
        candidates = [
            a
            for a in leadgen.get((p.owner.pk, p.source), [])
            if a.on <= created <= a.on + dt.timedelta(days=30)
        ]
        return candidates[-1] if candidates and rnd.random() < 0.85 else None

    def _targets(self, reps: list[User], teams: list[Team]) -> None:
        from targets.models import PipelineTarget

        # Minimums a little above what some reps have (tanaka, the demo rep, among them), so the demo
        # shows alerts and their replenishment plans.
        for i, rep in enumerate(reps):
            PipelineTarget.objects.create(
                user=rep,
                min_open=22 if i == 0 else 20,
                min_short=8,
                min_mid=4,
                sales_target=Decimal(3_000_000 + i * 500_000),
            )
        for team in teams:
            PipelineTarget.objects.create(
                team=team, min_open=70, min_short=25, sales_target=Decimal(16_000_000)
            )
        PipelineTarget.objects.create(min_open=140, sales_target=Decimal(32_000_000))

    def _daily_reports(
        self, rnd: random.Random, reps: list[User], managers: list[User], today: dt.date
    ) -> None:
        """Three weeks of daily reports (日報): most weekdays of most reps, their figures counted from what
        the demo logged that day (as a submission does), some with their manager's comment; the demo
        rep's latest commented report is still unread, so their home page shows it."""
        from reports.models import DailyReport, DailyReportComment
        from reports.selectors import day_figures

        notes = [
            "飛び込み中心。反響は次週に期待。",
            "チラシ配布の反応を確認中。",
            "見積もり提出2件。来週テストクロージング予定。",
            "展示会のフォローコール。",
            "既存客訪問。紹介依頼を2件お願いした。",
            "",
        ]
        remarks = [
            "お疲れさまです。見積もりの返事を早めに確認しましょう。",
            "良いペースです。",
            "来週の同行、調整します。",
        ]
        days = [today - dt.timedelta(days=d) for d in range(1, 22)]
        days = [d for d in days if d.weekday() < 5]
        latest = None  # the demo rep's latest report (days run newest first)
        for i, rep in enumerate(reps):
            manager = managers[0] if i < 4 else managers[1]
            for day in days:
                if rnd.random() < 0.15:
                    continue  # not submitted that day
                at = timezone.make_aware(dt.datetime.combine(day, dt.time(18, rnd.randint(0, 59))))
                figures = day_figures(viewer=rep, owner_ids=(rep.pk,), day=day)[rep.pk]
                report = DailyReport.objects.create(
                    owner=rep, day=day, comment=rnd.choice(notes), submitted_at=at, created_at=at, **figures
                )
                if i == 0 and latest is None:
                    latest = report
                if rnd.random() < 0.3:
                    DailyReportComment.objects.create(
                        report=report,
                        author=manager,
                        body=rnd.choice(remarks),
                        created_at=min(at + dt.timedelta(hours=14), timezone.now()),
                    )
                    report.comments_seen_at = at + dt.timedelta(days=1)
                    report.save(update_fields=["comments_seen_at"])
        if latest is not None:
            DailyReportComment.objects.create(
                report=latest,
                author=managers[0],
                body=remarks[0],
                created_at=min(latest.submitted_at + dt.timedelta(hours=14), timezone.now()),
            )
            latest.comments_seen_at = None
            latest.save(update_fields=["comments_seen_at"])
