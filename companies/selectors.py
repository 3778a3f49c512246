"""Permission-aware reads of companies and contacts: the directory is shared, the deals are not."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import QuerySet
from django.http import Http404

from accounts.models import User
from companies.models import Company, Contact
from prospects.models import Prospect, Status
from salescrm.lib.params import parse_id


def access_company(user: User, pk: Any) -> Company:
    """The company if `user` may see it (Company.objects.visible_to); 404 otherwise, malformed ids too."""
    try:
        return Company.objects.visible_to(user).get(pk=parse_id(pk))
    except Company.DoesNotExist:
        raise Http404 from None


def access_contact(user: User, pk: Any) -> Contact:
    try:
        return Contact.objects.visible_to(user).select_related("company").get(pk=parse_id(pk))
    except Contact.DoesNotExist:
        raise Http404 from None


@dataclass
class Deals:
    """A company's or contact's prospects that the viewer may see, by status, with their totals."""

    open: list[Prospect] = field(default_factory=list)
    won: list[Prospect] = field(default_factory=list)
    lost: list[Prospect] = field(default_factory=list)

    @property
    def open_amount(self) -> Decimal:
        return sum((p.amount for p in self.open), Decimal(0))

    @property
    def won_amount(self) -> Decimal:
        return sum((p.won_amount or p.amount for p in self.won), Decimal(0))

    @property
    def count(self) -> int:
        return len(self.open) + len(self.won) + len(self.lost)


def visible_deals(user: User, prospects: QuerySet[Prospect]) -> Deals:
    """`prospects` (a company's or a contact's) cut to what `user` may see, newest first, in one query."""
    deals = Deals()
    rows = prospects.visible_to(user).select_related("owner", "contact").order_by("-updated_at", "-id")
    for prospect in rows:
        {Status.OPEN: deals.open, Status.WON: deals.won, Status.LOST: deals.lost}[prospect.status].append(
            prospect
        )
    return deals
