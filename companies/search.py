"""The one search box (#19): companies, contacts and prospects from any part of a name, its furigana, a
phone number or an e-mail, in any mix of kana, width and legal form, ranked by trigram similarity over
the normalised columns (pg_trgm's GIN indexes), among what the user may see."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.contrib.postgres.search import TrigramWordSimilarity
from django.db.models import Q, QuerySet
from django.db.models.functions import Greatest

from accounts.models import User
from companies.models import Company, Contact
from companies.normalize import normalize_email, normalize_kana, normalize_name, normalize_phone
from prospects.models import Prospect

LIMIT = 10
MIN_PHONE_DIGITS = 4


@dataclass
class Results:
    companies: list[Company] = field(default_factory=list)
    contacts: list[Contact] = field(default_factory=list)
    prospects: list[Prospect] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not (self.companies or self.contacts or self.prospects)


def _match(query: str, prefix: str = "", *, email: bool = False) -> tuple[Q, str]:
    """The filter of one record kind's normalised columns (under `prefix`), and the text ranked on."""
    name, kana = normalize_name(query), normalize_kana(query)
    match = Q()
    if name:
        match |= Q(**{f"{prefix}name_norm__contains": name})
    if kana:
        match |= Q(**{f"{prefix}furigana_norm__contains": kana})
    if len(digits := normalize_phone(query)) >= MIN_PHONE_DIGITS:
        match |= Q(**{f"{prefix}phone_norm__contains": digits})
    if email and "@" in query:
        match |= Q(**{f"{prefix}email_norm__contains": normalize_email(query)})
    return match, name or kana


def _ranked(rows: QuerySet, text: str, *columns: str) -> QuerySet:
    scores = [TrigramWordSimilarity(text, c) for c in columns]
    return rows.annotate(rank=Greatest(*scores) if len(scores) > 1 else scores[0]).order_by("-rank", "pk")


def prospect_match_q(query: str) -> Q:
    """The prospects a search text finds: their company's or contact's normalised name, furigana, phone or
    e-mail (名寄せ's matching), or their own name or contact person as typed."""
    query = query.strip()
    match = Q(name__icontains=query) | Q(contact_person__icontains=query)
    return match | _match(query, "company__")[0] | _match(query, "contact__", email=True)[0]


def _searchable(query: str) -> tuple[str, str] | None:
    """(stripped query, text ranked on), or None for a text that finds nothing."""
    query = query.strip()
    company_q, text = _match(query)
    if not company_q or (not text and not normalize_phone(query)):
        return None
    return query, text or normalize_phone(query)


def search_companies(user: User, query: str, *, limit: int = LIMIT) -> QuerySet[Company]:
    """The companies a search text finds, best first (the top bar's and the prospect form's pickers)."""
    if (searchable := _searchable(query)) is None:
        return Company.objects.none()
    query, text = searchable
    rows = Company.objects.visible_to(user).current().filter(_match(query)[0])
    return _ranked(rows, text, "name_norm", "furigana_norm")[:limit]


def search_contacts(user: User, query: str, *, limit: int = LIMIT) -> QuerySet[Contact]:
    if (searchable := _searchable(query)) is None:
        return Contact.objects.none()
    query, text = searchable
    rows = Contact.objects.visible_to(user).current().filter(_match(query, email=True)[0])
    return _ranked(rows.select_related("company"), text, "name_norm", "furigana_norm")[:limit]


def search(user: User, query: str, *, limit: int = LIMIT) -> Results:
    if (searchable := _searchable(query)) is None:
        return Results()
    query, text = searchable
    prospects = _ranked(
        Prospect.objects.visible_to(user).filter(prospect_match_q(query)).select_related("owner", "company"),
        text,
        "company__name_norm",
    )
    return Results(
        list(search_companies(user, query, limit=limit)),
        list(search_contacts(user, query, limit=limit)),
        list(prospects[:limit]),
    )
