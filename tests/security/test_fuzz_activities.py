"""Property-based fuzzing of the long-term wheel's forms (#18): an activity logged or planned on a
prospect, a planned one marked done with the next one planned, and a lead activity (flyers, visits,
exhibitions ...): no server error, no exception escaping, and the invariants hold after every example.

    FUZZ_EXAMPLES=1000 bin/test tests/security/test_fuzz_activities.py     (default 100 per form)
"""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone
from hypothesis import event, given
from hypothesis import strategies as st

from activities.models import Activity, ActivityKind, ActivityStatus, LeadActivity, LeadKind
from tests.security.test_fuzz import choice_or_junk, dates, fuzz_client, numbers, owner_ids, text
from tests.security.test_fuzz_dialogs import ANSWERS, FUZZ, HTMX, healthy_connection

pytestmark = [pytest.mark.django_db, pytest.mark.slow]

# The calendar's edges: the first and last days a DateField takes, midnight (year 1 at 00:00 in Tokyo is
# year 0 in UTC), the end of a day.
edge_dates = st.one_of(st.sampled_from(["0001-01-01", "0001-01-02", "9999-12-31", "1970-01-01"]), dates)
times = st.one_of(
    st.sampled_from(["", "00:00", "08:59", "09:00", "23:59", "24:00", "25:61", "9", "12:30:59.999999"]),
    st.times().map(lambda t: t.isoformat()),
    text,
)


def kind_ids():
    return choice_or_junk([str(pk) for pk in ActivityKind.objects.values_list("pk", flat=True)])


def mostly(good, junk):
    """A valid value three times in four, so the fuzz reaches the save path as often as the refusals."""
    return st.one_of(st.just(good), st.just(good), st.just(good), junk)


def today() -> str:
    return timezone.localdate().isoformat()


def assert_activities_sane(prospect_id: int) -> None:
    for activity in Activity.objects.filter(prospect_id=prospect_id):
        assert activity.starts_at is not None
        assert activity.duration_minutes is None or activity.duration_minutes >= 0
        assert "\x00" not in activity.subject + activity.outcome
        if activity.status == ActivityStatus.DONE:
            assert activity.done_at is not None
            assert timezone.localtime(activity.starts_at).date() <= timezone.localdate()
    healthy_connection()


def test_fuzzed_activity_log_and_plan(personas):
    client = fuzz_client(personas.owner)
    url = reverse("activities:create", args=[personas.prospect.pk])
    statuses: list[int] = []

    @FUZZ
    @given(
        data=st.fixed_dictionaries(
            {
                "status": choice_or_junk(["planned", "done", "cancelled"]),
                "kind": kind_ids(),
                "on": mostly(today(), edge_dates),
            },
            optional={
                "subject": text,
                "at": times,
                "ends_at": times,
                "duration_minutes": numbers,
                "outcome": text,
            },
        )
    )
    def run(data):
        response = client.post(url, data, **HTMX)
        event(f"log: {response.status_code}")
        statuses.append(response.status_code)
        assert response.status_code in ANSWERS
        assert_activities_sane(personas.prospect.pk)

    run()
    # The fuzz reached both the save path and the refusal path.
    assert Activity.objects.filter(prospect=personas.prospect).exists() and 422 in statuses


def test_fuzzed_activity_done_with_the_next_planned(personas):
    client = fuzz_client(personas.owner)
    kind = ActivityKind.objects.filter(is_active=True).first()
    statuses: list[int] = []

    @FUZZ
    @given(
        data=st.fixed_dictionaries(
            {
                "on": mostly(today(), edge_dates),
                "next_kind": kind_ids(),
                "next_on": mostly(today(), edge_dates),
            },
            optional={
                "outcome": text,
                "at": times,
                "duration_minutes": numbers,
                "next_subject": text,
                "next_at": times,
                "no_next": st.sampled_from(["", "on", "1", "\x00"]),
            },
        ),
        stale=st.booleans(),
    )
    def run(data, stale):
        planned = Activity.objects.create(
            prospect=personas.prospect,
            owner=personas.owner,
            created_by=personas.owner,
            kind=kind,
            starts_at=timezone.now(),
            status=ActivityStatus.PLANNED,
        )
        data = {**data, "version": str(planned.version - 1 if stale else planned.version)}
        response = client.post(reverse("activities:complete", args=[planned.pk]), data, **HTMX)
        event(f"done: {response.status_code}")
        statuses.append(response.status_code)
        assert response.status_code in ANSWERS
        assert_activities_sane(personas.prospect.pk)

    run()
    assert Activity.objects.filter(status=ActivityStatus.DONE).exists() and 422 in statuses


def test_fuzzed_lead_activity(personas):
    clients = {who: fuzz_client(getattr(personas, who)) for who in ("owner", "manager")}
    url = reverse("activities:lead_create")
    counts = st.one_of(numbers, st.sampled_from(["0", "1", "2147483647", "2147483648", "-1"]))
    statuses: list[int] = []

    @FUZZ
    @given(
        data=st.fixed_dictionaries(
            {
                "kind": choice_or_junk(LeadKind.values),
                "on": mostly(today(), edge_dates),
                "flyers": mostly("500", counts),
                "doors_knocked": mostly("20", counts),
                "conversations": mostly("5", counts),
                "contacts": mostly("30", counts),
                "requests": mostly("3", counts),
                "name": mostly("秋の展示会", text),
            },
            optional={
                "ends_on": edge_dates,
                "owner": owner_ids(personas),
                "area": text,
                "channel": text,
                "note": text,
            },
        ),
        who=st.sampled_from(["owner", "manager"]),
    )
    def run(data, who):
        before = set(LeadActivity.objects.values_list("pk", flat=True))
        response = clients[who].post(url, data)
        event(f"lead: {response.status_code}")
        statuses.append(response.status_code)
        assert response.status_code in ANSWERS
        created = list(LeadActivity.objects.exclude(pk__in=before))
        assert len(created) == (1 if response.status_code == 302 else 0)
        for activity in created:
            assert activity.on <= timezone.localdate()
            assert activity.owner_id in (
                (personas.owner.pk,)
                if who == "owner"
                else (personas.owner.pk, personas.teammate.pk, personas.manager.pk)
            )
        healthy_connection()

    run()
    assert 302 in statuses and 422 in statuses
