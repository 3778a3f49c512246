"""The alert emails: one per newly opened alert, and the daily digest."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation

from accounts.access import admin_ids, managers_of, team_managers
from accounts.models import User
from targets.models import (
    AlertDigest,
    PipelineAlert,
    Scope,
)

# ----------------------------------------------------------------------------------------- emails


@dataclass
class Recipients:
    """Who hears about an alert by email: the users who see it (PipelineAlertQuerySet.visible_to) in
    their role's own right: the rep and the managers who see the rep (accounts.access.managers_of); a
    team's managers; the admins for the company. An admin, who sees every alert, gets the company's."""

    owner_managers: dict[int, set[int]]
    managers: dict[int, set[int]]
    admins: set[int]

    @classmethod
    def load(cls) -> Recipients:
        return cls(managers_of(), team_managers(), admin_ids())

    def for_alert(self, alert: PipelineAlert) -> set[int]:
        if alert.scope == Scope.USER:
            return {alert.user_id, *self.owner_managers.get(alert.user_id, set())}  # type: ignore[arg-type]
        if alert.scope == Scope.TEAM:
            return set(self.managers.get(alert.team_id, set()))  # type: ignore[arg-type]
        return set(self.admins)


def _addresses(user_ids: set[int], users: dict[int, User]) -> list[str]:
    return sorted({users[i].email for i in user_ids if i in users and users[i].email and users[i].is_active})


def alert_emails_send(*, now: dt.datetime | None = None) -> int:
    """Email every newly opened alert to the rep and their manager(s), once per alert: each alert is
    claimed (row locked with SKIP LOCKED, emailed_at set) and sent in one transaction, so a retried or
    duplicated task never sends it twice and a worker killed mid-send leaves it for the redelivery.
    Only a kill between the mail server's acceptance and the COMMIT can send it twice. Returns the
    number of emails sent."""
    now = now or timezone.now()
    pending = list(
        PipelineAlert.objects.open()
        .filter(emailed_at__isnull=True)
        .select_related("user", "team")
        .order_by("pk")
    )
    if not pending:
        return 0
    recipients = Recipients.load()
    wanted = {a.pk: recipients.for_alert(a) for a in pending}
    users = User.objects.in_bulk(set().union(*wanted.values()))
    sent = 0
    for alert in pending:
        to = _addresses(wanted[alert.pk], users)
        if to:
            with translation.override(settings.LANGUAGE_CODE):
                context = {"alert": alert, "plan": alert.replenishment}
                subject = render_to_string("targets/email/alert_subject.txt", context).strip()
                body = render_to_string("targets/email/alert_body.txt", context)
        # The claim and the send share one transaction: a worker killed while sending (kill -9, OOM)
        # leaves the row unclaimed for the redelivered task (bin/faults lost an email when the claim
        # committed first); a concurrent worker skips the locked row; a failed send rolls back.
        with transaction.atomic():
            claimed = (
                PipelineAlert.objects.select_for_update(skip_locked=True)
                .filter(pk=alert.pk, emailed_at__isnull=True, resolved_at__isnull=True)
                .values_list("pk", flat=True)
                .first()
            )
            if claimed is None:
                continue  # another worker has it, or it resolved meanwhile
            PipelineAlert.objects.filter(pk=alert.pk).update(emailed_at=now)
            if not to:
                continue
            send_mail(subject, body, None, to)
        sent += 1
    return sent


def alert_digest_send(*, now: dt.datetime | None = None) -> int:
    """The daily digest: each person gets one email listing the open alerts they hear about, once per
    day (the AlertDigest row for (person, day) is the claim). Returns the number of emails sent."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    alerts = list(PipelineAlert.objects.open().select_related("user", "team").order_by("scope", "rule", "pk"))
    if not alerts:
        return 0
    recipients = Recipients.load()
    per_user: dict[int, list[PipelineAlert]] = defaultdict(list)
    for alert in alerts:
        for uid in recipients.for_alert(alert):
            per_user[uid].append(alert)
    users = User.objects.in_bulk(per_user.keys())
    sent = 0
    for uid, user_alerts in sorted(per_user.items()):
        user = users.get(uid)
        if user is None or not user.email or not user.is_active:
            continue
        try:
            with transaction.atomic():
                _digest, created = AlertDigest.objects.get_or_create(user_id=uid, day=today)
        except IntegrityError:
            created = False
        if not created:
            continue
        with translation.override(settings.LANGUAGE_CODE):
            context = {"alerts": user_alerts, "user": user, "today": today}
            subject = render_to_string("targets/email/digest_subject.txt", context).strip()
            body = render_to_string("targets/email/digest_body.txt", context)
        try:
            send_mail(subject, body, None, [user.email])
        except Exception:
            AlertDigest.objects.filter(user_id=uid, day=today).delete()
            raise
        sent += 1
    return sent
