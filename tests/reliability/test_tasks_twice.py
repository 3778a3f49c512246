"""Every Celery task may run twice: acks_late + reject_on_worker_lost hand a task whose worker died
mid-way back to the broker, which delivers it again, and a retry or a duplicate beat tick does the same.
Each registered task is run twice here on data that gives it work; the second run changes nothing.
A new task without a case below fails test_every_task_has_a_case."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
from django.core import mail
from django.db import models
from django.utils import timezone

from imports.models import ImportJob, JobPhase
from imports.services import import_job_claim, import_job_preview
from pipeline.models import ForecastSnapshot, ForecastSnapshotLine, UpkeepRun
from prospects.models import OpenCount, Prospect, Status
from salescrm.celery import app
from targets.models import AlertDigest, OwnerFlowRollup, PipelineAlert, SourceHistoryRollup
from tests.conftest import make_prospect
from tests.imports.conftest import HEADER, create_job, csv_bytes
from tests.targets.conftest import set_target

pytestmark = pytest.mark.django_db


def ours() -> list[str]:
    app.loader.import_default_modules()
    return sorted(name for name in app.tasks if not name.startswith("celery."))


def rows(*model_classes: type[models.Model]) -> list:
    """Every row of the models, field by field (auto_now timestamps left out: a rewrite of the same
    values is no change)."""
    out = []
    for model in model_classes:
        names = [
            f.attname
            for f in model._meta.concrete_fields
            if not (isinstance(f, models.DateTimeField) and f.auto_now)
        ]
        out.append(list(model.objects.order_by("pk").values_list(*names)))
    return out


def emails() -> list[tuple[str, tuple[str, ...]]]:
    return sorted((m.subject, tuple(m.to)) for m in mail.outbox)


def recontact_due(personas) -> Callable[[], object]:
    today = timezone.localdate()
    make_prospect(
        personas.owner,
        status=Status.LOST,
        closed_on=today - dt.timedelta(days=30),
        lost_reason="no_response",
        recontact_on=today,
    )
    return lambda: rows(Prospect)


def alerts_to_send(personas) -> Callable[[], object]:
    for user in personas.all().values():
        user.email = f"{user.username}@example.com"
        user.save(update_fields=["email"])
    set_target(user=personas.owner, min_open=5)
    return lambda: (rows(PipelineAlert, AlertDigest), emails())


def open_prospects(personas) -> Callable[[], object]:
    for month in (1, 2, 3):
        make_prospect(personas.owner, expected_month=dt.date(2020, month, 1))
    return lambda: rows(Prospect, UpkeepRun, ForecastSnapshot, ForecastSnapshotLine)


def drifted_counts(personas) -> Callable[[], object]:
    make_prospect(personas.owner)
    make_prospect(personas.teammate)
    OpenCount.objects.filter(owner_id=personas.owner.pk).update(n=models.F("n") + 7)
    return lambda: sorted(
        OpenCount.objects.values("owner_id", "horizon")
        .annotate(total=models.Sum("n"), amount=models.Sum("amount"))
        .values_list("owner_id", "horizon", "total", "amount")
    )


def rollup(personas) -> Callable[[], object]:
    make_prospect(personas.owner)
    return lambda: rows(OwnerFlowRollup, SourceHistoryRollup)


def running_import(personas) -> tuple[Callable[[], object], dict]:
    job = create_job(
        personas.owner, csv_bytes([HEADER, ["鈴木建設", "owner", "80%", "1", "2026/11", "商談中", "紹介"]])
    )
    job.mapping = {"columns": {"会社名": "name"}, "values": {}}
    job.save()
    import_job_preview(job=job)
    assert import_job_claim(job=job, phase=JobPhase.IMPORT)
    kwargs = {"job_id": job.pk, "phase": JobPhase.IMPORT, "attempt": job.attempt}
    return (lambda: (rows(Prospect), list(ImportJob.objects.values_list("status", "created_count")))), kwargs


def morning_agenda(personas) -> Callable[[], object]:
    from activities.models import Activity, MorningEmailSent
    from activities.services import preference_set_morning_email
    from tests.activities.conftest import kind

    personas.owner.email = "owner@example.com"
    personas.owner.save(update_fields=["email"])
    preference_set_morning_email(user=personas.owner, enabled=True)
    Activity.objects.create(
        prospect=personas.prospect,
        owner=personas.owner,
        kind=kind("call"),
        starts_at=timezone.now() - dt.timedelta(days=2),
    )
    return lambda: (list(MorningEmailSent.objects.values_list("user_id", "day")), emails())


def webhook_due(personas) -> tuple[Callable[[], object], dict]:
    """A delivery to a private address (refused: no network needed) for the task, and a late one and
    one that used its last attempt for the sweep."""
    from webhooks.models import Attempt, Delivery, Subscription

    subscription = Subscription.objects.create(url="http://127.0.0.1:9/hook", events=["prospect.created"])
    now = timezone.now()

    def delivery(message_id: str, **fields) -> Delivery:
        return Delivery.objects.create(
            subscription=subscription,
            event_type="prospect.created",
            message_id=message_id,
            payload={},
            last_attempt_allowed=3,
            **fields,
        )

    due = delivery("msg_due", next_attempt_at=now)
    delivery("msg_late", next_attempt_at=now - dt.timedelta(minutes=5))
    delivery("msg_used_up", next_attempt_at=now - dt.timedelta(minutes=5), attempts=3)
    return (lambda: rows(Delivery, Attempt, Subscription)), {"delivery_id": due.pk}


def inquiry_waiting(personas) -> tuple[Callable[[], object], dict]:
    """An inquiry saved by the request whose processing never ran (an old one, for the sweep too)."""
    from inbound.models import Assignment, Inquiry, InquiryForm
    from notifications.models import Notification

    form = InquiryForm.objects.create(
        name="資料請求",
        asked_fields=["company", "name", "phone", "email"],
        team=personas.team,
        assignment=Assignment.ROUND_ROBIN,
    )
    inquiry = Inquiry.objects.create(
        form=form,
        data={
            "company": "株式会社テスト",
            "name": "山田 花子",
            "phone": "03-1234-5678",
            "email": "h@example.jp",
        },
        lang="ja",
        created_at=timezone.now() - dt.timedelta(hours=1),
    )
    state = lambda: (rows(Prospect, Notification), list(Inquiry.objects.values_list("status", "prospect_id")))  # noqa: E731
    return state, {"inquiry_id": inquiry.pk}


def notification_unsent(personas) -> tuple[Callable[[], object], dict]:
    """A notification whose e-mail a broker outage never queued."""
    from notifications.models import Notification

    personas.owner.email = "owner@example.com"
    personas.owner.save(update_fields=["email"])
    note = Notification.objects.create(
        recipient=personas.owner,
        kind="test",
        message="A new inquiry",
        created_at=timezone.now() - dt.timedelta(hours=1),
    )
    return (lambda: (list(Notification.objects.values_list("pk", "emailed_at")), emails())), {
        "notification_id": note.pk
    }


# task name -> a setup that gives it work and returns what the task may change (and its arguments).
CASES: dict[str, Callable] = {
    "activities.send_morning_emails": morning_agenda,
    "closing.create_recontact_followups": recontact_due,
    "imports.run_import_job": running_import,
    "pipeline.horizon_upkeep": open_prospects,
    "pipeline.snapshot_month": open_prospects,
    "prospects.open_count_upkeep": drifted_counts,
    "targets.check_pipeline_targets": alerts_to_send,
    "targets.refresh_flow_rollup": rollup,
    "targets.send_alert_digest": alerts_to_send,
    "inbound.process_inquiry": inquiry_waiting,
    "inbound.sweep": lambda personas: inquiry_waiting(personas)[0],
    "notifications.send_email": notification_unsent,
    "notifications.sweep_unsent": lambda personas: notification_unsent(personas)[0],
    "webhooks.deliver": webhook_due,
    "webhooks.sweep_due": lambda personas: webhook_due(personas)[0],
}


def test_every_task_has_a_case():
    assert set(ours()) == set(CASES), "add the new task to CASES (and make it safe to run twice)"


@pytest.mark.parametrize("name", ours())
def test_a_redelivered_task_is_acknowledged_late_and_handed_back_when_its_worker_dies(name):
    task = app.tasks[name]
    assert task.acks_late and task.reject_on_worker_lost


@pytest.mark.parametrize("name", sorted(CASES))
def test_running_a_task_twice_changes_nothing_more_than_once(name, personas, settings, tmp_path):
    settings.IMPORT_UPLOAD_DIR = tmp_path
    settings.MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
    if name == "targets.send_alert_digest":  # the digest lists open alerts: open some first
        CASES[name](personas)
        app.tasks["targets.check_pipeline_targets"].apply(throw=True)
        state = lambda: (rows(PipelineAlert, AlertDigest), emails())  # noqa: E731
        kwargs = {}
    else:
        made = CASES[name](personas)
        state, kwargs = made if isinstance(made, tuple) else (made, {})
    before = state()
    app.tasks[name].apply(kwargs=kwargs, throw=True)
    once = state()
    app.tasks[name].apply(kwargs=kwargs, throw=True)
    assert once != before, "the case gave the task nothing to do"
    assert state() == once
