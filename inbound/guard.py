"""The public endpoint's protection, with no outside service (docs in README, "Web inquiry form").

A cross-origin form cannot carry our CSRF token, and it needs none: it acts for no signed-in user
(no cookie is read or set). What stands in for it:
- the fill-time token: signed with django.core.signing (the form's id and the time it was handed
  out); missing, forged or older than INBOUND_TOKEN_MAX_AGE is refused (400), younger than
  INBOUND_MIN_FILL_SECONDS is a bot: answered like a success, nothing saved;
- a honeypot field hidden from people: filled in, answered like a success, nothing saved;
- a per-address rate limit counted in PostgreSQL (SubmissionCounter), keyed on an HMAC of the address
  (the count stops at the limit: refused submissions are not counted);
- size limits: the body (INBOUND_MAX_BODY_BYTES) before it is parsed, then every field;
- the Origin: a browser's cross-origin POST names its site, and only the form's allowed sites (and
  this site itself) may send it; the CORS headers are sent to those sites only.
"""

from __future__ import annotations

import datetime as dt
import time
from enum import Enum

from django.conf import settings
from django.core import signing
from django.db import connection
from django.http import HttpRequest
from django.utils import timezone
from django.utils.crypto import salted_hmac

from inbound.models import InquiryForm, SubmissionCounter

TOKEN_SALT = "inbound.fill-time"
TOKEN_MAX_CHARS = 200
HONEYPOT = "website"  # a name bots like to fill in; hidden from people by the form's CSS


class TokenCheck(Enum):
    OK = "ok"
    INVALID = "invalid"  # missing, forged, for another form, or too old
    TOO_FAST = "too_fast"


def fill_token(form: InquiryForm, *, now: float | None = None) -> str:
    """The token a form page (or the embed script) carries: which form, handed out when."""
    return signing.dumps(
        {"f": form.pk, "t": round(now if now is not None else time.time(), 2)}, salt=TOKEN_SALT
    )


def token_check(form: InquiryForm, token: str, *, now: float | None = None) -> TokenCheck:
    now = now if now is not None else time.time()
    if not token or len(token) > TOKEN_MAX_CHARS:
        return TokenCheck.INVALID
    try:
        value = signing.loads(token, salt=TOKEN_SALT, max_age=settings.INBOUND_TOKEN_MAX_AGE)
    except signing.BadSignature:  # SignatureExpired included
        return TokenCheck.INVALID
    if (
        not isinstance(value, dict)
        or value.get("f") != form.pk
        or not isinstance(value.get("t"), int | float)
    ):
        return TokenCheck.INVALID
    if now - value["t"] < settings.INBOUND_MIN_FILL_SECONDS:
        return TokenCheck.TOO_FAST
    return TokenCheck.OK


def client_address(request: HttpRequest) -> str:
    """The sender's address: behind the reverse proxy (DJANGO_BEHIND_PROXY), the last X-Forwarded-For
    entry (the one the proxy appended); else the socket's."""
    if settings.INBOUND_TRUST_FORWARDED_FOR:
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        last = forwarded.rsplit(",", 1)[-1].strip()
        if last:
            return last[:64]
    return request.META.get("REMOTE_ADDR", "")[:64]


def address_hash(address: str) -> str:
    """A keyed hash: the limit needs to tell addresses apart, not to keep them."""
    return salted_hmac("inbound.address", address, algorithm="sha256").hexdigest()


def rate_limited(key: str, *, now: dt.datetime | None = None) -> bool:
    """Count one submission from `key` in the current fixed window; True (and not counted) when the
    window holds INBOUND_RATE_LIMIT already."""
    now = now or timezone.now()
    window = settings.INBOUND_RATE_WINDOW_SECONDS
    start = dt.datetime.fromtimestamp(int(now.timestamp()) // window * window, tz=dt.UTC)
    limit = settings.INBOUND_RATE_LIMIT
    if limit < 1:
        return True
    return _count_submission(key, start, limit) is None


def _count_submission(key: str, start: dt.datetime, limit: int) -> int | None:
    """The window's count after this submission, or None when it was at `limit`: one statement, the
    window's first submission an INSERT, the next ones its ON CONFLICT conditional UPDATE, which
    PostgreSQL applies to the row as committed, so concurrent submissions cannot slip past the limit
    (tests/inbound/test_queries.py). The ORM has no ON CONFLICT ... DO UPDATE with an expression."""
    opts = SubmissionCounter._meta
    q = connection.ops.quote_name
    table = q(opts.db_table)
    address, window, count = (
        q(opts.get_field(name).column) for name in ("address_hash", "window_start", "count")
    )
    sql = (
        f"INSERT INTO {table} ({address}, {window}, {count}) VALUES (%(key)s, %(start)s, 1) "
        f"ON CONFLICT ({address}, {window}) DO UPDATE SET {count} = {table}.{count} + 1 "
        f"WHERE {table}.{count} < %(limit)s RETURNING {count}"
    )
    # Raw SQL: INSERT ... ON CONFLICT DO UPDATE with a condition and RETURNING, which the ORM cannot write.
    with connection.cursor() as cursor:
        cursor.execute(sql, {"key": key, "start": start, "limit": limit})
        row = cursor.fetchone()
    return row[0] if row else None


def counters_prune(*, now: dt.datetime | None = None) -> int:
    """Drop the windows that ended: they limit nothing any more."""
    now = now or timezone.now()
    cutoff = now - dt.timedelta(seconds=settings.INBOUND_RATE_WINDOW_SECONDS * 2)
    deleted, _ = SubmissionCounter.objects.filter(window_start__lt=cutoff).delete()
    return deleted


def own_origin(request: HttpRequest) -> str:
    return f"{request.scheme}://{request.get_host()}"


def origin_allowed(form: InquiryForm, origin: str | None, request: HttpRequest) -> bool:
    """No Origin header (not a browser's cross-origin request) passes to the other checks; a browser's
    must be this site or one the admin allowed."""
    if origin is None:
        return True
    return origin == own_origin(request) or origin in form.origins


def cors_origin(form: InquiryForm, origin: str | None) -> str | None:
    """The origin to name in Access-Control-Allow-Origin: an allowed embedding site only."""
    return origin if origin and origin in form.origins else None
