"""The public endpoint's protection, with no outside service (docs in README, "Web inquiry form").

A cross-origin form cannot carry our CSRF token, and it needs none: it acts for no signed-in user
(no cookie is read or set). What stands in for it:
- the fill-time token: signed with django.core.signing (the form's id and the time it was handed
  out); missing, forged or older than INBOUND_TOKEN_MAX_AGE is refused (400), younger than
  INBOUND_MIN_FILL_SECONDS is a bot: answered like a success, nothing saved;
- a honeypot field hidden from people: filled in, answered like a success, nothing saved;
- a per-address rate limit counted in PostgreSQL (SubmissionCounter), keyed on an HMAC of the address;
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
from django.db import IntegrityError, transaction
from django.db.models import F
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
    """Count one submission from `key` in the current fixed window; True when that makes more than
    INBOUND_RATE_LIMIT in it. The UPDATE ... count + 1 is atomic, so concurrent submissions from one
    address cannot all slip under the limit."""
    now = now or timezone.now()
    window = settings.INBOUND_RATE_WINDOW_SECONDS
    start = dt.datetime.fromtimestamp(int(now.timestamp()) // window * window, tz=dt.UTC)
    rows = SubmissionCounter.objects.filter(address_hash=key, window_start=start)
    # The common case, an address's first submission of the window, is one UPDATE (no row) and one
    # INSERT; a concurrent first one loses the INSERT race and counts with the UPDATE again.
    if rows.update(count=F("count") + 1):
        return rows.values_list("count", flat=True).get() > settings.INBOUND_RATE_LIMIT
    try:
        with transaction.atomic():
            SubmissionCounter.objects.create(address_hash=key, window_start=start, count=1)
        count = 1
    except IntegrityError:
        rows.update(count=F("count") + 1)
        count = rows.values_list("count", flat=True).get()
    return count > settings.INBOUND_RATE_LIMIT


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
