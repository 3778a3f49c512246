"""Mass assignment: every form-handling POST ignores fields its form does not offer to that role.

Each case posts a valid form plus EXTRA (another owner, a status, a version of 999, a won amount, a
team, a creator, is_staff) and checks that only the fields the form allows changed."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.forms.models import model_to_dict
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from prospects.models import Prospect

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


def extra(p) -> dict:
    return {
        "owner": p.teammate.pk,
        "status": "won",
        "version": "999",
        "won_amount": "99999999",
        "closed_on": "2026-01-01",
        "lost_reason": "price",
        "team": p.other_team.pk,
        "created_by": p.outsider.pk,
        "asked_by": p.outsider.pk,
        "user": p.outsider.pk,
        "is_staff": "on",
        "is_superuser": "on",
        "role": "admin",
        "pk": "1",
        "id": "1",
    }


def snapshot(prospect: Prospect) -> dict:
    prospect.refresh_from_db()
    return model_to_dict(prospect)


def changed(before: dict, after: dict) -> set[str]:
    return {k for k in before if before[k] != after[k]}


def assert_roles_untouched(p) -> None:
    for user in User.objects.all():
        assert not user.is_staff or user.pk == p.admin.pk
        assert not (user.is_superuser and user.role != "admin")
    assert User.objects.get(pk=p.owner.pk).role == "rep"


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_prospect_create_as_a_rep_ignores_owner_status_and_the_rest(personas):
    client = client_for(personas.owner)
    data = {
        "name": "割当テスト商事",
        "source": "referral",
        "horizon": "mid",
        "probability": "40",
        "amount": "2500000",
        "expected_month": "2027-01",
        **extra(personas),
    }
    response = client.post(reverse("prospects:create"), data)
    assert response.status_code == 302
    prospect = Prospect.objects.get(name="割当テスト商事")
    assert prospect.owner == personas.owner
    assert prospect.status == "open" and prospect.won_amount is None and prospect.closed_on is None
    assert prospect.lost_reason in ("", None)
    assert prospect.version == 1
    assert_roles_untouched(personas)


def test_prospect_edit_as_a_rep_changes_only_the_offered_fields(personas):
    prospect = personas.prospect
    before = snapshot(prospect)
    data = {
        "name": prospect.name,
        "source": prospect.source,
        "horizon": prospect.horizon,
        "probability": "55",
        "amount": str(prospect.amount),
        "expected_month": "",
        **extra(personas),
        "version": prospect.version,
    }
    data["version"] = prospect.version
    response = client_for(personas.owner).post(reverse("prospects:edit", args=[prospect.pk]), data)
    assert response.status_code == 302, response.content.decode()[:1500]
    after = snapshot(prospect)
    assert after["owner"] == personas.owner.pk
    assert changed(before, after) <= {
        "probability",
        "expected_month",
        "version",
        "contact_person",
        "phone",
        "email",
        "address",
        "notes",
        "amount",
    }
    assert after["status"] == "open" and after["won_amount"] is None
    assert after["version"] == before["version"] + 1
    assert_roles_untouched(personas)


def test_the_card_quick_edit_changes_only_probability_amount_and_month(personas):
    prospect = personas.prospect
    before = snapshot(prospect)
    data = {**extra(personas), "probability": "66", "amount": "3300000", "expected_month": "2027-02"}
    data.update(
        horizon="long" if prospect.horizon != "long" else "short", name="別名", version=prospect.version
    )
    response = client_for(personas.owner).post(
        reverse("pipeline:card_edit", args=[prospect.pk]), data, **HTMX
    )
    assert response.status_code == 200, response.content.decode()[:1500]
    after = snapshot(prospect)
    assert changed(before, after) <= {
        "probability",
        "amount",
        "expected_month",
        "version",
        "expected_month_slips",
    }
    assert after["probability"] == 66
    assert_roles_untouched(personas)


def test_the_board_move_changes_only_the_horizon(personas):
    prospect = personas.prospect
    before = snapshot(prospect)
    target = "long" if prospect.horizon != "long" else "short"
    data = {**extra(personas), "probability": "1", "name": "別名", "amount": "1", "horizon": target}
    data["version"] = prospect.version
    response = client_for(personas.owner).post(reverse("pipeline:move", args=[prospect.pk]), data, **HTMX)
    assert response.status_code == 200, response.content.decode()[:1500]
    after = snapshot(prospect)
    assert changed(before, after) == {"horizon", "version"}
    assert_roles_untouched(personas)


def test_the_won_dialog_sets_only_the_outcome(personas):
    prospect = personas.prospect
    before = snapshot(prospect)
    data = {**extra(personas), "amount": "1800000", "closed_on": timezone.localdate().isoformat()}
    data.update(status="lost", version=prospect.version, probability="3", name="別名")
    response = client_for(personas.owner).post(reverse("closing:won", args=[prospect.pk]), data, **HTMX)
    assert response.status_code in (200, 204, 302), response.content.decode()[:1500]
    after = snapshot(prospect)
    assert after["status"] == "won" and after["won_amount"] == Decimal("1800000")
    assert after["owner"] == personas.owner.pk and after["name"] == before["name"]
    assert after["lost_reason"] in ("", None)
    assert changed(before, after) <= {"status", "won_amount", "closed_on", "version", "probability"}
    assert_roles_untouched(personas)


def test_the_lost_dialog_sets_only_the_outcome(personas):
    prospect = personas.prospect
    before = snapshot(prospect)
    data = {**extra(personas), "closed_on": timezone.localdate().isoformat(), "reason": "no_budget"}
    data.update(version=prospect.version, name="別名")
    response = client_for(personas.owner).post(reverse("closing:lost", args=[prospect.pk]), data, **HTMX)
    assert response.status_code in (200, 204, 302), response.content.decode()[:1500]
    after = snapshot(prospect)
    assert after["status"] == "lost" and after["won_amount"] is None
    assert after["owner"] == personas.owner.pk and after["name"] == before["name"]
    assert changed(before, after) <= {
        "status",
        "closed_on",
        "lost_reason",
        "competitor",
        "outcome_note",
        "recontact_on",
        "version",
        "probability",
    }
    assert_roles_untouched(personas)


def test_the_test_closing_log_belongs_to_the_url_prospect_and_the_poster(personas):
    from closing.models import TestClosing
    from tests.conftest import make_prospect

    other = make_prospect(personas.teammate, name="他人の見込み")
    before = snapshot(personas.prospect)
    data = {**extra(personas), "question_text": "ご予算は", "answer": "未定", "reading": "undecided"}
    data.update(prospect=other.pk, asked_at="2020-01-01T00:00")
    url = reverse("closing:test_closing_log", args=[personas.prospect.pk])
    response = client_for(personas.owner).post(url, data, **HTMX)
    assert response.status_code in (200, 204, 302), response.content.decode()[:1500]
    tc = TestClosing.objects.get()
    assert tc.prospect_id == personas.prospect.pk and tc.asked_by_id == personas.owner.pk
    assert tc.asked_at.year >= timezone.now().year
    assert not other.test_closings.exists()
    after = snapshot(personas.prospect)
    assert after["owner"] == before["owner"] and after["status"] == "open"
    assert_roles_untouched(personas)


def test_the_target_edit_saves_only_the_scope_of_the_url(personas):
    from targets.models import PipelineTarget

    data = {
        **extra(personas),
        "min_open": "9",
        "min_short": "2",
        "min_mid": "",
        "min_long": "",
        "sales_target": "",
    }
    url = reverse("targets:edit", args=[f"user-{personas.owner.pk}"])
    response = client_for(personas.admin).post(url, data)
    assert response.status_code == 302, response.content.decode()[:1500]
    target = PipelineTarget.objects.get()
    assert target.user_id == personas.owner.pk and target.team_id is None
    assert (target.min_open, target.min_short, target.min_mid) == (9, 2, None)
    assert_roles_untouched(personas)


def test_the_import_mapping_keeps_the_job_owner_and_status(personas, settings, tmp_path):
    from imports.models import ImportJob
    from tests.imports.conftest import HEADER, create_job, csv_bytes

    settings.IMPORT_UPLOAD_DIR = tmp_path / "imports"
    job = create_job(
        personas.owner,
        csv_bytes([HEADER, ["鈴木建設", "owner", "80%", "120万", "2026年11月", "商談中", "展示会"]]),
    )
    data = {**extra(personas), "col-0": "name", "created_count": "500", "status": "done", "phase": "run"}
    response = client_for(personas.owner).post(reverse("imports:mapping", args=[job.pk]), data)
    assert response.status_code == 302, response.content.decode()[:1500]
    job = ImportJob.objects.get(pk=job.pk)
    assert job.created_by_id == personas.owner.pk
    assert job.created_count <= 1  # the dry run's count of the one row, not the posted 500
    assert job.phase == "preview"
    assert not Prospect.objects.filter(name="鈴木建設").exists()  # the mapping step writes no prospect
    assert_roles_untouched(personas)
