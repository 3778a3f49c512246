"""Where the events come from: each service writes one outbox row per subscribed, active
subscription, in its own transaction, with the payload this app decided (webhooks/payloads.py)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import transaction
from django.utils import timezone

from closing.services import outcome_record_lost, outcome_record_won, outcome_reopen
from prospects.services import prospect_create, prospect_update
from targets.models import PipelineAlert
from targets.services import pipeline_check_run
from tests.conftest import make_prospect
from tests.webhooks.conftest import subscribe
from webhooks.models import Delivery, EventType, Subscription

pytestmark = pytest.mark.django_db

ALL = [e.value for e in EventType]


@pytest.fixture
def hook() -> Subscription:
    return subscribe("https://hooks.example.com/in", ALL)


def events() -> list[str]:
    return list(Delivery.objects.order_by("id").values_list("event_type", flat=True))


def test_each_prospect_service_emits_its_one_event(hook, personas):
    rep = personas.owner
    prospect = prospect_create(by=rep, name="新規", source="referral")
    prospect = prospect_update(prospect=prospect, by=rep, expected_version=prospect.version, probability=60)
    prospect_update(prospect=prospect, by=rep, expected_version=prospect.version, probability=60)  # no change
    won = outcome_record_won(
        prospect=prospect,
        by=rep,
        expected_version=prospect.version,
        amount=Decimal(900000),
        closed_on=timezone.localdate(),
    )
    outcome_reopen(prospect=won, by=personas.manager, reason="誤操作")
    other = make_prospect(rep)
    outcome_record_lost(
        prospect=other, by=rep, expected_version=other.version, closed_on=timezone.localdate(), reason="price"
    )
    assert events() == [
        "prospect.created",
        "prospect.updated",
        "prospect.won",
        "prospect.updated",  # the reopening
        "prospect.lost",
    ]
    won_payload = Delivery.objects.get(event_type="prospect.won").payload
    assert won_payload["type"] == "prospect.won"
    data = won_payload["data"]
    assert (data["id"], data["status"], data["won_amount"], data["currency"]) == (
        prospect.pk,
        "won",
        "900000.00",
        "JPY",
    )
    assert set(data) >= {"owner", "horizon", "probability", "expected_month", "amount", "version"}
    assert not {"phone", "email", "address", "contact_person", "notes", "outcome_note"} & set(data)


def test_only_active_subscriptions_to_the_event_get_a_delivery(personas):
    wanted = subscribe("https://a.example.com/", ["prospect.created"])
    subscribe("https://b.example.com/", ["prospect.won"])
    paused = subscribe("https://c.example.com/", ["prospect.created"])
    Subscription.objects.filter(pk=paused.pk).update(is_paused=True)
    prospect_create(by=personas.owner, name="新規", source="referral")
    assert list(Delivery.objects.values_list("subscription", flat=True)) == [wanted.pk]


def test_a_rolled_back_change_leaves_no_outbox_row(hook, personas):
    with pytest.raises(RuntimeError), transaction.atomic():
        prospect_create(by=personas.owner, name="取消", source="referral")
        raise RuntimeError
    assert not Delivery.objects.exists()


def test_an_alert_opened_and_resolved_is_told_once_even_by_two_checks(hook, personas):
    from targets.models import PipelineTarget

    rep = personas.teammate  # no prospects
    PipelineTarget.objects.create(user=rep, min_open=1)
    now = timezone.now()
    pipeline_check_run(now=now)
    pipeline_check_run(now=now + dt.timedelta(minutes=1))
    alert = PipelineAlert.objects.get(user=rep)
    opened = Delivery.objects.get(event_type="alert.opened")
    assert opened.message_id == f"msg_alert_opened_{alert.pk}"
    assert opened.payload["data"]["user"]["username"] == "teammate"
    assert (opened.payload["data"]["rule"], opened.payload["data"]["deficit"]) == (alert.rule, 1)
    assert "plan" not in opened.payload["data"]

    make_prospect(rep)
    pipeline_check_run(now=now + dt.timedelta(minutes=2))
    pipeline_check_run(now=now + dt.timedelta(minutes=3))
    resolved = Delivery.objects.get(event_type="alert.resolved")
    assert resolved.payload["data"]["resolved_at"] is not None
    assert events().count("alert.opened") == 1


def test_an_inquiry_received_is_told_with_its_prospect(hook, personas):
    from inbound.signals import inquiry_received

    class Form:
        pk = 3
        name = "資料請求"

    class Inquiry:
        pk = 11
        form = Form()
        created_at = timezone.now()

    with transaction.atomic():
        inquiry_received.send(sender=Inquiry, inquiry=Inquiry(), prospect=personas.prospect)
        inquiry_received.send(sender=Inquiry, inquiry=Inquiry(), prospect=personas.prospect)  # told twice
    delivery = Delivery.objects.get(event_type="inquiry.received")
    data = delivery.payload["data"]
    assert data["inquiry"] == {
        "id": 11,
        "form": {"id": 3, "name": "資料請求"},
        "created_at": data["inquiry"]["created_at"],
    }
    assert data["prospect"]["id"] == personas.prospect.pk


def test_a_real_inquiry_made_into_a_prospect_tells_inquiry_received_and_prospect_created(hook, personas):
    from inbound.models import Assignment, InquiryForm
    from inbound.services import inquiry_process, inquiry_save

    form = InquiryForm.objects.create(
        name="資料請求",
        asked_fields=["company", "name", "email"],
        thank_you_text="ありがとうございました。",
        team=personas.team,
        assignment=Assignment.ROUND_ROBIN,
    )
    inquiry = inquiry_save(
        form=form,
        data={"company": "株式会社テスト", "name": "山田 花子", "email": "hanako@example.jp"},
        lang="ja",
        origin="",
        address_hash="x",
    )
    prospect = inquiry_process(inquiry.pk)
    assert sorted(events()) == ["inquiry.received", "prospect.created"]
    data = Delivery.objects.get(event_type="inquiry.received").payload["data"]
    assert data["inquiry"]["id"] == inquiry.pk and data["inquiry"]["form"] == {
        "id": form.pk,
        "name": "資料請求",
    }
    assert data["prospect"]["id"] == prospect.pk and data["prospect"]["source"] == "inbound"
    assert "email" not in data["prospect"] and "hanako" not in str(data)


def test_the_sweeper_sends_what_was_never_published_and_fails_what_used_its_last_attempt(hook, monkeypatch):
    """The outbox's point: a delivery written while the broker was down is sent by the minute's sweep."""
    from salescrm.lib import jobs
    from webhooks.models import DeliveryState
    from webhooks.services import sweep_due

    published = []
    monkeypatch.setattr(jobs, "enqueue", lambda task, **kwargs: published.append((task.name, kwargs)))
    now = timezone.now()
    late = dt.timedelta(minutes=2)

    def delivery(message_id: str, **fields) -> Delivery:
        defaults = {"next_attempt_at": now - late, "last_attempt_allowed": 3}
        return Delivery.objects.create(
            subscription=hook,
            event_type="prospect.created",
            message_id=message_id,
            payload={},
            **{**defaults, **fields},
        )

    lost_publish = delivery("msg_lost")
    delivery("msg_recent", next_attempt_at=now)  # its task is on its way: left alone
    used_up = delivery("msg_used_up", attempts=3)  # a worker died during its last attempt
    delivery("msg_done", state=DeliveryState.SUCCEEDED)

    assert sweep_due(now=now) == 1
    assert published == [("webhooks.deliver", {"delivery_id": lost_publish.pk})]
    used_up.refresh_from_db()
    assert used_up.state == DeliveryState.FAILED and used_up.next_attempt_at is None

    Subscription.objects.filter(pk=hook.pk).update(is_paused=True)
    published.clear()
    assert sweep_due(now=now) == 0 and published == []  # a paused subscription's deliveries wait


def test_a_managers_bulk_edit_tells_one_prospect_updated_per_changed_prospect(hook, personas):
    from prospects.bulk import prospects_bulk_set_horizon

    mine = make_prospect(personas.owner)
    stale = make_prospect(personas.teammate)
    seen = {
        personas.prospect.pk: personas.prospect.version,
        mine.pk: mine.version,
        stale.pk: stale.version - 1,
    }
    result = prospects_bulk_set_horizon(seen=seen, horizon="short", by=personas.manager)
    assert sorted(result.changed) == sorted([personas.prospect.pk, mine.pk])
    told = Delivery.objects.filter(event_type="prospect.updated").order_by("id")
    assert [d.payload["data"]["id"] for d in told] == sorted(result.changed)
    assert {d.payload["data"]["horizon"] for d in told} == {"short"}
    assert len({d.message_id for d in told}) == 2


def test_handing_over_a_leaving_reps_open_prospects_tells_one_prospect_updated_each(hook, personas):
    from prospects.bulk import prospects_reassign_open

    second = make_prospect(personas.owner)
    closed = make_prospect(personas.owner, lost=True)
    moved = prospects_reassign_open(
        from_owner=personas.owner, to_owner=personas.teammate, by=personas.manager
    )
    assert moved == 2
    told = Delivery.objects.filter(event_type="prospect.updated").order_by("id")
    assert [d.payload["data"]["id"] for d in told] == sorted([personas.prospect.pk, second.pk])
    assert {d.payload["data"]["owner"]["id"] for d in told} == {personas.teammate.pk}
    assert closed.pk not in [d.payload["data"]["id"] for d in told]


def test_a_prospects_payload_carries_its_external_id(personas):
    from webhooks.payloads import prospect_data

    assert (
        prospect_data(make_prospect(personas.owner, name="A", external_id="OPP-1"))["external_id"] == "OPP-1"
    )
    assert prospect_data(make_prospect(personas.owner, name="B"))["external_id"] is None


def test_an_import_tells_one_event_per_prospect_it_created_or_changed(hook, personas, settings, tmp_path):
    from imports.services import import_job_preview, import_job_run
    from prospects.models import Prospect
    from tests.imports.conftest import create_job, csv_bytes

    settings.IMPORT_UPLOAD_DIR = tmp_path
    existing = personas.prospect
    rows = [
        ["ID", "見込み客名", "確度"],
        [existing.pk, existing.name, "55"],  # changed
        ["", "新規A", "20"],
        ["", "新規B", "30"],
    ]
    job = create_job(personas.owner, csv_bytes(rows), update_duplicates=True)
    job = import_job_run(job=import_job_preview(job=job))
    assert (job.created_count, job.updated_count) == (2, 1)
    created = Delivery.objects.filter(event_type="prospect.created").order_by("id")
    new_ids = set(Prospect.objects.filter(name__in=["新規A", "新規B"]).values_list("pk", flat=True))
    assert {d.payload["data"]["id"] for d in created} == new_ids and created.count() == 2
    updated = Delivery.objects.filter(event_type="prospect.updated")
    assert [d.payload["data"]["id"] for d in updated] == [existing.pk]
    assert updated.get().payload["data"]["probability"] == 55

    # The same file again changes nothing: nothing to tell.
    job = create_job(personas.owner, csv_bytes(rows[:2]), update_duplicates=True)
    job = import_job_run(job=import_job_preview(job=job))
    assert job.unchanged_count == 1 and Delivery.objects.count() == 3

    # A row that closes its deal tells prospect.lost, as the lost button would (not prospect.updated).
    closing = [["ID", "ステータス", "失注理由", "完了日"], [existing.pk, "失注", "予算不足", "2026-11-30"]]
    job = create_job(personas.owner, csv_bytes(closing), update_duplicates=True)
    job = import_job_run(job=import_job_preview(job=job))
    assert job.updated_count == 1, job.errors
    assert events()[3:] == ["prospect.lost"]
    assert Delivery.objects.get(event_type="prospect.lost").payload["data"]["status"] == "lost"


def test_a_request_reads_the_active_subscriptions_once_and_again_after_a_change(personas):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from webhooks.services import subscribers, subscription_pause, subscriptions_memo

    created = subscribe("https://hooks.example.com/a", ["prospect.created"])
    both = subscribe("https://hooks.example.com/b", ["prospect.created", "inquiry.received"])
    Subscription.objects.filter(pk=subscribe("https://hooks.example.com/c", ["inquiry.received"]).pk).update(
        is_paused=True
    )
    with subscriptions_memo(), CaptureQueriesContext(connection) as ctx:
        assert subscribers("prospect.created") == [created.pk, both.pk]
        assert subscribers("inquiry.received") == [both.pk]
        assert subscribers("prospect.won") == []
        assert len(ctx) == 1
        subscription_pause(subscription=both, by=personas.admin)
        assert subscribers("prospect.created") == [created.pk]
        later = subscribe("https://hooks.example.com/d", ["inquiry.received"])
        assert subscribers("inquiry.received") == [later.pk]
    # Outside a request: read each time, as before.
    with CaptureQueriesContext(connection) as ctx:
        assert subscribers("prospect.created") == [created.pk]
        assert subscribers("prospect.created") == [created.pk]
    assert len(ctx) == 2
