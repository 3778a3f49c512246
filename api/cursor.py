"""Cursor pagination (keyset): a page is "the rows after this one in this order", so rows inserted or
deleted elsewhere never shift or repeat the next page (an offset would).

The cursor is opaque: the ordering's values of the last row sent, signed (a changed cursor is a 400,
never a query with a forged value)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.core import signing
from django.db.models import F, Q, QuerySet
from django.utils.translation import gettext as _

from salescrm.lib.params import parse_int

SALT = "api.cursor"
DEFAULT_LIMIT = 25
MAX_LIMIT = 100


def parse_limit(value: object) -> int:
    """The page size asked for (1..MAX_LIMIT), DEFAULT_LIMIT when absent; 400 otherwise."""
    if value is None:
        return DEFAULT_LIMIT
    return parse_int(value, name="limit", minimum=1, maximum=MAX_LIMIT)


def _encode(value: Any) -> Any:
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def _after_q(ordering: tuple[str, ...], values: list[Any]) -> Q:
    """The rows strictly after `values` in `ordering` (PostgreSQL's default: NULLs last ascending,
    first descending). The last field of every ordering is a unique id, so the order is total."""
    after = Q(pk__in=[])
    same = Q()
    for name, value in zip(ordering, values, strict=True):
        descending = name.startswith("-")
        field = name.lstrip("-")
        if value is None:
            later = Q(**{f"{field}__isnull": False}) if descending else Q(pk__in=[])
            equal = Q(**{f"{field}__isnull": True})
        else:
            later = Q(**{f"{field}__lt" if descending else f"{field}__gt": value})
            if not descending:
                later |= Q(**{f"{field}__isnull": True})
            equal = Q(**{field: value})
        after |= same & later
        same &= equal
    return after


def paginate(qs: QuerySet, ordering: tuple[str, ...], *, cursor: str | None, limit: int, key: str = ""):
    """(rows, next_cursor): `limit` rows of `qs` in `ordering` after `cursor`; next_cursor is None on
    the last page. `key` names the ordering (a cursor made for another one is refused)."""
    if cursor:
        try:
            data = signing.loads(cursor, salt=SALT)
        except signing.BadSignature:
            raise_bad_cursor()
        if not isinstance(data, dict) or data.get("k") != key or len(data.get("v", ())) != len(ordering):
            raise_bad_cursor()
        qs = qs.filter(_after_q(ordering, data["v"]))
    # The ordering values ride along as annotations: a list query that loads only its columns
    # would otherwise read a deferred one (updated_at) again for the last row.
    keys = {f"cursor_{i}": F(name.lstrip("-")) for i, name in enumerate(ordering)}
    rows = list(qs.annotate(**keys).order_by(*ordering)[: limit + 1])
    if len(rows) <= limit:
        return rows, None
    rows = rows[:limit]
    last = rows[-1]
    values = [_encode(getattr(last, key)) for key in keys]
    return rows, signing.dumps({"k": key, "v": values}, salt=SALT, compress=True)


def raise_bad_cursor():
    from salescrm.lib.params import BadParameter

    raise BadParameter(_("cursor: not a cursor this list gave out"))
