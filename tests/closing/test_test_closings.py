"""Logging test closings, the proposal they make and applying it with one click."""

import datetime as dt
from decimal import Decimal
from unittest import mock

import pytest
from django.urls import reverse
from django.utils import timezone

from closing import services
from closing.models import QuestionKind, Reading, TestClosing, TestClosingQuestion
from prospects.models import Horizon, Prospect
from salescrm.lib.months import add_months, this_month
from tests.closing.conftest import HTMX
from tests.factories import ProspectFactory, TestClosingFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("question_library")]


def _log_url(prospect):
    return reverse("closing:test_closing_log", args=[prospect.pk])


def _question(kind=QuestionKind.PRICE):
    return TestClosingQuestion.objects.filter(kind=kind, is_retired=False).first()


def test_the_seeded_library_holds_the_required_questions_of_every_kind():
    texts = set(TestClosingQuestion.objects.values_list("text_ja", flat=True))
    assert "一度、ショールームに来られませんか?" in texts
    assert "もしあと1割くらい安かったら購入を検討されますか?" in texts
    kinds = set(TestClosingQuestion.objects.values_list("kind", flat=True))
    assert kinds == {"price", "timing", "decision", "invitation"}
    assert TestClosingQuestion.objects.filter(kind="timing").count() >= 2


def test_seeding_again_adds_no_duplicate():
    import importlib

    from django.apps import apps

    seed = importlib.import_module("closing.migrations.0003_seed_questions").seed
    before = TestClosingQuestion.objects.count()
    seed(apps, None)
    assert TestClosingQuestion.objects.count() == before


def test_owner_logs_a_test_closing_from_the_library_in_the_dialog(personas, client):
    client.force_login(personas.owner)
    response = client.get(_log_url(personas.prospect), **HTMX)
    assert response.status_code == 200
    assert b"<dialog data-autoopen" in response.content
    question = _question(QuestionKind.INVITATION)
    response = client.post(
        _log_url(personas.prospect),
        {"question": question.pk, "answer": "考えておきます", "reading": "undecided"},
        **HTMX,
    )
    assert response.status_code == 200
    assert response.headers["HX-Refresh"] == "true"
    tc = TestClosing.objects.get()
    assert tc.question == question and tc.question_text == question.text_ja
    assert tc.asked_by == personas.owner and tc.reading == "undecided"


def test_a_free_text_question_is_accepted(personas, client):
    client.force_login(personas.owner)
    client.post(
        _log_url(personas.prospect),
        {"question_text": "ご家族のご意見はいかがですか?", "answer": "妻は乗り気", "reading": "positive"},
        **HTMX,
    )
    tc = TestClosing.objects.get()
    assert tc.question is None and tc.question_text == "ご家族のご意見はいかがですか?"


def test_a_test_closing_without_question_or_answer_is_refused_with_422(personas, client):
    client.force_login(personas.owner)
    response = client.post(_log_url(personas.prospect), {"answer": "", "reading": "maybe"}, **HTMX)
    assert response.status_code == 422
    errors = response.context["form"].errors
    assert {"question", "answer", "reading"} <= set(errors)
    assert TestClosing.objects.count() == 0


def test_a_retired_question_is_not_offered_and_cannot_be_posted(personas, client):
    question = _question()
    question.is_retired = True
    question.save()
    client.force_login(personas.owner)
    response = client.get(_log_url(personas.prospect), **HTMX)
    assert question.text_ja not in response.content.decode()
    response = client.post(
        _log_url(personas.prospect), {"question": question.pk, "answer": "x", "reading": "negative"}, **HTMX
    )
    assert response.status_code == 422
    assert TestClosing.objects.count() == 0


def test_no_test_closing_on_a_closed_prospect(personas, client):
    p = ProspectFactory(owner=personas.owner, won=True, amount=Decimal(1))
    client.force_login(personas.owner)
    response = client.post(_log_url(p), {"question_text": "q", "answer": "a", "reading": "positive"}, **HTMX)
    assert response.status_code == 409
    assert TestClosing.objects.count() == 0


def test_detail_page_lists_the_test_closings(personas, client):
    TestClosingFactory(prospect=personas.prospect, question_text="予算は?", answer="300万")
    client.force_login(personas.owner)
    body = client.get(reverse("prospects:detail", args=[personas.prospect.pk])).content.decode()
    assert "予算は?" in body and "300万" in body


# --- proposal


def test_a_positive_answer_proposes_short_horizon_and_at_least_70_percent(personas):
    p = personas.prospect  # mid, 50 %
    tc = TestClosingFactory(prospect=p, reading=Reading.POSITIVE)
    proposal = services.proposal_for(tc, p)
    assert proposal.horizon == Horizon.SHORT
    assert proposal.probability == 70
    assert proposal.expected_month == p.expected_month


def test_a_positive_answer_never_lowers_a_higher_probability(personas):
    p = ProspectFactory(owner=personas.owner, probability=90, mid=True)
    tc = TestClosingFactory(prospect=p, reading=Reading.POSITIVE)
    assert services.proposal_for(tc, p).probability == 90


def test_the_positive_probability_is_a_setting(personas, settings):
    settings.TEST_CLOSING_POSITIVE_PROBABILITY = 80
    tc = TestClosingFactory(prospect=personas.prospect, reading=Reading.POSITIVE)
    assert services.proposal_for(tc, personas.prospect).probability == 80


def test_a_revealed_month_proposes_that_month_and_the_horizon_it_implies(personas):
    p = ProspectFactory(owner=personas.owner, short=True, probability=50)
    far = add_months(this_month(), 4)
    tc = TestClosingFactory(prospect=p, reading=Reading.UNDECIDED, revealed_month=far)
    proposal = services.proposal_for(tc, p)
    assert proposal.expected_month == far
    assert proposal.horizon == Horizon.MID
    assert proposal.probability == 50  # undecided does not raise it


def test_a_negative_answer_proposes_a_downgrade(personas, settings):
    p = personas.prospect  # mid, 50 %
    tc = TestClosingFactory(prospect=p, reading=Reading.NEGATIVE)
    proposal = services.proposal_for(tc, p)
    assert (proposal.direction, proposal.horizon, proposal.expected_month, proposal.probability) == (
        "down",
        Horizon.LONG,
        None,
        20,
    )
    short = ProspectFactory(owner=personas.owner, short=True, probability=80, expected_month=this_month())
    down = services.proposal_for(TestClosingFactory(prospect=short, reading=Reading.NEGATIVE), short)
    # One step longer, with a month that implies it: the first month past the short-term horizon.
    assert (down.horizon, down.probability) == (Horizon.MID, 20)
    assert down.expected_month == add_months(this_month(), settings.HORIZON_SHORT_MONTHS + 1)


def test_a_negative_answer_on_a_long_term_low_prospect_still_offers_closing_as_lost(personas, client):
    p = ProspectFactory(owner=personas.owner, long=True, probability=10, expected_month=None)
    proposal = services.proposal_for(TestClosingFactory(prospect=p, reading=Reading.NEGATIVE), p)
    assert (proposal.direction, proposal.horizon, proposal.probability) == ("down", Horizon.LONG, 10)
    client.force_login(personas.owner)
    response = client.post(
        _log_url(p), {"question_text": "導入時期は?", "answer": "予定なし", "reading": "negative"}, **HTMX
    )
    assert reverse("closing:lost", args=[p.pk]) in response.content.decode()


def test_logging_a_positive_answer_shows_the_proposal_and_one_click_applies_it(personas, client):
    client.force_login(personas.owner)
    month = add_months(this_month(), 1)
    response = client.post(
        _log_url(personas.prospect),
        {
            "question_text": "来月でいかがですか?",
            "answer": "来月なら",
            "reading": "positive",
            "revealed_month": month.strftime("%Y-%m"),
        },
        **HTMX,
    )
    assert response.status_code == 200
    form = response.context["form"]
    # Short is what the month suggests: the form starts on following the month, which names it.
    assert form.initial["horizon"] == "" and form.initial["probability"] == 70
    assert str(form.fields["horizon"].choices[0][1]) == "受注予定月に合わせる(短期)"
    tc = TestClosing.objects.get()
    response = client.post(
        reverse("closing:proposal", args=[tc.pk]),
        {
            "horizon": "short",
            "expected_month": month.strftime("%Y-%m"),
            "probability": 70,
            "version": personas.prospect.version,
        },
        **HTMX,
    )
    assert response.status_code == 200 and response.headers["HX-Refresh"] == "true"
    p = Prospect.objects.get(pk=personas.prospect.pk)
    assert (p.horizon, p.expected_month, p.probability) == ("short", month, 70)
    assert p.version == personas.prospect.version + 1
    assert p.events.count() == 2  # insert + this update: through the normal prospect save


def test_the_rep_may_change_the_proposed_values_before_applying(personas, client):
    tc = TestClosingFactory(prospect=personas.prospect, reading=Reading.POSITIVE)
    client.force_login(personas.owner)
    client.post(
        reverse("closing:proposal", args=[tc.pk]),
        {"horizon": "mid", "expected_month": "", "probability": 65, "version": personas.prospect.version},
        **HTMX,
    )
    p = Prospect.objects.get(pk=personas.prospect.pk)
    assert (p.horizon, p.probability) == ("mid", 65)


def test_applying_a_proposal_after_someone_else_saved_is_a_409_conflict(personas, client):
    from prospects.services import prospect_update

    tc = TestClosingFactory(prospect=personas.prospect, reading=Reading.POSITIVE)
    seen_version = personas.prospect.version
    prospect_update(
        prospect=Prospect.objects.get(pk=personas.prospect.pk),
        by=personas.manager,
        expected_version=seen_version,
        probability=20,
    )
    client.force_login(personas.owner)
    response = client.post(
        reverse("closing:proposal", args=[tc.pk]),
        {"horizon": "short", "expected_month": "", "probability": 70, "version": seen_version},
        **HTMX,
    )
    assert response.status_code == 409
    from django.utils import translation

    from prospects.services import CONFLICT_MESSAGE

    with translation.override("ja"):
        assert str(CONFLICT_MESSAGE) in response.content.decode()
    p = Prospect.objects.get(pk=personas.prospect.pk)
    assert p.probability == 20  # the other save was not overwritten
    # The re-rendered form carries the current version: applying again is a conscious overwrite.
    assert response.context["form"]["version"].value() == p.version


def test_an_invalid_proposal_is_refused_with_422(personas, client):
    tc = TestClosingFactory(prospect=personas.prospect, reading=Reading.POSITIVE)
    client.force_login(personas.owner)
    response = client.post(
        reverse("closing:proposal", args=[tc.pk]),
        {"horizon": "soon", "probability": 150, "version": personas.prospect.version},
        **HTMX,
    )
    assert response.status_code == 422
    assert Prospect.objects.get(pk=personas.prospect.pk).probability == 50


# --- same-day edit, annotate afterwards


def test_the_author_may_edit_on_the_same_day(personas, client):
    tc = TestClosingFactory(prospect=personas.prospect, reading=Reading.UNDECIDED)
    client.force_login(personas.owner)
    response = client.post(
        reverse("closing:test_closing_edit", args=[tc.pk]),
        {"answer": "やっぱり前向き", "reading": "positive"},
        **HTMX,
    )
    assert response.status_code == 200
    tc.refresh_from_db()
    assert (tc.answer, tc.reading) == ("やっぱり前向き", "positive")


def test_nobody_edits_a_test_closing_after_its_day_in_tokyo(personas, client):
    # Logged at 23:30 Tokyo yesterday: 14:30 UTC, so the UTC date is the same but the Tokyo day is not.
    tokyo_today = timezone.localdate()
    yesterday_late = timezone.make_aware(
        dt.datetime.combine(tokyo_today - dt.timedelta(days=1), dt.time(23, 30))
    )
    tc = TestClosingFactory(prospect=personas.prospect, asked_at=yesterday_late)
    client.force_login(personas.owner)
    response = client.post(
        reverse("closing:test_closing_edit", args=[tc.pk]),
        {"answer": "changed", "reading": "positive"},
        **HTMX,
    )
    assert response.status_code == 403
    tc.refresh_from_db()
    assert tc.answer == "a"


def test_someone_else_cannot_edit_even_on_the_same_day(personas, client):
    tc = TestClosingFactory(prospect=personas.prospect, reading=Reading.UNDECIDED)
    client.force_login(personas.manager)
    response = client.post(
        reverse("closing:test_closing_edit", args=[tc.pk]), {"answer": "x", "reading": "positive"}, **HTMX
    )
    assert response.status_code == 403


def test_annotations_are_appended_never_replaced(personas, client):
    tc = TestClosingFactory(prospect=personas.prospect, reading=Reading.UNDECIDED)
    client.force_login(personas.owner)
    client.post(reverse("closing:test_closing_annotate", args=[tc.pk]), {"text": "翌週に電話"}, **HTMX)
    client.force_login(personas.manager)
    client.post(reverse("closing:test_closing_annotate", args=[tc.pk]), {"text": "同行訪問する"}, **HTMX)
    tc.refresh_from_db()
    lines = tc.annotation.splitlines()
    assert len(lines) == 2
    assert lines[0].endswith("翌週に電話") and lines[1].endswith("同行訪問する")
    assert tc.answer == "a"


def test_an_empty_annotation_is_refused(personas, client):
    tc = TestClosingFactory(prospect=personas.prospect, reading=Reading.UNDECIDED)
    client.force_login(personas.owner)
    response = client.post(reverse("closing:test_closing_annotate", args=[tc.pk]), {"text": "   "}, **HTMX)
    assert response.status_code == 422


def test_the_service_refuses_an_edit_after_the_day(personas):
    tc = TestClosingFactory(prospect=personas.prospect, reading=Reading.UNDECIDED)
    from django.core.exceptions import PermissionDenied

    tomorrow = timezone.now() + dt.timedelta(days=1)
    with mock.patch("django.utils.timezone.now", return_value=tomorrow), pytest.raises(PermissionDenied):
        services.test_closing_edit(test_closing=tc, by=personas.owner, answer="late")


def test_the_edit_is_refused_in_sql_when_the_row_is_from_an_earlier_day(personas):
    from django.core.exceptions import PermissionDenied

    yesterday = timezone.now() - dt.timedelta(days=1)
    tc = TestClosingFactory(prospect=personas.prospect, asked_at=yesterday)
    tc.asked_at = timezone.now()  # a stale in-memory copy that looks editable
    with pytest.raises(PermissionDenied):
        services.test_closing_edit(test_closing=tc, by=personas.owner, answer="late")
    tc.refresh_from_db()
    assert tc.answer == "a"
