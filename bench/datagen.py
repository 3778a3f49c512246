"""The scaled data set, loaded fast: users and teams with bulk_create, prospects and test closings with
PostgreSQL COPY (psycopg 3 ``cursor.copy()``).

During the bulk load the user triggers (pghistory's, and the prospect table's open-count and lead-count
triggers) are disabled with ``ALTER TABLE ... DISABLE TRIGGER USER`` and re-enabled right after, in a
``finally``; the open counts and the lead activities' lead counts are then rebuilt with one grouped count
each (``prospects.counts.rebuild``, ``rebuild_lead_counts``). A generated row has
no "created" history event, which no page relies on (the detail page's timeline shows whatever events
exist, and the bench's detail prospect gets real edits, with triggers on, so its timeline is not empty).
Foreign keys and CHECK constraints stay on: they are not user triggers.

A marker row in ``bench_dataset`` records the size and the generator version; a database that already
holds the same size is re-used as it is.
"""

from __future__ import annotations

import datetime as dt
import json
import random
import time
from dataclasses import asdict, dataclass, field
from decimal import Decimal

from django.contrib.auth.hashers import make_password
from django.db import connection, transaction
from django.utils import timezone

# 4: vacuumed after the load; 5: open counts rebuilt after it; 6: the heavy rep; 7: activities;
# 8: lead activities, with the recent prospects of their sources linked to them; 9: companies and
# contacts (#19), every prospect linked to one, its text fields theirs; 10, 11: the measured rep short
# of its target at every size, after any number of runs
DATASET_VERSION = 11
BENCH_PASSWORD = "bench-pass-2026"
MARKER_TABLE = "bench_dataset"
TRIGGER_TABLES = (
    "prospects_prospect",
    "closing_testclosing",
    "targets_pipelinetarget",
    "activities_activity",
    "activities_leadactivity",
    "companies_company",
    "companies_contact",
)


@dataclass(frozen=True)
class Size:
    name: str
    reps: int
    teams: int
    prospects: int  # open + closed
    closed_share: float  # share of prospects that are won/lost history (spread over 12 months)
    closings: int  # test-closing log rows
    # Open prospects of one more rep, the heavy rep, on top of `prospects`: a rep's own list and board
    # must not slow down with the rep's own open count (issue 15).
    heavy_open: int
    # Companies and contacts (#19, bench/directory_data.py): every prospect belongs to a company, most
    # to one of its contacts too.
    companies: int = 0
    contacts: int = 0


SIZES: dict[str, Size] = {
    # XS exists for the smoke test: the same pages at a tenth of S must run the same number of queries.
    "XS": Size(
        "XS",
        reps=5,
        teams=1,
        prospects=100,
        closed_share=0.25,
        closings=300,
        heavy_open=100,
        companies=30,
        contacts=60,
    ),
    "S": Size(
        "S",
        reps=10,
        teams=2,
        prospects=1_000,
        closed_share=0.25,
        closings=3_000,
        heavy_open=1_000,
        companies=300,
        contacts=600,
    ),
    "M": Size(
        "M",
        reps=200,
        teams=20,
        prospects=100_000,
        closed_share=0.25,
        closings=300_000,
        heavy_open=10_000,
        companies=30_000,
        contacts=60_000,
    ),
    # L is for the target check and the list queries: a million open prospects, a lighter closing log.
    "L": Size(
        "L",
        reps=10_000,
        teams=1_000,
        prospects=1_000_000,
        closed_share=0.0,
        closings=200_000,
        heavy_open=10_000,
        companies=100_000,
        contacts=200_000,
    ),
}


@dataclass
class Dataset:
    """What the URL builders of bench/pages.py get: the ids of the personas and of the measured rows."""

    size: str
    rep_id: int
    rep_username: str
    manager_id: int
    manager_username: str
    admin_id: int
    admin_username: str
    team_id: int
    detail_prospect_id: int
    move_prospect_id: int
    closing_prospect_id: int
    question_id: int | None
    # The heavy rep: Size.heavy_open open prospects of their own (persona "heavy_rep").
    heavy_rep_id: int = 0
    heavy_rep_username: str = ""
    # The company page's company (the detail prospect's) and the search box's query (a kana stem that
    # many companies share, in another kana than theirs).
    company_id: int = 0
    search_query: str = ""
    counts: dict[str, int] = field(default_factory=dict)
    generated_seconds: float = 0.0
    reused: bool = False

    def persona_id(self, persona: str) -> int:
        return {
            "rep": self.rep_id,
            "heavy_rep": self.heavy_rep_id,
            "manager": self.manager_id,
            "admin": self.admin_id,
        }[persona]

    def persona_username(self, persona: str) -> str:
        return {
            "rep": self.rep_username,
            "heavy_rep": self.heavy_rep_username,
            "manager": self.manager_username,
            "admin": self.admin_username,
        }[persona]


# Activities per prospect (issue 18: about 10): the done ones over the last half year, and one planned
# for an open prospect with a next action.
ACTIVITIES_PER_PROSPECT = 10


# --- marker -------------------------------------------------------------------------------------------


def load_marker(size: str) -> Dataset | None:
    with connection.cursor() as cur:
        cur.execute("SELECT to_regclass(%s)", [MARKER_TABLE])
        if cur.fetchone()[0] is None:
            return None
        cur.execute(
            f"SELECT dataset FROM {MARKER_TABLE} WHERE size = %s AND version = %s", [size, DATASET_VERSION]
        )
        row = cur.fetchone()
    if row is None:
        return None
    data = row[0] if isinstance(row[0], dict) else json.loads(row[0])
    dataset = Dataset(**data)
    dataset.reused = True
    return dataset


def _write_marker(dataset: Dataset) -> None:
    with connection.cursor() as cur:
        cur.execute(
            f"CREATE TABLE IF NOT EXISTS {MARKER_TABLE} (size text PRIMARY KEY, version int NOT NULL, "
            "created_at timestamptz NOT NULL DEFAULT now(), dataset jsonb NOT NULL)"
        )
        cur.execute(f"DELETE FROM {MARKER_TABLE}")
        cur.execute(
            f"INSERT INTO {MARKER_TABLE} (size, version, dataset) VALUES (%s, %s, %s)",
            [dataset.size, DATASET_VERSION, json.dumps(asdict(dataset))],
        )


# --- generation ---------------------------------------------------------------------------------------

COMPANY_PREFIXES = [
    "山田",
    "佐藤",
    "鈴木",
    "高橋",
    "田中",
    "伊藤",
    "渡辺",
    "中村",
    "小林",
    "加藤",
    "吉田",
    "松本",
]
COMPANY_SUFFIXES = ["工務店", "商事", "建設", "製作所", "不動産", "設計事務所", "物産", "リフォーム"]
CONTACTS = ["山本 太郎", "中島 花子", "石井 健", "森 美咲", "池田 誠", "橋本 陽子"]
ACTIONS = ["見積書を送付", "ショールーム案内", "現地調査", "電話でフォロー", "提案書を持参", ""]
QUESTIONS = [
    (
        "もしこの金額でしたら、ご検討いただけますか",
        "If the price were this, would you consider it?",
        "price",
    ),
    ("いつ頃までに決めたいとお考えですか", "By when would you like to decide?", "timing"),
    ("最終的にはどなたがお決めになりますか", "Who makes the final decision?", "decision"),
    ("一度ショールームにお越しになりませんか", "Would you like to visit our showroom?", "invitation"),
]
ANSWERS = ["前向きに検討したい", "家族と相談します", "今は考えていない", "来月なら", "予算次第です"]
SOURCES = ["door_to_door", "inbound", "exhibition", "flyer", "referral", "other"]
LOST_REASONS = ["price", "postponed", "no_budget", "no_response", "other"]


def _add_months(month: dt.date, n: int) -> dt.date:
    total = month.year * 12 + month.month - 1 + n
    return dt.date(total // 12, total % 12 + 1, 1)


class _TextRows:
    """COPY text format written in chunks: about twice as fast as write_row per row. The generated
    values never hold a tab, newline or backslash, so str() is their text form; None is NULL."""

    def __init__(self, copy, chunk: int = 5000) -> None:
        self.copy = copy
        self.chunk = chunk
        self.lines: list[str] = []

    def add(self, row: tuple) -> None:
        self.lines.append("\t".join("\\N" if v is None else str(v) for v in row))
        if len(self.lines) >= self.chunk:
            self.flush()

    def flush(self) -> None:
        if self.lines:
            self.copy.write("\n".join(self.lines) + "\n")
            self.lines.clear()


# Days between two lead activities of a kind, per rep (about 26 each in half a year).
LEAD_EVERY = {"flyer": 28, "door_to_door": 14, "referral": 30, "exhibition": 91, "inbound": 61}
_LINK_LEADS_SQL = """
UPDATE prospects_prospect p SET lead_activity_id = (
    SELECT la.id FROM activities_leadactivity la
    WHERE la.owner_id = p.owner_id AND la.kind = p.source AND la."on" <= p.created_at::date
    ORDER BY la."on" DESC, la.id DESC LIMIT 1
)
WHERE p.created_at >= %(since)s AND p.source = ANY(%(kinds)s)
"""


def _disable_history_triggers(enable: bool) -> None:
    action = "ENABLE" if enable else "DISABLE"
    with connection.cursor() as cur:
        if enable:
            # Django's foreign keys are DEFERRABLE INITIALLY DEFERRED: run their checks now, since
            # ALTER TABLE refuses a table with pending trigger events.
            cur.execute("SET CONSTRAINTS ALL IMMEDIATE")
        for table in TRIGGER_TABLES:
            cur.execute(f"ALTER TABLE {table} {action} TRIGGER USER")


def generate(size: Size, *, seed: int = 20261127, log=print) -> Dataset:
    """Load the data set of `size` into the (freshly migrated, empty) current database."""
    from accounts.models import Role, Team, User
    from closing.models import TestClosingQuestion
    from targets.models import PipelineTarget

    rng = random.Random(seed)
    started = time.monotonic()
    now = timezone.now()
    today = timezone.localdate()
    this_month = today.replace(day=1)
    password = make_password(BENCH_PASSWORD)  # hashed once: every bench user shares it

    with transaction.atomic():
        _disable_history_triggers(enable=False)
        try:
            # Users: reps, one manager per team, one admin, and the heavy rep (in the last team, so the
            # first team's pages measure what they measured before it).
            reps = [
                User(
                    username=f"rep{i:05d}",
                    password=password,
                    role=Role.REP,
                    last_name=COMPANY_PREFIXES[i % len(COMPANY_PREFIXES)],
                    first_name=f"営業{i}",
                )
                for i in range(size.reps)
            ]
            managers = [
                User(username=f"mgr{i:04d}", password=password, role=Role.MANAGER, last_name=f"課長{i}")
                for i in range(size.teams)
            ]
            admin = User(username="bench_admin", password=password, role=Role.ADMIN, is_staff=True)
            heavy_rep = User(
                username="rep_heavy", password=password, role=Role.REP, last_name="大口", first_name="営業"
            )
            User.objects.bulk_create([*reps, *managers, admin, heavy_rep], batch_size=5000)
            teams = Team.objects.bulk_create(
                [Team(name=f"営業{i + 1}課") for i in range(size.teams)], batch_size=5000
            )
            Member = Team.members.through
            Manager = Team.managers.through
            Member.objects.bulk_create(
                [Member(team_id=teams[i % size.teams].pk, user_id=rep.pk) for i, rep in enumerate(reps)]
                + [Member(team_id=teams[-1].pk, user_id=heavy_rep.pk)],
                batch_size=5000,
            )
            Manager.objects.bulk_create(
                [Manager(team_id=team.pk, user_id=mgr.pk) for team, mgr in zip(teams, managers, strict=True)],
                batch_size=5000,
            )
            questions = TestClosingQuestion.objects.bulk_create(
                [TestClosingQuestion(text_ja=ja, text_en=en, kind=kind) for ja, en, kind in QUESTIONS]
            )
            log(f"    users and teams: {time.monotonic() - started:.1f}s")

            # Prospects: owner i % reps, so every rep has the same share; then the heavy rep's, all open.
            rep_ids = [rep.pk for rep in reps]
            total = size.prospects + size.heavy_open

            def owner_of(i: int) -> int:
                return heavy_rep.pk if i >= size.prospects else rep_ids[i % size.reps]

            statuses: list[str] = []
            planned_days: dict[int, dt.date] = {}  # prospect index -> its next planned activity's day
            columns = (
                "id, name, contact_person, phone, email, address, source, owner_id, horizon, probability, "
                "expected_month, expected_month_slips, amount, status, "
                "notes, closed_on, won_amount, lost_reason, competitor, outcome_note, recontact_on, "
                "created_at, updated_at, version, company_id, contact_id, external_id"
            )
            raw = connection.connection  # the psycopg 3 connection under Django's
            # Companies and contacts first (their own random stream: the rest of the data set is as it
            # was); each prospect's customer text is its company's and contact's.
            from bench import directory_data

            directory = directory_data.load(
                raw, random.Random(seed + 19), companies=size.companies, contacts=size.contacts, now=now
            )
            log(
                f"    {size.companies:,} companies, {size.contacts:,} contacts: {time.monotonic() - started:.1f}s"
            )
            with raw.cursor() as cur, cur.copy(f"COPY prospects_prospect ({columns}) FROM STDIN") as copy:
                rows = _TextRows(copy)
                for i in range(total):
                    pid = i + 1
                    closed = i < size.prospects and rng.random() < size.closed_share
                    company_id, contact_id, customer = directory.customer_of(i)
                    name = customer[0]
                    amount = Decimal(rng.randrange(100, 10_000) * 1000)
                    created = now - dt.timedelta(days=rng.randrange(0, 450), minutes=rng.randrange(0, 1440))
                    if closed:
                        closed_on = today - dt.timedelta(days=rng.randrange(0, 365))
                        won = rng.random() < 0.4
                        created = min(created, timezone.make_aware(dt.datetime(*closed_on.timetuple()[:3])))
                        row = (
                            pid,
                            name,
                            CONTACTS[i % 6],
                            "03-1234-5678",
                            "",
                            "東京都千代田区",
                            rng.choice(SOURCES),
                            owner_of(i),
                            "short",
                            100 if won else 0,
                            closed_on.replace(day=1),
                            0,
                            amount,
                            "won" if won else "lost",
                            "",
                            closed_on,
                            amount if won else None,
                            "" if won else rng.choice(LOST_REASONS),
                            "",
                            "",
                            None,
                            created,
                            min(created + dt.timedelta(days=30), now),
                            2,
                        )
                        statuses.append("closed")
                    else:
                        horizon = rng.choices(["short", "mid", "long"], weights=[25, 35, 40])[0]
                        offset = {"short": rng.randrange(0, 2), "mid": rng.randrange(2, 7)}.get(
                            horizon, rng.randrange(7, 13)
                        )
                        month = (
                            None
                            if horizon == "long" and rng.random() < 0.3
                            else _add_months(this_month, offset)
                        )
                        probability = {"short": rng.randrange(50, 91), "mid": rng.randrange(20, 61)}.get(
                            horizon, rng.randrange(5, 31)
                        )
                        action_on = (
                            today + dt.timedelta(days=rng.randrange(-10, 31)) if rng.random() < 0.7 else None
                        )
                        if action_on is not None:
                            planned_days[i] = action_on
                        row = (
                            pid,
                            name,
                            CONTACTS[i % 6],
                            "03-1234-5678",
                            "",
                            "東京都千代田区",
                            rng.choice(SOURCES),
                            owner_of(i),
                            horizon,
                            probability,
                            month,
                            0,
                            amount,
                            "open",
                            "",
                            None,
                            None,
                            "",
                            "",
                            "",
                            None,
                            created,
                            min(created + dt.timedelta(days=rng.randrange(0, 30)), now),
                            1,
                        )
                        statuses.append("open")
                    rows.add((row[0], *customer, *row[6:], company_id, contact_id, ""))
                rows.flush()
            with connection.cursor() as cur:
                cur.execute(
                    "SELECT setval(pg_get_serial_sequence('prospects_prospect', 'id'), "
                    "(SELECT max(id) FROM prospects_prospect))"
                )
            log(f"    {total:,} prospects: {time.monotonic() - started:.1f}s")

            # Test closings, on random prospects, asked by their owner.
            tc_columns = (
                "prospect_id, question_id, question_text, answer, reading, revealed_month, revealed_budget, "
                "revealed_decision_maker, annotation, asked_by_id, asked_at"
            )
            with raw.cursor() as cur, cur.copy(f"COPY closing_testclosing ({tc_columns}) FROM STDIN") as copy:
                rows = _TextRows(copy)
                for _ in range(size.closings):
                    i = rng.randrange(total)
                    q = questions[i % len(questions)]
                    rows.add(
                        (
                            i + 1,
                            q.pk,
                            q.text_ja,
                            ANSWERS[rng.randrange(5)],
                            rng.choice(["positive", "undecided", "negative"]),
                            _add_months(this_month, rng.randrange(0, 6)) if rng.random() < 0.3 else None,
                            None,
                            "",
                            "",
                            owner_of(i),
                            now - dt.timedelta(days=rng.randrange(0, 180), minutes=rng.randrange(0, 1440)),
                        )
                    )
                rows.flush()
            log(f"    {size.closings:,} test closings: {time.monotonic() - started:.1f}s")

            # Activities: ACTIVITIES_PER_PROSPECT per prospect, by its owner; an open prospect's next
            # action (its planned activity, as migration activities 0003 made them) among them.
            from activities.models import ActivityKind

            kind_ids = list(ActivityKind.objects.order_by("position").values_list("pk", flat=True))
            act_columns = (
                "prospect_id, owner_id, kind_id, subject, starts_at, all_day, duration_minutes, status, "
                "done_at, outcome, created_at, updated_at, version"
            )
            n_activities = 0
            with (
                raw.cursor() as cur,
                cur.copy(f"COPY activities_activity ({act_columns}) FROM STDIN") as copy,
            ):
                rows = _TextRows(copy)
                for i in range(total):
                    owner = owner_of(i)
                    planned_on = planned_days.get(i)
                    for k in range(ACTIVITIES_PER_PROSPECT):
                        if k == 0 and planned_on is not None:
                            at = timezone.make_aware(dt.datetime.combine(planned_on, dt.time(10)))
                            rows.add(
                                (
                                    i + 1,
                                    owner,
                                    kind_ids[i % len(kind_ids)],
                                    ACTIONS[i % 6],
                                    at,
                                    False,
                                    60,
                                    "planned",
                                    None,
                                    "",
                                    now,
                                    now,
                                    1,
                                )
                            )
                        else:
                            at = now - dt.timedelta(days=rng.randrange(1, 180), minutes=rng.randrange(0, 600))
                            rows.add(
                                (
                                    i + 1,
                                    owner,
                                    kind_ids[(i + k) % len(kind_ids)],
                                    "",
                                    at,
                                    False,
                                    30,
                                    "done",
                                    at,
                                    ANSWERS[k % 5],
                                    at,
                                    at,
                                    1,
                                )
                            )
                        n_activities += 1
                rows.flush()
            log(f"    {n_activities:,} activities: {time.monotonic() - started:.1f}s")

            # Lead activities: half a year of each rep's (LEAD_EVERY), then the prospects of the last
            # 180 days whose source is a lead kind linked to their owner's latest one of that kind.
            from activities.models import LeadActivity, LeadKind

            lead_rows = []
            for rep_id in [*rep_ids, heavy_rep.pk]:
                for kind, every in LEAD_EVERY.items():
                    on = today - dt.timedelta(days=180 - rng.randrange(0, every))
                    while on <= today:
                        counts = {
                            LeadKind.FLYER: {"flyers": rng.choice([200, 300, 500])},
                            LeadKind.DOOR_TO_DOOR: {
                                "doors_knocked": 40,
                                "conversations": rng.randrange(2, 9),
                            },
                            LeadKind.EXHIBITION: {"contacts": rng.randrange(10, 40), "name": "展示会"},
                            LeadKind.REFERRAL: {"requests": rng.randrange(3, 10)},
                            LeadKind.INBOUND: {"name": "Web広告", "channel": "Web"},
                        }[kind]
                        lead_rows.append(LeadActivity(owner_id=rep_id, kind=kind, on=on, **counts))
                        on += dt.timedelta(days=every)
            LeadActivity.objects.bulk_create(lead_rows, batch_size=5000)
            with connection.cursor() as cur:
                cur.execute(
                    _LINK_LEADS_SQL, {"since": now - dt.timedelta(days=180), "kinds": list(LeadKind.values)}
                )
                n_linked = cur.rowcount
            log(
                f"    {len(lead_rows):,} lead activities, {n_linked:,} prospects linked: {time.monotonic() - started:.1f}s"
            )

            # Pipeline targets: every rep and team, and the company; about half the reps fall short.
            n_closed = statuses.count("closed")
            per_rep_open = (size.prospects - n_closed) // max(size.reps, 1)  # the heavy rep aside
            # The measured rep (the first) falls short at every size, however many prospects the runs
            # give it (web inquiries), so home reads its alert's plan whatever the size (the queries
            # are compared between sizes).
            targets = [
                PipelineTarget(
                    user_id=rep_id,
                    min_open=size.prospects
                    if n == 0
                    else rng.randrange(max(per_rep_open // 2, 1), per_rep_open * 3 // 2 + 2),
                    min_short=max(per_rep_open // 5, 1),
                )
                for n, rep_id in enumerate(rep_ids)
            ]
            targets.append(
                PipelineTarget(user_id=heavy_rep.pk, min_open=size.heavy_open, min_short=size.heavy_open // 5)
            )
            targets += [PipelineTarget(team_id=team.pk, min_open=per_rep_open * 8) for team in teams]
            targets.append(PipelineTarget(min_open=per_rep_open * size.reps))
            PipelineTarget.objects.bulk_create(targets, batch_size=5000)
        finally:
            _disable_history_triggers(enable=True)
        from prospects.counts import rebuild as rebuild_open_counts
        from prospects.counts import rebuild_lead_counts

        rebuild_open_counts()  # the open-count triggers were off during the COPY
        rebuild_lead_counts()  # and the lead-count ones during the linking of prospects to lead activities

    # The rep's prospects used by the pages: a detail page with a real history, one to move, one to
    # log test closings on. Edits go through the service, with triggers on, like a user's would.
    from prospects.models import Prospect
    from prospects.services import prospect_update

    rep = reps[0]
    mine = list(
        Prospect.objects.filter(owner=rep, status="open").order_by("id").values_list("id", flat=True)[:3]
    )
    detail = Prospect.objects.get(pk=mine[0])
    for step in range(3):
        detail = prospect_update(
            prospect=detail,
            by=rep,
            expected_version=detail.version,
            probability=(detail.probability + 10) % 100,
            notes=ACTIONS[step],
        )

    with connection.cursor() as cur:
        # VACUUM too, as autovacuum would after a bulk load (it is off on some servers): without the
        # visibility map no scan is index-only, and the first reads of the data set set hint bits.
        cur.execute("VACUUM ANALYZE")
    counts = {
        "companies": size.companies,
        "contacts": size.contacts,
        "reps": size.reps,
        "teams": size.teams,
        "prospects": total,
        "open_prospects": statuses.count("open"),
        "closed_prospects": statuses.count("closed"),
        "test_closings": size.closings,
        "activities": n_activities,
        "rep_open_prospects": Prospect.objects.filter(owner=rep, status="open").count(),
        "heavy_rep_open_prospects": Prospect.objects.filter(owner=heavy_rep, status="open").count(),
    }
    dataset = Dataset(
        size=size.name,
        rep_id=rep.pk,
        rep_username=rep.username,
        manager_id=managers[0].pk,
        manager_username=managers[0].username,
        admin_id=admin.pk,
        admin_username=admin.username,
        team_id=teams[0].pk,
        detail_prospect_id=mine[0],
        move_prospect_id=mine[1],
        closing_prospect_id=mine[2],
        question_id=questions[0].pk,
        heavy_rep_id=heavy_rep.pk,
        heavy_rep_username=heavy_rep.username,
        company_id=Prospect.objects.values_list("company_id", flat=True).get(pk=mine[0]) or 0,
        search_query=directory.stem,
        counts=counts,
        generated_seconds=round(time.monotonic() - started, 1),
    )
    _write_marker(dataset)
    log(f"    data set {size.name} ready in {dataset.generated_seconds}s (VACUUM ANALYZE included)")
    return dataset
