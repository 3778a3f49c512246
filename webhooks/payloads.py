"""What each event's `data` holds. Decided here, once (README, "Webhooks"):

- prospect.*: the deal's pipeline fields, as the prospect list and the API show them to an admin:
  id, name, status, horizon, probability, expected month, amount, weighted amount, currency, source,
  external ID (the deal's ID in another system), owner (id, user name, display name), company (id, name), closing fields when closed, times, version.
  Left out: the contact person, phone, e-mail, address, notes and outcome note. They are personal data
  or free text, and a receiver is another system: it reads them through the API, under a token's
  access rules, when it needs them.
- alert.*: the alert's scope (rep or team by id and name), rule, counts, target, deficit and dates;
  not the replenishment plan (large, and derived).
- inquiry.received: the ids of the inquiry and of its prospect, the form's name and the source; not
  what the visitor typed (personal data; read it in the product or through the API).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings


def _iso(value: Any) -> str | None:
    return value.isoformat() if value is not None else None


def _money(value: Any) -> str | None:
    return str(value) if value is not None else None


def prospect_data(prospect: Any) -> dict[str, Any]:
    owner = prospect.owner
    company = prospect.company if prospect.company_id else None
    weighted = (
        prospect.amount * prospect.probability / 100
        if prospect.amount is not None and prospect.probability is not None
        else None
    )
    return {
        "id": prospect.pk,
        "name": prospect.name,
        "status": prospect.status,
        "horizon": prospect.horizon,
        "probability": prospect.probability,
        "expected_month": _iso(prospect.expected_month),
        "amount": _money(prospect.amount),
        "weighted_amount": _money(weighted),
        "currency": settings.COMPANY_CURRENCY,
        "source": prospect.source,
        "external_id": prospect.external_id or None,
        "lead_activity_id": prospect.lead_activity_id,
        "owner": {"id": owner.pk, "username": owner.username, "display_name": owner.display_name},
        "company": {"id": company.pk, "name": company.name} if company else None,
        "closed_on": _iso(prospect.closed_on),
        "won_amount": _money(prospect.won_amount),
        "lost_reason": prospect.lost_reason or None,
        "competitor": prospect.competitor or None,
        "created_at": _iso(prospect.created_at),
        "updated_at": _iso(prospect.updated_at),
        "version": prospect.version,
    }


def alert_data(alert: Any) -> dict[str, Any]:
    user, team = alert.user, alert.team
    return {
        "id": alert.pk,
        "scope": alert.scope,
        "user": {"id": user.pk, "username": user.username, "display_name": user.display_name}
        if user
        else None,
        "team": {"id": team.pk, "name": team.name} if team else None,
        "rule": alert.rule,
        "current": alert.current,
        "target": alert.target,
        "deficit": alert.deficit,
        "projected_date": _iso(alert.projected_date),
        "opened_at": _iso(alert.opened_at),
        "resolved_at": _iso(alert.resolved_at),
    }
