"""A web inquiry (反響) from another site: saved, made one prospect assigned by the form's rule, its
assignee told once; spam, abuse and bad input create nothing and are answered without a 500."""

from __future__ import annotations

from unittest import mock

import pytest
from django.db import OperationalError
from django.urls import reverse
from django.utils import timezone

from companies.models import Company, Contact
from inbound.models import Assignment, Inquiry, InquiryStatus, SubmissionCounter
from inbound.tasks import process_inquiry, sweep
from notifications.models import Notification
from prospects.models import Prospect, Source
from tests.inbound.conftest import SITE, submission

pytestmark = pytest.mark.django_db

JSON = {"Origin": SITE, "Accept": "application/json"}


def _post(client, form, data, *, headers=JSON, address="203.0.113.7"):
    return client.post(
        reverse("inbound:public_submit", args=[form.key]), data, headers=headers, REMOTE_ADDR=address
    )


def _new_prospects():
    return Prospect.objects.filter(inquiry__isnull=False)


def test_a_cross_origin_submission_makes_one_prospect_assigned_round_robin_with_one_notification(
    personas, client, inquiry_form
):
    response = _post(client, inquiry_form, submission(inquiry_form))
    assert response.status_code == 200
    assert response.json() == {"ok": True, "message": inquiry_form.thank_you_text}
    assert response["Access-Control-Allow-Origin"] == SITE
    assert "Origin" in response["Vary"]
    assert "Access-Control-Allow-Credentials" not in response
    prospect = _new_prospects().get()
    assert prospect.source == Source.INBOUND
    reps = sorted([personas.owner.pk, personas.teammate.pk])
    assert prospect.owner_id == reps[0]
    assert prospect.name == "株式会社テスト" and prospect.contact_person == "山田 花子"
    assert "見積もりをお願いします。" in prospect.notes and "外壁塗装" in prospect.notes
    inquiry = Inquiry.objects.get()
    assert inquiry.status == InquiryStatus.PROCESSED and inquiry.prospect == prospect
    assert inquiry.data["email"] == "hanako@example.jp" and inquiry.origin == SITE
    note = Notification.objects.get()
    assert note.recipient_id == prospect.owner_id
    assert note.link == reverse("prospects:detail", args=[prospect.pk])
    assert "株式会社テスト" in note.text
    # The next two go round the team's active reps.
    _post(
        client,
        inquiry_form,
        submission(inquiry_form, email="b@example.jp", company="B社"),
        address="203.0.113.8",
    )
    _post(
        client,
        inquiry_form,
        submission(inquiry_form, email="c@example.jp", company="C社"),
        address="203.0.113.9",
    )
    owners = list(_new_prospects().order_by("pk").values_list("owner_id", flat=True))
    assert owners == [reps[0], reps[1], reps[0]]
    assert Notification.objects.count() == 3


def test_round_robin_skips_inactive_reps_and_the_manager_rule_goes_to_the_manager(
    personas, client, inquiry_form
):
    personas.teammate.is_active = False
    personas.teammate.save(update_fields=["is_active"])
    for i in range(2):
        _post(
            client,
            inquiry_form,
            submission(inquiry_form, email=f"r{i}@example.jp"),
            address=f"198.51.100.{i}",
        )
    assert set(_new_prospects().values_list("owner_id", flat=True)) == {personas.owner.pk}
    inquiry_form.assignment = Assignment.MANAGER
    inquiry_form.save()
    _post(client, inquiry_form, submission(inquiry_form, email="m@example.jp"), address="198.51.100.9")
    latest = _new_prospects().latest("pk")
    assert latest.owner_id == personas.manager.pk
    assert Notification.objects.filter(recipient=personas.manager).count() == 1


def test_an_existing_contact_and_company_are_matched_not_duplicated(personas, client, inquiry_form):
    company = Company.objects.create(name="株式会社テスト", phone="03-1234-5678")
    contact = Contact.objects.create(name="山田 花子", email="HANAKO@example.jp", company=company)
    _post(client, inquiry_form, submission(inquiry_form))
    prospect = _new_prospects().get()
    assert prospect.company_id == company.pk and prospect.contact_id == contact.pk
    assert Company.objects.count() == 1 and Contact.objects.count() == 1


def test_a_new_customer_gets_a_company_and_a_contact_for_the_next_match(personas, client, inquiry_form):
    _post(client, inquiry_form, submission(inquiry_form))
    prospect = _new_prospects().get()
    assert prospect.company.name == "株式会社テスト"
    assert prospect.contact.furigana == "ヤマダ ハナコ" and prospect.contact.company == prospect.company


def _nothing_created():
    return (
        not Inquiry.objects.exists() and not _new_prospects().exists() and not Notification.objects.exists()
    )


@pytest.mark.parametrize("headers", [JSON, {"Origin": SITE}], ids=["json", "page"])
def test_a_filled_honeypot_or_a_too_fast_submission_creates_nothing_and_looks_like_success(
    personas, client, inquiry_form, headers
):
    real = _post(client, inquiry_form, submission(inquiry_form, email="real@example.jp"), headers=headers)
    Inquiry.objects.all().delete()
    Notification.objects.all().delete()
    from inbound.guard import fill_token

    honeypot = _post(
        client, inquiry_form, submission(inquiry_form, website="http://spam.example"), headers=headers
    )
    too_fast = _post(
        client, inquiry_form, submission(inquiry_form, ts=fill_token(inquiry_form)), headers=headers
    )
    assert _nothing_created()
    for bot in (honeypot, too_fast):
        assert bot.status_code == real.status_code == 200
        assert bot.content == real.content  # nothing a bot could tell apart


@pytest.mark.parametrize(
    "change,status",
    [
        ({"ts": ""}, 400),
        ({"ts": "forged:token"}, 400),
        ({"email": "not-an-address"}, 422),
        ({"name": ""}, 422),
        ({"consent": ""}, 422),
        ({"name": "x" * 101}, 422),
        ({"message": "x" * 2001}, 422),
        ({"product": "not on the list"}, 422),
        ({"name": "a\x00b"}, 422),
    ],
)
def test_bad_input_is_refused_with_a_reason_and_creates_nothing(
    personas, client, inquiry_form, change, status
):
    response = _post(client, inquiry_form, submission(inquiry_form, **change))
    assert response.status_code == status
    assert response.json()["ok"] is False and response.json()["reason"]
    assert _nothing_created()
    page = _post(
        client,
        inquiry_form,
        submission(inquiry_form, **change),
        headers={"Origin": SITE},
        address="192.0.2.1",
    )
    assert page.status_code == status and b'role="alert"' in page.content


def test_a_body_over_the_limit_is_refused_before_it_is_read(personas, client, inquiry_form, settings):
    settings.INBOUND_MAX_BODY_BYTES = 1000
    response = _post(client, inquiry_form, submission(inquiry_form, message="x" * 2000))
    assert response.status_code == 400 and _nothing_created()


def test_a_site_the_admin_did_not_allow_is_refused_without_cors(personas, client, inquiry_form):
    response = _post(
        client, inquiry_form, submission(inquiry_form), headers={"Origin": "https://evil.example"}
    )
    assert response.status_code == 403
    assert "Access-Control-Allow-Origin" not in response
    assert _nothing_created()
    preflight = client.options(
        reverse("inbound:public_submit", args=[inquiry_form.key]), headers={"Origin": "https://evil.example"}
    )
    assert "Access-Control-Allow-Origin" not in preflight
    ok = client.options(reverse("inbound:public_submit", args=[inquiry_form.key]), headers={"Origin": SITE})
    assert ok.status_code == 204 and ok["Access-Control-Allow-Origin"] == SITE


def test_the_rate_limit_per_address_holds(personas, client, inquiry_form, settings):
    settings.INBOUND_RATE_LIMIT = 3
    statuses = [
        _post(client, inquiry_form, submission(inquiry_form, email=f"n{i}@example.jp")).status_code
        for i in range(5)
    ]
    assert statuses == [200, 200, 200, 429, 429]
    assert Inquiry.objects.count() == _new_prospects().count() == 3
    assert SubmissionCounter.objects.get().count == 3  # the refused ones are not counted
    # Another address is not held back; the counter keeps no address, only its keyed hash.
    assert _post(client, inquiry_form, submission(inquiry_form), address="198.51.100.77").status_code == 200
    assert not SubmissionCounter.objects.filter(address_hash__contains="203.0.113.7").exists()


def test_a_failure_after_saving_is_retried_and_nothing_is_lost(personas, client, inquiry_form, settings):
    """The database hiccups while making the prospect and the broker is down: the visitor is thanked,
    the inquiry is kept, and the sweep makes the prospect later."""
    from kombu.exceptions import OperationalError as BrokerDown

    with (
        mock.patch("inbound.public.inquiry_process", side_effect=OperationalError("db hiccup")),
        mock.patch(
            "inbound.tasks.process_inquiry.apply_async", side_effect=BrokerDown("broker down")
        ) as publish,
    ):
        response = _post(client, inquiry_form, submission(inquiry_form))
    assert response.status_code == 200 and response.json()["ok"] is True
    publish.assert_called_once()
    inquiry = Inquiry.objects.get()
    assert inquiry.status == InquiryStatus.RECEIVED and not _new_prospects().exists()
    # The task itself retries on database and broker trouble, with backoff.
    assert OperationalError in process_inquiry.autoretry_for and process_inquiry.retry_backoff
    # Not yet due for the sweep; then due.
    assert sweep.run()["processed"] == 0
    Inquiry.objects.filter(pk=inquiry.pk).update(created_at=timezone.now() - timezone.timedelta(minutes=10))
    assert sweep.run()["processed"] == 1
    inquiry.refresh_from_db()
    assert inquiry.status == InquiryStatus.PROCESSED and _new_prospects().count() == 1
    assert Notification.objects.count() == 1
    assert sweep.run()["processed"] == 0  # once only


def test_the_task_records_a_failed_attempt_and_a_processed_inquiry_is_not_made_twice(
    personas, client, inquiry_form
):
    with (
        mock.patch("inbound.public.inquiry_process", side_effect=OperationalError("x")),
        mock.patch("inbound.tasks.process_inquiry.apply_async"),
    ):
        _post(client, inquiry_form, submission(inquiry_form))
    inquiry = Inquiry.objects.get()
    with (
        mock.patch("inbound.services.prospect_create", side_effect=OperationalError("again")),
        pytest.raises(OperationalError),
    ):
        process_inquiry.run(inquiry.pk)
    inquiry.refresh_from_db()
    assert inquiry.attempts == 1 and "again" in inquiry.last_error
    assert process_inquiry.run(inquiry.pk) is not None
    assert process_inquiry.run(inquiry.pk) is None
    assert _new_prospects().count() == 1


def test_a_closed_or_unknown_form_answers_404(personas, client, inquiry_form):
    inquiry_form.is_active = False
    inquiry_form.save()
    assert _post(client, inquiry_form, submission(inquiry_form)).status_code == 404
    assert client.get(reverse("inbound:public_form", args=["x" * 40])).status_code == 404


def test_a_team_with_no_active_rep_goes_to_its_manager_then_to_an_admin(personas, client, inquiry_form):
    from accounts.models import Team

    empty = Team.objects.create(name="Team Empty")
    inquiry_form.team = empty
    inquiry_form.save()
    _post(client, inquiry_form, submission(inquiry_form, email="x1@example.jp"), address="198.51.100.31")
    assert _new_prospects().get().owner_id == personas.admin.pk
    empty.managers.add(personas.other_manager)
    _post(client, inquiry_form, submission(inquiry_form, email="x2@example.jp"), address="198.51.100.32")
    assert _new_prospects().latest("pk").owner_id == personas.other_manager.pk
