"""Every write path leaves a pghistory event whose context names the acting user.

To cover a new write path, append a WritePath to WRITE_PATHS: `run(client, personas)` performs the write
as some user and returns (tracked object, acting user); `event_model` is the pghistory event model."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pghistory
import pytest
from django.apps import apps
from django.db.models import F
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from prospects.models import Prospect

pytestmark = pytest.mark.django_db


@dataclass(frozen=True)
class WritePath:
    name: str
    event_model: str  # "app_label.EventModel"
    label: str  # pgh_label of the expected event: insert / update / delete
    run: Callable[[Client, Any], tuple[Any, User]]
    via_request: bool = True
    needs: bool = False  # run() also takes the settings and tmp_path fixtures
    prepare: Callable[[Any], Any] | None = None  # set-up writes that happen before the one checked

    def __str__(self) -> str:
        return self.name


PROSPECT_FORM = {
    "name": "監査テスト商事",
    "source": "referral",
    "horizon": "mid",
    "probability": "40",
    "amount": "2500000",
    "expected_month": "2027-01",
}


def prospect_create_view(client, p):
    client.force_login(p.owner)
    response = client.post(reverse("prospects:create"), PROSPECT_FORM)
    assert response.status_code == 302
    return Prospect.objects.get(name=PROSPECT_FORM["name"]), p.owner


def prospect_edit_view(client, p):
    client.force_login(p.manager)
    data = {**PROSPECT_FORM, "owner": p.owner.pk, "version": p.prospect.version, "probability": "70"}
    response = client.post(reverse("prospects:edit", args=[p.prospect.pk]), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    return p.prospect, p.manager


def admin_form_data(prospect: Prospect, **changes) -> dict:
    """The admin change form as the browser would post it: every field of the ModelAdmin form."""
    from django.contrib import admin
    from django.test import RequestFactory

    model_admin = admin.site._registry[Prospect]
    request = RequestFactory().get("/")
    request.user = User.objects.filter(is_superuser=True).first() or User(role="admin", is_staff=True)
    form = model_admin.get_form(request, prospect)(instance=prospect)
    data = {}
    for name in form.fields:
        value = form[name].value()
        data[name] = "" if value is None else value
    data.update(changes)
    return data


def admin_change(client, p):
    client.force_login(p.admin)
    url = reverse("admin:prospects_prospect_change", args=[p.prospect.pk])
    response = client.post(url, admin_form_data(p.prospect, probability="90", notes="電話"))
    assert response.status_code == 302, response.content.decode()[:3000]
    return p.prospect, p.admin


def admin_delete(client, p):
    client.force_login(p.admin)
    url = reverse("admin:prospects_prospect_delete", args=[p.prospect.pk])
    response = client.post(url, {"post": "yes"})
    assert response.status_code == 302
    assert not Prospect.objects.filter(pk=p.prospect.pk).exists()
    return p.prospect, p.admin


def queryset_update_with_context(client, p):
    """A bulk .update() (a command, a task): the trigger records it; the caller names the actor."""
    with pghistory.context(user=p.admin.pk):
        assert Prospect.objects.filter(pk=p.prospect.pk).update(probability=5) == 1
    return p.prospect, p.admin


HTMX = {"HTTP_HX_REQUEST": "true"}


def _other_horizon(prospect: Prospect) -> str:
    return "long" if prospect.horizon != "long" else "short"


def board_move(client, p):
    client.force_login(p.owner)
    data = {"horizon": _other_horizon(p.prospect), "version": p.prospect.version}
    response = client.post(reverse("pipeline:move", args=[p.prospect.pk]), data, **HTMX)
    assert response.status_code == 200, response.content.decode()[:2000]
    return p.prospect, p.owner


def card_quick_edit(client, p):
    client.force_login(p.owner)
    data = {
        "probability": "65",
        "amount": "3300000",
        "expected_month": "2027-02",
        "version": p.prospect.version,
    }
    response = client.post(reverse("pipeline:card_edit", args=[p.prospect.pk]), data, **HTMX)
    assert response.status_code == 200, response.content.decode()[:2000]
    return p.prospect, p.owner


def log_test_closing(client, p):
    from closing.models import TestClosing

    client.force_login(p.owner)
    data = {"question_text": "今月中にご決断いただけますか", "answer": "前向きに検討", "reading": "positive"}
    response = client.post(reverse("closing:test_closing_log", args=[p.prospect.pk]), data, **HTMX)
    assert response.status_code in (200, 204, 302), response.content.decode()[:2000]
    return TestClosing.objects.get(prospect=p.prospect), p.owner


def outcome_won(client, p):
    client.force_login(p.owner)
    data = {"amount": "2000000", "closed_on": timezone.localdate().isoformat(), "version": p.prospect.version}
    response = client.post(reverse("closing:won", args=[p.prospect.pk]), data, **HTMX)
    assert response.status_code in (200, 204, 302), response.content.decode()[:2000]
    p.prospect.refresh_from_db()
    assert p.prospect.status == "won"
    return p.prospect, p.owner


def outcome_lost(client, p):
    client.force_login(p.owner)
    data = {"closed_on": timezone.localdate().isoformat(), "reason": "price", "version": p.prospect.version}
    response = client.post(reverse("closing:lost", args=[p.prospect.pk]), data, **HTMX)
    assert response.status_code in (200, 204, 302), response.content.decode()[:2000]
    p.prospect.refresh_from_db()
    assert p.prospect.status == "lost"
    return p.prospect, p.owner


def close_as_won(p):
    from closing import services

    services.outcome_record_won(
        prospect=p.prospect,
        by=p.owner,
        expected_version=p.prospect.version,
        amount=Decimal(1),
        closed_on=timezone.localdate(),
    )
    p.prospect.refresh_from_db()


def outcome_reopen(client, p):
    client.force_login(p.manager)
    response = client.post(reverse("closing:reopen", args=[p.prospect.pk]), {"reason": "誤って受注"}, **HTMX)
    assert response.status_code in (200, 204, 302), response.content.decode()[:2000]
    p.prospect.refresh_from_db()
    assert p.prospect.status == "open"
    return p.prospect, p.manager


def log_one_test_closing(p):
    from closing import services

    services.test_closing_log(
        prospect=p.prospect, by=p.owner, question=None, question_text="q", answer="a", reading="positive"
    )
    p.prospect.refresh_from_db()


def proposal_apply(client, p):
    from closing.models import TestClosing

    tc = TestClosing.objects.get(prospect=p.prospect)
    client.force_login(p.owner)
    data = {"horizon": _other_horizon(p.prospect), "expected_month": "2027-04", "probability": "80"}
    data["version"] = p.prospect.version
    response = client.post(reverse("closing:proposal", args=[tc.pk]), data, **HTMX)
    assert response.status_code in (200, 204, 302), response.content.decode()[:2000]
    return p.prospect, p.owner


def target_edit(client, p):
    from targets.models import PipelineTarget

    client.force_login(p.admin)
    data = {"min_open": "12", "min_short": "3", "min_mid": "4", "min_long": "5", "sales_target": "9000000"}
    response = client.post(reverse("targets:edit", args=[f"user-{p.owner.pk}"]), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    return PipelineTarget.objects.get(user=p.owner), p.admin


def import_run(client, p, settings, tmp_path):
    from imports.models import ImportJob
    from tests.imports.conftest import csv_bytes, upload

    settings.IMPORT_UPLOAD_DIR = tmp_path / "imports"
    client.force_login(p.owner)
    rows = [["会社名", "担当者", "確度"], ["監査インポート商事", p.owner.username, "40%"]]
    response = client.post(reverse("imports:upload"), {"file": upload(csv_bytes(rows)), "encoding": "auto"})
    assert response.status_code == 302, response.content.decode()[:2000]
    job = ImportJob.objects.get()
    response = client.post(
        reverse("imports:mapping", args=[job.pk]), {"col-0": "name", "col-1": "owner", "col-2": "probability"}
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    response = client.post(reverse("imports:run", args=[job.pk]))
    assert response.status_code == 302
    return Prospect.objects.get(name="監査インポート商事"), p.owner


def rank_bands_edit(client, p):
    from pipeline.models import RankBands

    client.force_login(p.admin)
    response = client.post(reverse("pipeline:rank_bands"), {"a_min": "85", "b_min": "45"})
    assert response.status_code == 302, response.content.decode()[:2000]
    return RankBands.objects.get(), p.admin


WRITE_PATHS = [
    WritePath("prospect create (view)", "prospects.ProspectEvent", "insert", prospect_create_view),
    WritePath("prospect edit (view)", "prospects.ProspectEvent", "update", prospect_edit_view),
    WritePath("prospect change (admin)", "prospects.ProspectEvent", "update", admin_change),
    WritePath("prospect delete (admin)", "prospects.ProspectEvent", "delete", admin_delete),
    WritePath(
        "prospect bulk update (queryset)",
        "prospects.ProspectEvent",
        "update",
        queryset_update_with_context,
        via_request=False,
    ),
    WritePath("board move (pipeline)", "prospects.ProspectEvent", "update", board_move),
    WritePath("card quick edit (pipeline)", "prospects.ProspectEvent", "update", card_quick_edit),
    WritePath("test closing log (closing)", "closing.TestClosingEvent", "insert", log_test_closing),
    WritePath("won (closing)", "prospects.ProspectEvent", "update", outcome_won),
    WritePath("lost (closing)", "prospects.ProspectEvent", "update", outcome_lost),
    WritePath("reopen (closing)", "prospects.ProspectEvent", "update", outcome_reopen, prepare=close_as_won),
    WritePath(
        "proposal apply (closing)",
        "prospects.ProspectEvent",
        "update",
        proposal_apply,
        prepare=log_one_test_closing,
    ),
    WritePath("target edit (targets)", "targets.PipelineTargetEvent", "insert", target_edit),
    WritePath("import run (imports)", "prospects.ProspectEvent", "insert", import_run, needs=True),
    WritePath(
        "rank bands (pipeline)",
        "pipeline.RankBandsEvent",
        "update",
        rank_bands_edit,
        prepare=lambda p: apps.get_model("pipeline.RankBands").objects.get_or_create(pk=1),
    ),
]


@pytest.mark.parametrize("path", WRITE_PATHS, ids=str)
def test_the_write_leaves_an_event_naming_the_acting_user(personas, path, settings, tmp_path):
    event_model = apps.get_model(path.event_model)
    if path.prepare:
        path.prepare(personas)
    last_before = event_model.objects.order_by("-pgh_id").values_list("pgh_id", flat=True).first() or 0
    extra = (settings, tmp_path) if path.needs else ()
    obj, actor = path.run(Client(), personas, *extra)
    events = list(
        event_model.objects.filter(
            pgh_id__gt=last_before, pgh_obj_id=obj.pk, pgh_label=path.label
        ).select_related("pgh_context")
    )
    assert len(events) == 1
    context = events[0].pgh_context
    assert context is not None, "the event has no context: the acting user is unknown"
    assert context.metadata["user"] == actor.pk
    if path.via_request:
        assert context.metadata["url"].startswith("/")


def test_a_bulk_update_without_context_is_still_recorded(personas):
    """Raw writes cannot escape the trigger; they only lose the actor (so code must set a context)."""
    event_model = apps.get_model("prospects.ProspectEvent")
    before = event_model.objects.filter(pgh_obj_id=personas.prospect.pk).count()
    Prospect.objects.filter(pk=personas.prospect.pk).update(probability=77)
    events = event_model.objects.filter(pgh_obj_id=personas.prospect.pk).order_by("pgh_id")
    assert events.count() == before + 1
    assert events.last().probability == 77


def test_a_write_that_changes_nothing_leaves_no_event(personas):
    event_model = apps.get_model("prospects.ProspectEvent")
    before = event_model.objects.filter(pgh_obj_id=personas.prospect.pk).count()
    Prospect.objects.filter(pk=personas.prospect.pk).update(probability=personas.prospect.probability)
    assert event_model.objects.filter(pgh_obj_id=personas.prospect.pk).count() == before


def test_reads_leave_no_event(personas):
    event_model = apps.get_model("prospects.ProspectEvent")
    before = event_model.objects.count()
    client = Client()
    client.force_login(personas.owner)
    client.get(reverse("prospects:detail", args=[personas.prospect.pk]))
    client.get(reverse("prospects:list"))
    assert event_model.objects.count() == before


def test_an_admin_change_bumps_the_version_for_the_optimistic_lock(personas):
    version = personas.prospect.version
    admin_change(Client(), personas)
    personas.prospect.refresh_from_db()
    assert personas.prospect.version == version + 1


def test_an_admin_change_on_a_stale_form_is_refused_as_a_conflict(personas):
    client = Client()
    client.force_login(personas.admin)
    stale = admin_form_data(personas.prospect, probability="90")
    Prospect.objects.filter(pk=personas.prospect.pk).update(probability=33, version=F("version") + 1)
    url = reverse("admin:prospects_prospect_change", args=[personas.prospect.pk])
    response = client.post(url, stale)
    assert response.status_code == 200
    assert "変更は保存されませんでした" in response.content.decode()
    personas.prospect.refresh_from_db()
    assert personas.prospect.probability == 33


def test_a_page_that_only_reads_sends_no_history_context(personas, client, monkeypatch):
    """The context is for the requests that write (POST...): a GET's queries go as they are, without
    pghistory's set_config() statements in front of each."""
    import pghistory.runtime

    injected: list[str] = []
    original = pghistory.runtime._inject_history_context

    def counting(execute, sql, params, many, context):
        injected.append(sql)
        return original(execute, sql, params, many, context)

    monkeypatch.setattr(pghistory.runtime, "_inject_history_context", counting)
    client.force_login(personas.manager)
    for name in ("home", "pipeline:board", "pipeline:month_list", "prospects:list"):
        assert client.get(reverse(name)).status_code == 200
    assert injected == []
    client.post(reverse("prospects:edit", args=[personas.prospect.pk]), {})
    assert injected  # a POST carries it
