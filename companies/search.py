"""The one search box (#19): companies, contacts and prospects from any part of a name, its furigana, a
phone number or an e-mail, in any mix of kana, width and legal form, ranked by trigram similarity over
the normalised columns (pg_trgm's GIN indexes), among what the user may see."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.contrib.postgres.search import TrigramWordSimilarity
from django.db import connections
from django.db.models import Q, QuerySet
from django.db.models.functions import Greatest

from accounts.models import User
from companies.models import Company, Contact
from companies.normalize import normalize_email, normalize_kana, normalize_name, normalize_phone
from companies.selectors import with_deal_summary
from prospects.models import Prospect

LIMIT = 10
MIN_PHONE_DIGITS = 4
# A ranked text this short is a stem that many names contain: of its matches, only those where it starts
# a word are close (pg_trgm's `%>`, word similarity at least its word_similarity_threshold, 0.6), so
# reading the close ones from the GIN index skips ranking the rest. A longer text that ends a word is
# close already (3 of its 5 trigrams at 4 characters): there the close filter narrows nothing and costs.
STEM_MAX_CHARS = 3


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


@dataclass
class _Kind:
    """One kind of record a search reads: its matching rows, the columns they rank on, and the rows
    that rank NULL (first: PostgreSQL sorts NULL first in descending order)."""

    rows: QuerySet
    columns: tuple[str, ...]
    unranked: QuerySet | None = None

    def close(self, text: str) -> Q:
        """Word similarity at least pg_trgm.word_similarity_threshold on a column: every close row ranks
        above every other one, whatever the threshold."""
        match = Q()
        for column in self.columns:
            match |= Q(**{f"{column}__trigram_word_similar": text})
        return match


def _read(kinds: list[_Kind], text: str, limit: int) -> list[list]:
    """Each kind's first `limit` rows in _ranked's order. For a stem, one query first asks each kind
    whether its close rows fill the page (and none ranks NULL): those kinds read only their close rows."""
    filled = [False] * len(kinds)
    if len(text) <= STEM_MAX_CHARS:
        checks, params = [], []
        for kind in kinds:
            page = kind.rows.filter(kind.close(text)).order_by().values("pk")[limit - 1 : limit]
            sql, page_params = page.query.sql_with_params()
            check, params = f"EXISTS({sql})", [*params, *page_params]
            if kind.unranked is not None:
                sql, unranked_params = kind.unranked.order_by().values("pk")[:1].query.sql_with_params()
                check, params = f"{check} AND NOT EXISTS({sql})", [*params, *unranked_params]
            checks.append(check)
        # Raw SQL: one SELECT of the kinds' EXISTS checks (the ORM's own SQL), which needs no table to read.
        with connections[kinds[0].rows.db].cursor() as cursor:
            cursor.execute(f"SELECT {', '.join(checks)}", params)
            filled = list(cursor.fetchone())
    return [
        list(_ranked(kind.rows.filter(kind.close(text)) if full else kind.rows, text, *kind.columns)[:limit])
        for kind, full in zip(kinds, filled, strict=True)
    ]


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


def _companies(user: User, query: str, *, deals: bool = False) -> _Kind:
    rows = Company.objects.visible_to(user).current().filter(_match(query)[0])
    return _Kind(with_deal_summary(rows, "company") if deals else rows, ("name_norm", "furigana_norm"))


def _contacts(user: User, query: str, *, deals: bool = False) -> _Kind:
    rows = Contact.objects.visible_to(user).current().filter(_match(query, email=True)[0])
    rows = rows.select_related("company")
    return _Kind(with_deal_summary(rows, "contact") if deals else rows, ("name_norm", "furigana_norm"))


def search_companies(user: User, query: str, *, limit: int = LIMIT, deals: bool = False) -> list[Company]:
    """The companies a search text finds, best first (the top bar's and the prospect form's pickers); with
    `deals`, each with what the directory shares of its deals (companies.selectors.with_deal_summary)."""
    if (searchable := _searchable(query)) is None:
        return []
    query, text = searchable
    return _read([_companies(user, query, deals=deals)], text, limit)[0]


def search_contacts(user: User, query: str, *, limit: int = LIMIT, deals: bool = False) -> list[Contact]:
    if (searchable := _searchable(query)) is None:
        return []
    query, text = searchable
    return _read([_contacts(user, query, deals=deals)], text, limit)[0]


def search(user: User, query: str, *, limit: int = LIMIT) -> Results:
    if (searchable := _searchable(query)) is None:
        return Results()
    query, text = searchable
    prospects = Prospect.objects.visible_to(user).filter(prospect_match_q(query))
    prospects = _Kind(
        prospects.select_related("owner", "company"),
        ("company__name_norm",),
        unranked=prospects.filter(company__isnull=True),
    )
    return Results(*_read([_companies(user, query), _contacts(user, query), prospects], text, limit))
