"""Lead-generation activities with hand-made data whose answers are known: the form's rules (negative
counts, an end before a start, a date in the future, a prospect link outside the scope), the DB's
checks, visibility, the yields with and without enough sample, the plan's numbers and progress,
and the revival source."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone, translation

from activities import yields
from activities.leadgen import LINK_OUT_OF_SCOPE, NEGATIVE_COUNT, LeadActivityForm
from activities.models import LeadActivity, LeadKind
from prospects.models import Prospect, Source
from targets.models import PipelineAlert, Rule, Scope
from tests.conftest import make_prospect

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 11, 20)


def lead(owner, kind=LeadKind.FLYER, on=TODAY - dt.timedelta(days=10), leads=0, **counts) -> LeadActivity:
    defaults = {
        LeadKind.FLYER: {"flyers": 100},
        LeadKind.EXHIBITION: {"contacts": 10, "name": "展示会"},
        LeadKind.REFERRAL: {"requests": 5},
        LeadKind.DOOR_TO_DOOR: {"doors_knocked": 30, "conversations": 5},
        LeadKind.INBOUND: {},
    }[kind]
    activity = LeadActivity.objects.create(owner=owner, kind=kind, on=on, **{**defaults, **counts})
    for i in range(leads):
        make_prospect(owner, name=f"{kind}-{activity.pk}-{i}", source=kind, lead_activity=activity)
    return activity


def by_kind(ys):
    return {y.kind: y for y in ys}


# --- the form and the database -------------------------------------------------------------------


def form(user, **data):
    base = {"kind": "flyer", "on": timezone.localdate().isoformat(), "flyers": "300"}
    return LeadActivityForm({**base, **data}, user=user)


def test_a_negative_count_is_a_form_error_and_the_database_refuses_it(personas):
    f = form(personas.owner, flyers="-5")
    assert not f.is_valid() and f.errors["flyers"] == [str(NEGATIVE_COUNT)]
    with pytest.raises(IntegrityError), transaction.atomic():
        LeadActivity.objects.create(owner=personas.owner, kind="flyer", on=TODAY, flyers=-1)


def test_an_end_before_the_start_and_a_future_date_are_refused(personas):
    today = timezone.localdate()
    f = form(
        personas.owner,
        kind="exhibition",
        name="住宅フェア",
        contacts="12",
        on=today.isoformat(),
        ends_on=(today - dt.timedelta(days=1)).isoformat(),
    )
    assert not f.is_valid() and "ends_on" in f.errors
    f = form(personas.owner, on=(today + dt.timedelta(days=1)).isoformat())
    assert not f.is_valid() and "on" in f.errors
    with pytest.raises(IntegrityError), transaction.atomic():
        LeadActivity.objects.create(
            owner=personas.owner,
            kind="exhibition",
            on=TODAY,
            ends_on=TODAY - dt.timedelta(days=1),
            contacts=1,
        )


def test_more_conversations_than_doors_and_a_missing_count_are_refused(personas):
    f = form(personas.owner, kind="door_to_door", doors_knocked="10", conversations="11")
    assert not f.is_valid() and "conversations" in f.errors
    f = form(personas.owner, flyers="")
    assert not f.is_valid() and "flyers" in f.errors


def test_counts_of_another_kind_are_dropped(personas):
    f = form(personas.owner, kind="referral", requests="4", flyers="-9", doors_knocked="3")
    assert f.is_valid(), f.errors
    assert (f.values()["requests"], f.values()["flyers"], f.values()["doors_knocked"]) == (4, None, None)


def test_a_rep_logs_a_flyer_drop_in_one_post_and_nothing_is_saved_on_bad_input(personas, login):
    client = login(personas.owner)
    url = reverse("activities:lead_create")
    bad = client.post(url, {"kind": "flyer", "on": timezone.localdate().isoformat(), "flyers": "-1"})
    assert bad.status_code == 422 and LeadActivity.objects.count() == 0
    ok = client.post(
        url, {"kind": "flyer", "on": timezone.localdate().isoformat(), "flyers": "500", "area": "港区"}
    )
    activity = LeadActivity.objects.get()
    assert ok.status_code == 302 and (activity.owner, activity.flyers, activity.area) == (
        personas.owner,
        500,
        "港区",
    )


def test_lead_activities_follow_the_prospects_visibility(personas, login):
    mine = lead(personas.owner)
    theirs = lead(personas.outsider)
    assert set(LeadActivity.objects.visible_to(personas.manager)) == {mine}
    assert set(LeadActivity.objects.visible_to(personas.admin)) == {mine, theirs}
    assert login(personas.teammate).get(reverse("activities:lead_detail", args=[mine.pk])).status_code == 404
    assert login(personas.manager).get(reverse("activities:lead_detail", args=[mine.pk])).status_code == 200
    listed = login(personas.manager).get(reverse("activities:lead_list")).content.decode()
    assert f'href="{reverse("activities:lead_detail", args=[mine.pk])}"' in listed
    assert reverse("activities:lead_detail", args=[theirs.pk]) not in listed


def test_a_prospect_from_a_lead_activity_takes_its_source_and_a_link_outside_the_scope_is_refused(
    personas, login
):
    mine = lead(personas.owner, kind=LeadKind.EXHIBITION)
    theirs = lead(personas.outsider)
    client = login(personas.owner)
    page = client.get(reverse("prospects:create") + f"?lead_activity={mine.pk}")
    assert page.status_code == 200 and f'value="{mine.pk}" selected' in page.content.decode()
    data = {"name": "新規A", "source": "flyer", "probability": "10", "amount": "0", "lead_activity": mine.pk}
    assert client.post(reverse("prospects:create"), data).status_code == 302
    made = Prospect.objects.get(name="新規A")
    assert (made.lead_activity, made.source) == (mine, Source.EXHIBITION)
    refused = client.post(reverse("prospects:create"), {**data, "name": "新規B", "lead_activity": theirs.pk})
    with translation.override("ja"):
        assert str(LINK_OUT_OF_SCOPE) in refused.content.decode()
    assert not Prospect.objects.filter(name="新規B").exists()


# --- yields --------------------------------------------------------------------------------------


def test_with_enough_sample_a_rep_has_their_own_yield(personas):
    lead(personas.owner, flyers=1000, leads=7)
    y = by_kind(yields.yields_for_user(user=personas.owner, today=TODAY))[LeadKind.FLYER]
    assert (y.basis, y.shown, y.sample.units, y.sample.leads) == ("own", Decimal("0.70"), 1000, 7)


def test_with_a_small_sample_the_rep_leans_on_the_team_then_the_company(personas):
    lead(personas.owner, flyers=200, leads=3)  # below 1,000 flyers
    lead(personas.teammate, flyers=1000, leads=5)
    lead(personas.owner, kind=LeadKind.DOOR_TO_DOOR, leads=1)
    lead(personas.owner, kind=LeadKind.DOOR_TO_DOOR)  # the team: 2 sessions, below 5
    for i in range(4):
        lead(personas.outsider, kind=LeadKind.DOOR_TO_DOOR, leads=1 if i < 2 else 0)
    ys = by_kind(yields.yields_for_user(user=personas.owner, today=TODAY))
    flyer, d2d = ys[LeadKind.FLYER], ys[LeadKind.DOOR_TO_DOOR]
    assert (flyer.basis, flyer.shown) == ("team", Decimal("0.67"))  # 8 / 1,200 x 100
    assert (flyer.own.units, flyer.own.leads) == (200, 3)
    assert (d2d.basis, d2d.shown) == ("company", Decimal("0.50"))  # 3 leads / 6 sessions
    assert ys[LeadKind.REFERRAL].basis is None and ys[LeadKind.REFERRAL].shown is None


def test_activities_older_than_90_days_and_revivals_do_not_count(personas):
    lead(personas.owner, flyers=5000, leads=9, on=TODAY - dt.timedelta(days=90))
    activity = lead(personas.owner, flyers=1000, leads=2)
    make_prospect(personas.owner, name="掘り起こし", source=Source.REVIVAL, lead_activity=activity)
    y = by_kind(yields.yields_for_company(today=TODAY))[LeadKind.FLYER]
    assert (y.sample.units, y.sample.leads) == (1000, 2)


# --- the plan -------------------------------------------------------------------------------------


def alert_for(user, deficit) -> PipelineAlert:
    now = timezone.now()
    return PipelineAlert.objects.create(
        scope=Scope.USER,
        user=user,
        rule=Rule.SHORT,
        current=1,
        target=1 + deficit,
        deficit=deficit,
        opened_at=now,
        checked_at=now,
    )


def test_the_plan_counts_the_deficit_in_the_reps_units_and_shows_this_months_progress(personas):
    today = timezone.localdate()
    lead(personas.owner, flyers=1000, leads=7, on=today - dt.timedelta(days=40))
    lead(
        personas.teammate, kind=LeadKind.DOOR_TO_DOOR, leads=1, on=today.replace(day=1) - dt.timedelta(days=1)
    )
    for _ in range(8):
        lead(personas.teammate, kind=LeadKind.DOOR_TO_DOOR, on=today.replace(day=1) - dt.timedelta(days=1))
    this_month = lead(personas.owner, flyers=150, leads=1, on=today)
    plan = yields.alert_plan(alert=alert_for(personas.owner, 4))
    lines = {line.kind: line for line in plan.lines}
    # Flyers: 1,150 flyers and 8 leads (own yield) -> 4 / 0.00696 = 575 -> 600 (whole hundreds).
    assert lines[LeadKind.FLYER].yield_.basis == "own"
    assert lines[LeadKind.FLYER].units == 600
    # Door-to-door: the rep's 0 sessions -> the team's 9 sessions, 1 lead -> 36 sessions.
    assert (lines[LeadKind.DOOR_TO_DOOR].yield_.basis, lines[LeadKind.DOOR_TO_DOOR].units) == ("team", 36)
    assert (lines[LeadKind.FLYER].done, lines[LeadKind.FLYER].gained) == (150, 1)
    assert lines[LeadKind.FLYER].done_pct == 25
    assert (plan.month.units, plan.month.leads) == (150, 1)
    assert this_month.prospects.count() == 1


def test_the_alert_shows_the_plan_in_activities_and_no_best_source(personas, login):
    lead(personas.owner, flyers=1000, leads=7, on=timezone.localdate())
    alert_for(personas.owner, 4)
    page = login(personas.owner).get(reverse("targets:alerts")).content.decode()
    assert "チラシ約600枚" in page and "チラシ100枚あたりの新規見込み: 0.70件" in page  # the UI's default, ja
    assert "would cover it" not in page and "獲得すれば補えます" not in page


def test_a_revival_follow_up_gets_its_own_source_and_is_its_own_line_in_the_ledger(personas):
    from closing.services import recontact_create_followups
    from targets.scopes import user_key
    from targets.selectors import cycle_ledger

    today = timezone.localdate()
    lost = make_prospect(personas.owner, name="失注先", source=Source.FLYER)
    Prospect.objects.filter(pk=lost.pk).update(
        status="lost",
        closed_on=today - dt.timedelta(days=200),
        lost_reason="price",
        recontact_on=today,
        created_at=timezone.now() - dt.timedelta(days=400),
    )
    (followup,) = recontact_create_followups(today=today)
    assert followup.source == Source.REVIVAL and followup.origin_id == lost.pk
    ledger = cycle_ledger(user_key(personas.owner.pk), today=today)
    month = ledger.months[-1]
    assert month.new_by_source.get(Source.REVIVAL) == 1 and Source.FLYER not in month.new_by_source


def test_a_resolved_alert_records_what_refilled_it(personas):
    from targets.services import pipeline_check_run
    from tests.targets.conftest import NOW, set_target

    Prospect.objects.filter(pk=personas.prospect.pk).update(created_at=NOW - dt.timedelta(days=30))
    set_target(user=personas.owner, min_open=3)
    pipeline_check_run(now=NOW)
    alert = PipelineAlert.objects.get(user=personas.owner)
    assert alert.deficit == 2
    drop = lead(personas.owner, leads=2)  # two prospects from a flyer drop
    make_prospect(personas.teammate, name="チーム外の見込み")  # another scope: not this alert's refill
    pipeline_check_run(now=NOW + dt.timedelta(hours=1))
    alert.refresh_from_db()
    assert alert.resolved_at is not None
    assert alert.plan["refilled"] == {
        "prospects": 2,
        "sources": {"flyer": 2},
        "lead_activities": [[drop.pk, "flyer", 2]],
        "done": {},  # the drop was logged before the alert opened: nothing done since
    }


# --- grouping by lead activity: the prospect list, the ledger, the statistics ----------------------


def test_the_prospect_list_filters_by_lead_activity_kind_and_by_one_activity(personas, login):
    drop = lead(personas.owner, leads=2)
    lead(personas.owner, kind=LeadKind.REFERRAL, leads=1)
    theirs = lead(personas.outsider, leads=1)
    client = login(personas.owner)

    def names(query):
        page = client.get(reverse("prospects:list") + query)
        return {p.name for p in page.context["page"].object_list}

    assert names("?lead_kind=flyer") == {f"flyer-{drop.pk}-0", f"flyer-{drop.pk}-1"}
    assert names("?lead_kind=none") == {personas.prospect.name}
    assert names(f"?lead_activity={drop.pk}") == {f"flyer-{drop.pk}-0", f"flyer-{drop.pk}-1"}
    assert names(f"?lead_activity={theirs.pk}") == set()  # another scope's activity shows nothing


def test_the_ledger_counts_new_prospects_by_lead_activity_kind(personas):
    from targets.scopes import user_key
    from targets.selectors import cycle_ledger

    today = timezone.localdate()
    lead(personas.owner, leads=2, on=today)
    lead(personas.owner, kind=LeadKind.EXHIBITION, leads=1, on=today)
    month = cycle_ledger(user_key(personas.owner.pk), today=today).months[-1]
    assert month.new_by_lead_kind == {"flyer": 2, "exhibition": 1, "": 1}  # "" : the persona's own
    assert [n for _label, n in month.lead_kinds] == [2, 1]  # in the kinds' order, none left out


def test_the_statistics_give_the_win_rate_by_lead_activity_kind(personas):
    from closing.selectors import Period, lead_kind_stats

    today = timezone.localdate()
    drop = lead(personas.owner, leads=3)
    won, lost, _open = drop.prospects.order_by("pk")
    Prospect.objects.filter(pk=won.pk).update(status="won", closed_on=today, won_amount=100, probability=100)
    Prospect.objects.filter(pk=lost.pk).update(status="lost", closed_on=today, lost_reason="price")
    period = Period.months(today.replace(day=1), today.replace(day=1))
    rows = {s.source: s for s in lead_kind_stats(personas.manager, period)}
    assert (rows["flyer"].won, rows["flyer"].lost, rows["flyer"].win_rate) == (1, 1, Decimal(50))
    assert (rows[""].won, rows[""].lost) == (0, 0)
    assert lead_kind_stats(personas.outsider, period)[0].won == 0  # the rule: only visible prospects


def test_an_edit_keeps_a_link_made_before_a_reassignment_took_it_out_of_scope(personas):
    from prospects.forms import ProspectForm

    theirs = lead(personas.outsider)
    p = make_prospect(personas.owner, name="担当替え後", source=Source.FLYER, lead_activity=theirs)
    data = {"name": p.name, "source": "flyer", "probability": "10", "amount": "0", "version": p.version}
    assert ProspectForm({**data, "lead_activity": theirs.pk}, instance=p, user=personas.owner).is_valid()
    other = lead(personas.outsider)
    refused = ProspectForm({**data, "lead_activity": other.pk}, instance=p, user=personas.owner)
    assert not refused.is_valid() and refused.errors["lead_activity"] == [str(LINK_OUT_OF_SCOPE)]


def test_the_lead_pages_read_the_same_number_of_queries_whatever_the_rows(personas, login):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.conftest import make_user

    client = login(personas.manager)

    def queries(url):
        with CaptureQueriesContext(connection) as q:
            assert client.get(url).status_code == 200
        return len(q)

    lead(personas.owner, leads=1)
    before = {u: queries(u) for u in (reverse("activities:lead_list"), reverse("activities:lead_yields"))}
    for i in range(3):
        rep = make_user(f"rep-extra-{i}")
        personas.team.members.add(rep)
        lead(rep, leads=2)
        lead(rep, kind=LeadKind.REFERRAL, leads=1)
    after = {u: queries(u) for u in before}
    assert after == before
