"""Permission-aware reads of companies and contacts: the directory is shared, the deals are not."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Count, OuterRef, Q, QuerySet, Subquery
from django.http import Http404

from accounts.models import User
from companies.models import Company, Contact
from companies.normalize import normalize_email, normalize_name, normalize_phone
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


# The trigram similarity a company name needs to be offered as a duplicate. pg_trgm's own 0.3 offered
# every "<name>クリニック" for every other one: a shared trade word weighs as much as the name itself.
COMPANY_SIMILARITY_MIN = 0.45


def similar_companies(name: str, *, exclude: int | None = None, limit: int = 5) -> list[Company]:
    """Likely duplicates of a company name (名寄せ), most similar first: the same normalised name, or a
    trigram match on it (pg_trgm's % over the GIN index, then at least COMPANY_SIMILARITY_MIN), with
    their prospect count."""
    from django.contrib.postgres.search import TrigramSimilarity
    from django.db.models import Count, IntegerField, OuterRef, Q, Subquery
    from django.db.models.functions import Coalesce

    from companies.normalize import normalize_name
    from prospects.models import Prospect

    norm = normalize_name(name)
    if not norm:
        return []
    # The prospect count as a subquery of the rows shown, not a join and GROUP BY of every match: with
    # the join PostgreSQL scanned every company to group them instead of using the GIN index (docs/performance.md).
    deals = (
        Prospect.objects.filter(company=OuterRef("pk"))
        .order_by()
        .values("company")
        .annotate(n=Count("pk"))
        .values("n")
    )
    rows = (
        Company.objects.current()
        .filter(Q(name_norm=norm) | Q(name_norm__trigram_similar=norm))
        .annotate(
            similarity=TrigramSimilarity("name_norm", norm),
            deals=Coalesce(Subquery(deals, output_field=IntegerField()), 0),
        )
        .filter(Q(name_norm=norm) | Q(similarity__gte=COMPANY_SIMILARITY_MIN))
        .order_by("-similarity", "pk")
    )
    if exclude is not None:
        rows = rows.exclude(pk=exclude)
    return list(rows[:limit])


def similar_contacts(contact: Contact, *, limit: int = 5) -> list[Contact]:
    """Likely duplicates of a contact: the same normalised name, e-mail or phone, or a close name."""
    from django.contrib.postgres.search import TrigramSimilarity
    from django.db.models import Q

    match = Q(name_norm__trigram_similar=contact.name_norm) | Q(name_norm=contact.name_norm)
    if contact.email_norm:
        match |= Q(email_norm=contact.email_norm)
    if contact.phone_norm:
        match |= Q(phone_norm=contact.phone_norm)
    rows = (
        Contact.objects.current()
        .filter(match)
        .exclude(pk=contact.pk)
        .select_related("company")
        .annotate(similarity=TrigramSimilarity("name_norm", contact.name_norm))
        .order_by("-similarity", "pk")
    )
    return list(rows[:limit])


# 名寄せ's "same customer": the same normalised name, phone (at least this many digits) or e-mail. A name
# that is only similar (ミナト工業 beside ミナト工務店) is another company until a person says otherwise: the
# form lists it among the suggestions, it never stops a save.
LIKELY_MIN_PHONE_DIGITS = 6


def with_deal_summary(rows: QuerySet, prospect_field: str) -> QuerySet:
    """`rows` (companies or contacts) with what the directory shares about their deals, across the firm:
    `deals`, how many prospects they have, and `last_activity`, when the latest activity on any of them
    was done. Neither names a deal, its owner, amount or status (the deals stay private)."""
    from activities.models import Activity, ActivityStatus

    latest = (
        Activity.objects.filter(**{f"prospect__{prospect_field}": OuterRef("pk")}, status=ActivityStatus.DONE)
        .order_by("-done_at")
        .values("done_at")[:1]
    )
    return rows.annotate(deals=Count("prospects", distinct=True), last_activity=Subquery(latest))


def likely_companies(name: str, phone: str = "", *, limit: int = 5) -> list[Company]:
    """The companies a typed name (and phone) most likely is (名寄せ): the same normalised name, or the
    same phone number; with their deal summary (with_deal_summary)."""
    match = Q(name_norm=norm) if (norm := normalize_name(name)) else Q()
    if len(digits := normalize_phone(phone)) >= LIKELY_MIN_PHONE_DIGITS:
        match |= Q(phone_norm=digits)
    if not match:
        return []
    rows = Company.objects.current().filter(match).order_by("name_norm", "pk")
    return list(with_deal_summary(rows, "company")[:limit])


def likely_contacts(
    name: str, email: str = "", phone: str = "", *, company_id: int | None = None, limit: int = 5
) -> list[Contact]:
    """The contacts a typed person most likely is: the same normalised name at the same company (or
    without one), the same e-mail, or the same phone number; with their deal summary."""
    match = Q()
    if norm := normalize_name(name):
        match |= Q(name_norm=norm, company_id=company_id)
    if mail := normalize_email(email):
        match |= Q(email_norm=mail)
    if len(digits := normalize_phone(phone)) >= LIKELY_MIN_PHONE_DIGITS:
        match |= Q(phone_norm=digits)
    if not match:
        return []
    rows = Contact.objects.current().filter(match).select_related("company").order_by("name_norm", "pk")
    return list(with_deal_summary(rows, "contact")[:limit])


def deals_timeline_page(user: User, field: str, pk: int, page: object = 1) -> Any:
    """A page of the timeline of a company's or contact's prospects (`field`: "company" or "contact")
    that `user` may see: their activities and test closings, newest first, each naming its prospect.
    Each source is read as far as the page reaches (two queries whatever the history's length)."""
    from activities.models import Activity
    from activities.selectors.timeline import (
        TIMELINE_MAX_PAGE,
        TIMELINE_PAGE_SIZE,
        TimelineItem,
        TimelinePage,
    )
    from closing.models import TestClosing
    from salescrm.lib.params import parse_page

    number = min(parse_page(page), TIMELINE_MAX_PAGE)
    reach = number * TIMELINE_PAGE_SIZE
    of_deals = {f"prospect__{field}_id": pk}
    activities = list(
        Activity.objects.visible_to(user)
        .filter(**of_deals)
        .select_related("kind", "owner", "prospect")
        .order_by("-starts_at", "-id")[: reach + 1]
    )
    closings = list(
        TestClosing.objects.visible_to(user)
        .filter(**of_deals)
        .select_related("asked_by", "prospect")
        .order_by("-asked_at", "-id")[: reach + 1]
    )
    merged = [TimelineItem(a.starts_at, "activity", a) for a in activities]
    merged += [TimelineItem(tc.asked_at, "test_closing", tc) for tc in closings]
    merged.sort(key=lambda entry: entry.at, reverse=True)
    return TimelinePage(
        items=merged[(number - 1) * TIMELINE_PAGE_SIZE : reach],
        number=number,
        has_older=len(merged) > reach and number < TIMELINE_MAX_PAGE,
    )
