from __future__ import annotations

import pytest
from django.core import mail

from accounts.models import Role
from targets.models import PipelineAlert, Scope
from targets.services import alert_digest_send, alert_emails_send, pipeline_check_run
from tests.conftest import make_user
from tests.targets.conftest import NOW, set_target

pytestmark = pytest.mark.django_db


@pytest.fixture
def with_emails(personas):
    for user in personas.all().values():
        user.email = f"{user.username}@example.com"
        user.save(update_fields=["email"])
    return personas


def test_a_new_alert_is_emailed_once_to_the_rep_and_their_managers(with_emails):
    set_target(user=with_emails.owner, min_open=2)
    pipeline_check_run(now=NOW)
    assert alert_emails_send() == 1
    assert alert_emails_send() == 0  # a retry finds it claimed
    assert len(mail.outbox) == 1
    assert sorted(mail.outbox[0].to) == ["manager@example.com", "owner@example.com"]


def test_team_alerts_go_to_the_team_managers_and_company_alerts_to_admins(with_emails):
    set_target(team=with_emails.team, min_open=5)
    set_target(min_open=5)
    pipeline_check_run(now=NOW)
    alert_emails_send()
    recipients = sorted(tuple(m.to) for m in mail.outbox)
    assert recipients == [("admin@example.com",), ("manager@example.com",)]


def test_a_failed_send_gives_the_claim_back_for_the_retry(with_emails, monkeypatch):
    set_target(user=with_emails.owner, min_open=2)
    pipeline_check_run(now=NOW)

    def broken(*args, **kwargs):
        raise OSError("smtp down")

    monkeypatch.setattr("targets.services.notify.send_mail", broken)
    with pytest.raises(OSError):
        alert_emails_send()
    assert PipelineAlert.objects.get().emailed_at is None
    monkeypatch.undo()
    assert alert_emails_send() == 1


def test_a_resolved_alert_is_not_emailed(with_emails):
    from tests.conftest import make_prospect

    set_target(user=with_emails.owner, min_open=2)
    pipeline_check_run(now=NOW)
    make_prospect(with_emails.owner)
    pipeline_check_run()
    assert alert_emails_send() == 0 and not mail.outbox


def test_the_digest_goes_once_per_person_per_day_listing_their_alerts(with_emails):
    set_target(user=with_emails.owner, min_open=2)
    set_target(user=with_emails.outsider, min_open=2)
    pipeline_check_run(now=NOW)
    assert alert_digest_send(now=NOW) == 4  # owner, manager, outsider, other_manager
    assert alert_digest_send(now=NOW) == 0
    by_person = {m.to[0]: m for m in mail.outbox}
    assert with_emails.owner.display_name in by_person["manager@example.com"].body
    assert with_emails.outsider.username not in by_person["manager@example.com"].body


def test_an_admin_without_email_is_skipped_quietly(personas):
    make_user("quiet-admin", Role.ADMIN)
    set_target(min_open=5)
    pipeline_check_run(now=NOW)
    assert PipelineAlert.objects.get().scope == Scope.COMPANY
    assert alert_emails_send() == 0
    assert PipelineAlert.objects.get().emailed_at is not None
