"""Won / lost outcomes, bad input, reopening, and the after-commit pipeline check."""

import datetime as dt
import json
from decimal import Decimal
from unittest import mock

import pytest
from django.contrib.messages import get_messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation

from closing import services
from closing.models import Reopening
from prospects.models import Prospect, Status
from prospects.services import ProspectConflict
from tests.closing.conftest import HTMX
from tests.conftest import make_prospect

pytestmark = pytest.mark.django_db


def _won(client, prospect, **data):
    payload = {"amount": 1200000, "closed_on": timezone.localdate().isoformat(), "version": prospect.version}
    payload.update(data)
    return client.post(reverse("closing:won", args=[prospect.pk]), payload, **HTMX)


def _won_from(client, prospect, page_url):
    payload = {"amount": 1200000, "closed_on": timezone.localdate().isoformat(), "version": prospect.version}
    url = reverse("closing:won", args=[prospect.pk])
    return client.post(url, payload, **HTMX, HTTP_HX_CURRENT_URL="http://testserver" + page_url)


def _lost(client, prospect, **data):
    payload = {"closed_on": timezone.localdate().isoformat(), "reason": "price", "version": prospect.version}
    payload.update(data)
    return client.post(reverse("closing:lost", args=[prospect.pk]), payload, **HTMX)


def _reload(prospect):
    return Prospect.objects.get(pk=prospect.pk)


def test_the_won_dialog_defaults_to_today_and_the_prospect_amount(personas, client):
    client.force_login(personas.owner)
    response = client.get(reverse("closing:won", args=[personas.prospect.pk]), **HTMX)
    assert response.status_code == 200
    form = response.context["form"]
    assert form.initial["closed_on"] == timezone.localdate()
    assert form.initial["amount"] == Decimal(1000000)


def test_marking_won_closes_the_prospect_with_the_final_amount(personas, client):
    client.force_login(personas.owner)
    response = _won(client, personas.prospect)
    assert response.status_code == 200 and "山田工務店」を受注として記録しました" in response.content.decode()
    p = _reload(personas.prospect)
    assert p.status == Status.WON and p.won_amount == Decimal(1200000) and p.closed_on == timezone.localdate()
    assert p.version == personas.prospect.version + 1
    assert not Prospect.objects.open().filter(pk=p.pk).exists()  # left the open pipeline
    assert p.events.filter(status="won").count() == 1  # in the history


def test_marking_lost_to_a_competitor_records_all_the_facts(personas, client):
    client.force_login(personas.owner)
    recontact = timezone.localdate() + dt.timedelta(days=180)
    response = _lost(
        client,
        personas.prospect,
        reason="competitor",
        competitor="ABCホーム",
        note="価格で負けた",
        recontact_on=recontact.isoformat(),
    )
    assert response.status_code == 200
    p = _reload(personas.prospect)
    assert (p.status, p.lost_reason, p.competitor, p.outcome_note, p.recontact_on) == (
        "lost",
        "competitor",
        "ABCホーム",
        "価格で負けた",
        recontact,
    )


@pytest.mark.parametrize(
    "data,field",
    [
        ({"amount": -1}, "amount"),
        ({"amount": ""}, "amount"),
        ({"closed_on": "not a date"}, "closed_on"),
    ],
)
def test_won_with_bad_input_is_a_422_and_writes_nothing(personas, client, data, field):
    client.force_login(personas.owner)
    response = _won(client, personas.prospect, **data)
    assert response.status_code == 422
    assert field in response.context["form"].errors
    assert b"<dialog" in response.content
    assert _reload(personas.prospect).status == Status.OPEN


def test_an_outcome_dated_tomorrow_in_tokyo_is_refused(personas, client):
    client.force_login(personas.owner)
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    for response in (
        _won(client, personas.prospect, closed_on=tomorrow.isoformat()),
        _lost(client, personas.prospect, closed_on=tomorrow.isoformat()),
    ):
        assert response.status_code == 422
        with translation.override("ja"):
            assert str(services.FUTURE_DATE_MESSAGE) in response.content.decode()
    assert _reload(personas.prospect).status == Status.OPEN


@pytest.mark.parametrize(
    "data,field",
    [
        ({"reason": ""}, "reason"),
        ({"reason": "bored"}, "reason"),
        ({"reason": "competitor", "competitor": "  "}, "competitor"),
        ({"recontact_on": "2000-01-01"}, "recontact_on"),
    ],
)
def test_lost_with_bad_input_is_a_422_and_writes_nothing(personas, client, data, field):
    client.force_login(personas.owner)
    response = _lost(client, personas.prospect, **data)
    assert response.status_code == 422
    assert field in response.context["form"].errors
    assert _reload(personas.prospect).status == Status.OPEN


def test_an_outcome_on_an_already_closed_prospect_is_a_409_already_closed(personas, client):
    client.force_login(personas.owner)
    assert _won(client, personas.prospect).status_code == 200
    response = _lost(client, personas.prospect, version=personas.prospect.version + 1)
    assert response.status_code == 409
    with translation.override("ja"):
        assert str(services.ALREADY_CLOSED_MESSAGE) in response.content.decode()
    assert _reload(personas.prospect).status == Status.WON


def test_a_second_submit_with_the_same_version_is_told_already_closed(personas):
    p = personas.prospect
    services.outcome_record_won(
        prospect=p, by=personas.owner, expected_version=1, amount=Decimal(5), closed_on=timezone.localdate()
    )
    with pytest.raises(services.AlreadyClosed):
        services.outcome_record_won(
            prospect=_reload(p),
            by=personas.owner,
            expected_version=1,
            amount=Decimal(6),
            closed_on=timezone.localdate(),
        )
    assert _reload(p).won_amount == Decimal(5)


def test_an_outcome_on_a_stale_version_is_a_conflict_not_a_silent_overwrite(personas, client):
    from prospects.services import prospect_update

    seen = personas.prospect.version
    prospect_update(
        prospect=_reload(personas.prospect), by=personas.manager, expected_version=seen, amount=Decimal(2)
    )
    with pytest.raises(ProspectConflict):
        services.outcome_record_won(
            prospect=personas.prospect,
            by=personas.owner,
            expected_version=seen,
            amount=Decimal(5),
            closed_on=timezone.localdate(),
        )
    client.force_login(personas.owner)
    response = _won(client, personas.prospect, version=seen)
    assert response.status_code == 409
    assert _reload(personas.prospect).status == Status.OPEN


def test_services_refuse_bad_outcomes_too(personas):
    p, today = personas.prospect, timezone.localdate()
    with pytest.raises(ValidationError):
        services.outcome_record_won(
            prospect=p, by=personas.owner, expected_version=1, amount=None, closed_on=today
        )
    with pytest.raises(ValidationError):
        services.outcome_record_won(
            prospect=p, by=personas.owner, expected_version=1, amount=Decimal(-1), closed_on=today
        )
    with pytest.raises(ValidationError):
        services.outcome_record_lost(
            prospect=p, by=personas.owner, expected_version=1, closed_on=today, reason=""
        )
    with pytest.raises(ValidationError):
        services.outcome_record_lost(
            prospect=p, by=personas.owner, expected_version=1, closed_on=today, reason="competitor"
        )
    with pytest.raises(ValidationError):
        services.outcome_record_lost(
            prospect=p,
            by=personas.owner,
            expected_version=1,
            closed_on=today + dt.timedelta(days=1),
            reason="price",
        )
    assert _reload(p).status == Status.OPEN


# --- pipeline check after commit


def test_closing_schedules_a_pipeline_check_after_the_commit(personas, django_capture_on_commit_callbacks):
    with mock.patch("targets.tasks.check_pipeline_targets.apply_async") as apply_async:
        with django_capture_on_commit_callbacks(execute=True) as callbacks:
            services.outcome_record_won(
                prospect=personas.prospect,
                by=personas.owner,
                expected_version=1,
                amount=Decimal(1),
                closed_on=timezone.localdate(),
            )
            assert apply_async.call_count == 0  # not before the commit
        assert len(callbacks) == 1
    apply_async.assert_called_once_with(kwargs={"owner_ids": [personas.owner.pk]}, retry=False)


def test_no_pipeline_check_when_the_transaction_rolls_back(personas, django_capture_on_commit_callbacks):
    with (
        mock.patch("targets.tasks.check_pipeline_targets.apply_async") as apply_async,
        django_capture_on_commit_callbacks(execute=True) as callbacks,
    ):
        with pytest.raises(RuntimeError), transaction.atomic():
            services.outcome_record_lost(
                prospect=personas.prospect,
                by=personas.owner,
                expected_version=1,
                closed_on=timezone.localdate(),
                reason="price",
            )
            raise RuntimeError("boom")
        assert callbacks == []
    apply_async.assert_not_called()
    assert _reload(personas.prospect).status == Status.OPEN


# --- reopen


def _closed(personas, status="lost"):
    p = personas.prospect
    if status == "won":
        services.outcome_record_won(
            prospect=p,
            by=personas.owner,
            expected_version=p.version,
            amount=Decimal(9),
            closed_on=timezone.localdate(),
        )
    else:
        services.outcome_record_lost(
            prospect=p,
            by=personas.owner,
            expected_version=p.version,
            closed_on=timezone.localdate(),
            reason="competitor",
            competitor="X社",
            recontact_on=timezone.localdate() + dt.timedelta(days=30),
        )
    return _reload(p)


@pytest.mark.parametrize("who", ["manager", "admin"])
def test_the_owners_manager_or_an_admin_reopens_with_a_reason(personas, client, who):
    p = _closed(personas)
    client.force_login(getattr(personas, who))
    response = client.post(reverse("closing:reopen", args=[p.pk]), {"reason": "先方から再検討の連絡"}, **HTMX)
    assert response.status_code == 200
    p = _reload(p)
    assert p.status == Status.OPEN and p.closed_on is None and p.lost_reason == "" and p.recontact_on is None
    reopening = Reopening.objects.get()
    assert (reopening.reason, reopening.previous_status, reopening.previous_lost_reason) == (
        "先方から再検討の連絡",
        "lost",
        "competitor",
    )
    assert reopening.by == getattr(personas, who)
    assert p.events.filter(status="open").count() == 2  # insert and the reopen: both in the history


def test_the_owner_may_undo_an_outcome_on_the_day_it_was_recorded(personas, client):
    p = _closed(personas, "won")
    client.force_login(personas.owner)
    assert (
        reverse("closing:reopen", args=[p.pk])
        in client.get(reverse("prospects:detail", args=[p.pk])).content.decode()
    )
    response = client.post(reverse("closing:reopen", args=[p.pk]), {"reason": "押し間違い"}, **HTMX)
    assert response.status_code == 200 and _reload(p).status == Status.OPEN
    assert Reopening.objects.get().by == personas.owner


def test_the_owner_rep_may_not_reopen_after_the_day_of_the_outcome(personas, client):
    p = _closed(personas, "won")
    Prospect.objects.filter(pk=p.pk).update(updated_at=timezone.now() - dt.timedelta(days=1))
    p = _reload(p)
    client.force_login(personas.owner)
    assert client.get(reverse("closing:reopen", args=[p.pk]), **HTMX).status_code == 403
    assert client.post(reverse("closing:reopen", args=[p.pk]), {"reason": "x"}, **HTMX).status_code == 403
    assert _reload(p).status == Status.WON
    with pytest.raises(PermissionDenied):
        services.outcome_reopen(prospect=p, by=personas.owner, reason="x")


def test_reopening_needs_a_reason(personas, client):
    p = _closed(personas, "won")
    client.force_login(personas.manager)
    response = client.post(reverse("closing:reopen", args=[p.pk]), {"reason": "  "}, **HTMX)
    assert response.status_code == 422
    assert _reload(p).status == Status.WON and not Reopening.objects.exists()


def test_an_open_prospect_cannot_be_reopened(personas, client):
    client.force_login(personas.manager)
    response = client.post(reverse("closing:reopen", args=[personas.prospect.pk]), {"reason": "x"}, **HTMX)
    assert response.status_code == 409
    assert not Reopening.objects.exists()


def test_the_reopen_button_shows_only_for_those_who_may_reopen(personas, client):
    p = _closed(personas, "won")
    Prospect.objects.filter(pk=p.pk).update(updated_at=timezone.now() - dt.timedelta(days=1))
    url = reverse("closing:reopen", args=[p.pk])
    client.force_login(personas.owner)
    assert url not in client.get(reverse("prospects:detail", args=[p.pk])).content.decode()
    client.force_login(personas.manager)
    assert url in client.get(reverse("prospects:detail", args=[p.pk])).content.decode()


def test_a_reopened_prospect_can_be_closed_again(personas):
    p = _closed(personas, "won")
    services.outcome_reopen(prospect=p, by=personas.admin, reason="誤入力")
    p = _reload(p)
    services.outcome_record_lost(
        prospect=p,
        by=personas.owner,
        expected_version=p.version,
        closed_on=timezone.localdate(),
        reason="price",
    )
    assert _reload(p).status == Status.LOST


def test_without_javascript_the_dialog_is_a_page_and_the_post_redirects(personas, client):
    client.force_login(personas.owner)
    response = client.get(reverse("closing:won", args=[personas.prospect.pk]))
    assert (
        response.status_code == 200
        and b"<dialog data-autoopen" in response.content
        and b" open>" in response.content
    )
    response = client.post(
        reverse("closing:won", args=[personas.prospect.pk]),
        {"amount": 10, "closed_on": timezone.localdate().isoformat(), "version": 1},
    )
    assert response.status_code == 302 and response["Location"] == reverse(
        "prospects:detail", args=[personas.prospect.pk]
    )


def test_won_from_a_closed_prospect_make_prospect_helper(personas):
    # The DB constraints back the rules: a won prospect without an amount cannot exist.
    from django.db import IntegrityError

    with pytest.raises(IntegrityError), transaction.atomic():
        make_prospect(personas.owner, status="won", closed_on=timezone.localdate())


def test_marking_won_from_the_board_redraws_the_board_in_place_instead_of_reloading(personas, client):
    client.force_login(personas.owner)
    board = reverse("pipeline:board") + f"?scope=user-{personas.owner.pk}"
    response = _won_from(client, personas.prospect, board)
    assert response.status_code == 200 and "HX-Refresh" not in response.headers
    # The confirmation, with its undo, replaces the dialog; the board redraws behind it.
    body = response.content.decode()
    assert "data-close-dialog" in body and reverse("closing:reopen", args=[personas.prospect.pk]) in body
    event = json.loads(response.headers["HX-Trigger"])["salescrm:board-changed"]
    assert "山田工務店" in event["message"]  # shown on the board, so not queued for the next page as well
    assert list(get_messages(response.wsgi_request)) == []
    assert _reload(personas.prospect).status == Status.WON


def test_marking_won_from_the_detail_page_confirms_with_an_undo_and_a_way_back_to_the_page(personas, client):
    client.force_login(personas.owner)
    detail = reverse("prospects:detail", args=[personas.prospect.pk])
    response = _won_from(client, personas.prospect, detail)
    body = response.content.decode()
    assert "HX-Trigger" not in response.headers
    assert f'href="{reverse("closing:reopen", args=[personas.prospect.pk])}"' in body  # the undo
    assert f'href="{detail}"' in body  # closing the confirmation reloads the page behind it


def test_the_detail_pages_reads_of_test_closings_and_reopenings_match_the_orm(
    personas, django_assert_num_queries
):
    from closing.models import TestClosingQuestion
    from closing.selectors import prospect_reopenings, prospect_test_closings
    from closing.services import test_closing_log

    p = _closed(personas, "won")
    services.outcome_reopen(prospect=p, by=personas.admin, reason="誤入力")
    p = _reload(p)
    services.outcome_record_lost(
        prospect=p,
        by=personas.owner,
        expected_version=p.version,
        closed_on=timezone.localdate(),
        reason="price",
    )
    services.outcome_reopen(prospect=_reload(p), by=personas.manager, reason="戻った")
    question = TestClosingQuestion.objects.create(
        text_ja="ショールームに一度来ませんか?",
        text_en="Would you come to the showroom once?",
        kind="invitation",
    )
    for answer in ("行きます", "考えます"):
        test_closing_log(
            prospect=_reload(p),
            by=personas.owner,
            question=question,
            question_text=question.text,
            answer=answer,
            reading="positive",
        )
    p = _reload(p)
    with django_assert_num_queries(2):
        closings, reopenings = prospect_test_closings(p), prospect_reopenings(p)
        names = [tc.asked_by.display_name for tc in closings] + [r.by.display_name for r in reopenings]
    expected_closings = list(p.test_closings.select_related("asked_by").order_by("-asked_at", "-id"))
    expected_reopenings = list(p.reopenings.select_related("by"))
    assert [(tc.pk, tc.answer, tc.asked_at) for tc in closings] == [
        (tc.pk, tc.answer, tc.asked_at) for tc in expected_closings
    ]
    assert [(r.pk, r.reason, r.previous_status) for r in reopenings] == [
        (r.pk, r.reason, r.previous_status) for r in expected_reopenings
    ]
    assert len(closings) == 2 and len(reopenings) == 2
    assert names == [tc.asked_by.display_name for tc in expected_closings] + [
        r.by.display_name for r in expected_reopenings
    ]


def _planned(p, subject: str, days: int = 0):
    from activities.models import Activity, ActivityKind
    from activities.services import local_midnight

    kind, _created = ActivityKind.objects.get_or_create(code="other", defaults={"label_ja": "その他"})
    return Activity.objects.create(
        prospect=p,
        owner=p.owner,
        kind=kind,
        subject=subject,
        starts_at=local_midnight(timezone.localdate() + dt.timedelta(days=days)),
        all_day=True,
    )


@pytest.mark.parametrize("outcome", ["won", "lost"])
def test_a_closed_prospect_has_nothing_planned_and_a_reopening_plans_it_again(personas, client, outcome):
    """Closing cancels the deal's planned activities (kept, off the agenda; a done one stays done);
    reopening plans them again, the same rows with their day and subject."""
    from activities.models import Activity, ActivityStatus
    from activities.selectors import agenda_for, next_planned

    p = personas.prospect
    quote = _planned(p, "見積提出")
    visit = _planned(p, "訪問", days=3)
    done = _planned(p, "電話", days=-1)
    Activity.objects.filter(pk=done.pk).update(status=ActivityStatus.DONE, done_at=timezone.now())
    p = _closed(personas, outcome)
    statuses = dict(Activity.objects.filter(prospect=p).values_list("pk", "status"))
    assert statuses == {quote.pk: "cancelled", visit.pk: "cancelled", done.pk: "done"}
    assert next_planned(p) is None
    agenda = agenda_for(viewer=personas.owner, owner_ids=(personas.owner.pk,))
    assert quote.pk not in [a.pk for a in agenda.today_items + agenda.week + agenda.overdue]
    client.force_login(personas.owner)
    body = client.get(reverse("prospects:detail", args=[p.pk]), HTTP_ACCEPT_LANGUAGE="ja").content.decode()
    assert "中止(商談終了)" in body and "見積提出" in body  # the timeline keeps it, marked
    services.outcome_reopen(prospect=p, by=personas.manager, reason="先方から再検討の連絡")
    statuses = dict(Activity.objects.filter(prospect=p).values_list("pk", "status"))
    assert statuses == {quote.pk: "planned", visit.pk: "planned", done.pk: "done"}
    assert next_planned(p).pk == quote.pk
    assert timezone.localdate(
        Activity.objects.get(pk=visit.pk).starts_at
    ) == timezone.localdate() + dt.timedelta(days=3)


def test_an_undone_outcome_plans_again_only_its_own_prospects_activities(personas):
    """Another deal's plans are untouched by this one's close and undo."""
    from activities.models import Activity

    other = make_prospect(personas.owner, name="別の案件")
    theirs = _planned(other, "別件の電話")
    _planned(personas.prospect, "見積提出")
    p = _closed(personas, "lost")
    assert Activity.objects.get(pk=theirs.pk).status == "planned"
    services.outcome_reopen(prospect=p, by=personas.manager, reason="再検討")
    assert Activity.objects.get(pk=theirs.pk).status == "planned"
    assert set(Activity.objects.values_list("status", flat=True)) == {"planned"}


def test_a_cancelled_activity_cannot_be_marked_done_edited_or_deleted(personas, client):
    from activities.models import Activity

    planned = _planned(personas.prospect, "見積提出")
    _closed(personas, "won")
    client.force_login(personas.owner)
    for name in ("activities:complete", "activities:edit", "activities:delete"):
        response = client.post(reverse(name, args=[planned.pk]), {"version": planned.version + 1})
        assert response.status_code == 409, name
    assert Activity.objects.get(pk=planned.pk).status == "cancelled"


def test_the_history_shows_a_reopening_with_its_reason(personas, client):
    p = _closed(personas, "won")
    client.force_login(personas.manager)
    client.post(reverse("closing:reopen", args=[p.pk]), {"reason": "先方から再検討の連絡"}, **HTMX)
    body = client.get(reverse("prospects:detail", args=[p.pk])).content.decode()
    history = body[body.index('id="timeline-items"') :]
    assert "商談再開" in history and "理由: 先方から再検討の連絡" in history and "受注 → 商談中" in history
