"""Every id, page number, scope key and cursor part read from a URL, a query string or a POST: one parser.

`str.isdigit()` accepts '²' and '①', which `int()` then refuses (a 500), and `int()` itself accepts
full-width and Arabic-Indic digits. Only ASCII digits pass here, bounded to a bigint column, so a value either names a
row that may exist or is refused: `parse_id` answers 404 (ids never leak), `parse_int` answers 400,
`parse_page` falls back to the first page.
"""

from __future__ import annotations

import re

from django.core.exceptions import BadRequest
from django.http import Http404

BIGINT_MAX = 2**63 - 1
_ASCII_DIGITS = re.compile(r"[0-9]{1,19}")


class BadParameter(BadRequest):
    """A malformed query or form parameter: Django answers 400 with the 400 page."""


def int_or_none(value: object, *, minimum: int = 0, maximum: int = BIGINT_MAX) -> int | None:
    """`value` as an int when it is ASCII digits only (no sign, no spaces) within [minimum, maximum]."""
    if isinstance(value, int) and not isinstance(value, bool):
        number = value
    elif isinstance(value, str) and _ASCII_DIGITS.fullmatch(value):
        number = int(value)
    else:
        return None
    return number if minimum <= number <= maximum else None


def parse_id(value: object) -> int:
    """A row id from a URL or parameter; 404 for anything no row can have."""
    number = int_or_none(value, minimum=1)
    if number is None:
        raise Http404
    return number


def parse_int(value: object, *, name: str, minimum: int = 0, maximum: int = BIGINT_MAX) -> int:
    """A number a request must carry well-formed; 400 naming the parameter otherwise."""
    number = int_or_none(value, minimum=minimum, maximum=maximum)
    if number is None:
        raise BadParameter(f"{name}: expected a whole number from {minimum} to {maximum}")
    return number


def parse_page(value: object, *, default: int = 1) -> int:
    """A page number for Paginator.get_page: a missing or malformed one (other digits, a sign, an
    exponent) is the first page, as Django's paginator itself answers; a large one is capped (the
    paginator then shows the last page)."""
    number = int_or_none(value)
    if number is None or number < 1:
        return default
    return min(number, 10**9)


def parse_key(text: str, kinds: tuple[str, ...]) -> tuple[str, int] | None:
    """'user-5' / 'team-3' -> ('user', 5) when the kind is one of `kinds`; None when malformed."""
    kind, _sep, pk = text.partition("-")
    number = int_or_none(pk, minimum=1)
    if kind not in kinds or number is None:
        return None
    return kind, number
