"""Property-based fuzzing of the merged apps' forms (the closing dialogs won/lost/test-closing log, the
board card's quick edit, the target edit form) and of the import parsers: no server error, no
exception escaping, and the invariants hold after every example.

    FUZZ_EXAMPLES=1000 bin/test tests/security/test_fuzz_dialogs.py     (default 100 per form)
"""

from __future__ import annotations

import datetime as dt
import os
from decimal import Decimal

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from prospects.models import LostReason, Prospect
from tests.security.test_fuzz import choice_or_junk, dates, fuzz_client, months, numbers, text

pytestmark = [pytest.mark.django_db, pytest.mark.slow]

FUZZ = settings(
    max_examples=int(os.environ.get("FUZZ_EXAMPLES", 100)),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
HTMX = {"HTTP_HX_REQUEST": "true"}
CURRENT = "<current version>"
versions = st.one_of(st.just(CURRENT), st.just(CURRENT), numbers)
ANSWERS = (200, 204, 302, 400, 409, 422)


def reset_open(prospect: Prospect) -> Prospect:
    Prospect.objects.filter(pk=prospect.pk).update(
        status="open",
        closed_on=None,
        won_amount=None,
        lost_reason="",
        competitor="",
        outcome_note="",
        recontact_on=None,
    )
    return Prospect.objects.get(pk=prospect.pk)


def resolve(data: dict, prospect: Prospect) -> dict:
    if data.get("version") == CURRENT:
        data = {**data, "version": str(prospect.version)}
    return data


def healthy_connection() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")


def assert_prospect_invariants(p: Prospect, *, owner_id: int) -> None:
    today = timezone.localdate()
    assert p.owner_id == owner_id
    assert 0 <= p.probability <= 100 and p.amount >= 0
    if p.status == "open":
        assert p.closed_on is None and p.won_amount is None
    else:
        assert p.closed_on is not None and p.closed_on <= today
    if p.status == "won":
        assert p.won_amount is not None and p.won_amount >= 0
    if p.status == "lost":
        assert p.lost_reason in LostReason.values
        assert p.won_amount is None
    for field in ("competitor", "outcome_note", "name", "notes"):
        assert "\x00" not in (getattr(p, field) or "")
    healthy_connection()


def test_fuzzed_won_dialog(personas):
    client = fuzz_client(personas.owner)
    url = reverse("closing:won", args=[personas.prospect.pk])
    statuses: list[int] = []

    @FUZZ
    @given(
        data=st.fixed_dictionaries({}, optional={"amount": numbers, "closed_on": dates, "version": versions})
    )
    def run(data):
        before = reset_open(personas.prospect)
        response = client.post(url, resolve(data, before), **HTMX)
        event(f"won: {response.status_code}")
        statuses.append(response.status_code)
        assert response.status_code in ANSWERS
        after = Prospect.objects.get(pk=personas.prospect.pk)
        assert after.status in ("open", "won")
        if after.status == "won":
            assert after.version == before.version + 1
        else:
            assert after.version == before.version
        assert_prospect_invariants(after, owner_id=personas.owner.pk)

    run()
    assert any(s != 200 for s in statuses) or statuses


def test_fuzzed_lost_dialog(personas):
    client = fuzz_client(personas.owner)
    url = reverse("closing:lost", args=[personas.prospect.pk])

    @FUZZ
    @given(
        data=st.fixed_dictionaries(
            {},
            optional={
                "closed_on": dates,
                "reason": choice_or_junk(LostReason.values),
                "competitor": text,
                "note": text,
                "recontact_on": dates,
                "version": versions,
            },
        )
    )
    def run(data):
        before = reset_open(personas.prospect)
        response = client.post(url, resolve(data, before), **HTMX)
        event(f"lost: {response.status_code}")
        assert response.status_code in ANSWERS
        after = Prospect.objects.get(pk=personas.prospect.pk)
        assert after.status in ("open", "lost")
        if after.status == "lost":
            assert after.recontact_on is None or after.recontact_on > after.closed_on
            if after.lost_reason == LostReason.COMPETITOR:
                assert after.competitor.strip()
        assert_prospect_invariants(after, owner_id=personas.owner.pk)

    run()


def test_fuzzed_test_closing_log(personas):
    from closing.models import Reading, TestClosing, TestClosingQuestion

    question = TestClosingQuestion.objects.create(text_ja="今月中に", text_en="This month?", kind="timing")
    client = fuzz_client(personas.owner)
    url = reverse("closing:test_closing_log", args=[personas.prospect.pk])

    @FUZZ
    @given(
        data=st.fixed_dictionaries(
            {},
            optional={
                "question": st.one_of(st.just(str(question.pk)), numbers),
                "question_text": text,
                "answer": text,
                "reading": choice_or_junk(Reading.values),
                "revealed_month": months,
                "revealed_budget": numbers,
                "revealed_decision_maker": text,
            },
        )
    )
    def run(data):
        count = TestClosing.objects.count()
        response = client.post(url, data, **HTMX)
        event(f"test closing: {response.status_code}")
        assert response.status_code in ANSWERS
        assert TestClosing.objects.count() in (count, count + 1)
        for tc in TestClosing.objects.all():
            assert tc.prospect_id == personas.prospect.pk and tc.asked_by_id == personas.owner.pk
            assert tc.reading in Reading.values and tc.answer.strip()
            assert tc.revealed_budget is None or tc.revealed_budget >= 0
            assert tc.revealed_month is None or tc.revealed_month.day == 1
            for field in ("answer", "question_text", "revealed_decision_maker"):
                assert "\x00" not in (getattr(tc, field) or "")
        healthy_connection()

    run()


def test_fuzzed_card_quick_edit(personas):
    client = fuzz_client(personas.owner)
    url = reverse("pipeline:card_edit", args=[personas.prospect.pk])

    @FUZZ
    @given(
        data=st.fixed_dictionaries(
            {},
            optional={
                "probability": numbers,
                "amount": numbers,
                "expected_month": months,
                "version": versions,
            },
        )
    )
    def run(data):
        before = Prospect.objects.get(pk=personas.prospect.pk)
        response = client.post(url, resolve(data, before), **HTMX)
        event(f"quick edit: {response.status_code}")
        assert response.status_code in ANSWERS
        after = Prospect.objects.get(pk=personas.prospect.pk)
        assert after.version in (before.version, before.version + 1)
        if response.status_code != 200:
            assert after.version == before.version
        assert after.expected_month is None or after.expected_month.day == 1
        assert (after.name, after.horizon, after.status) == (before.name, before.horizon, before.status)
        assert_prospect_invariants(after, owner_id=personas.owner.pk)

    run()


def test_fuzzed_target_edit(personas):
    from targets.models import PipelineTarget

    client = fuzz_client(personas.admin)
    url = reverse("targets:edit", args=[f"user-{personas.owner.pk}"])
    field_names = ("min_open", "min_short", "min_mid", "min_long", "sales_target")

    @FUZZ
    @given(
        data=st.fixed_dictionaries({}, optional={name: numbers for name in field_names}), htmx=st.booleans()
    )
    def run(data, htmx):
        response = client.post(url, data, **(HTMX if htmx else {}))
        event(f"target: {response.status_code}")
        assert response.status_code in ANSWERS
        for target in PipelineTarget.objects.all():
            assert target.user_id == personas.owner.pk
            counts = [target.min_short, target.min_mid, target.min_long]
            assert all(c is None or c >= 0 for c in [target.min_open, *counts])
            if target.min_open is not None:
                assert all(c is None or c <= target.min_open for c in counts)
            assert target.sales_target is None or target.sales_target >= 0
        healthy_connection()

    run()


# ------------------------------------------------------------------------------------ import parsers

cells = st.one_of(
    text,
    numbers,
    months,
    dates,
    st.none(),
    st.integers(),
    st.floats(allow_nan=True, allow_infinity=True),
    st.decimals(allow_nan=True, allow_infinity=True),
    st.dates(),
    st.datetimes(),
    st.sampled_from(
        [
            "令和8年11月",
            "R8.11.1",
            "H31/4/30",
            "元年",
            "令和元年5月1日",
            "１２０万",
            "▲5",
            "80\uff05",
            "¥1,200,000",
        ]
    ),
)


@pytest.mark.parametrize("name", ["parse_date", "parse_month", "parse_amount", "parse_probability"])
def test_fuzzed_import_parsers_return_a_valid_value_or_a_parse_error(name):
    from imports import parsing

    parse = getattr(parsing, name)

    @FUZZ
    @given(value=cells)
    def run(value):
        try:
            result = parse(value)
        except parsing.ParseError as exc:
            event(f"{name}: refused")
            assert str(exc.reason)  # a reason for the user
            return
        event(f"{name}: parsed")
        if name in ("parse_date", "parse_month"):
            assert type(result) is dt.date and 2000 <= result.year <= 2100
            if name == "parse_month":
                assert result.day == 1
        elif name == "parse_amount":
            assert isinstance(result, Decimal) and result.is_finite() and result >= 0
        else:
            assert type(result) is int and 0 <= result <= 100

    run()
