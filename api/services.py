"""Personal API tokens: create, revoke, and check one on each request (with its rate limit)."""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Case, F, Q, Value, When
from django.utils import timezone

from accounts.models import User
from api.models import ApiToken, TokenScope

TOKEN_PREFIX = "scrm"  # scrm_<8 hex>_<secret>: recognisable in a leaked-secret scan


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def token_create(*, user: User, name: str, scope: str = TokenScope.READ) -> tuple[ApiToken, str]:
    """A new token of `user`; returns the row and the token text, which is shown once and never again
    (only its hash is kept)."""
    prefix = secrets.token_hex(4)
    secret = secrets.token_urlsafe(32)
    token = ApiToken(user=user, name=name.strip(), scope=scope, prefix=prefix, secret_hash=_digest(secret))
    token.full_clean(validate_constraints=False)
    token.save()
    return token, f"{TOKEN_PREFIX}_{prefix}_{secret}"


def token_revoke(*, token: ApiToken) -> ApiToken:
    """Revoked at once: every request reads the row, nothing caches it."""
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
    return token


def user_tokens(user: User):
    return ApiToken.objects.filter(user=user)


@dataclass
class RateLimited(Exception):
    retry_after: int  # seconds until the window ends


def _parse(text: str) -> tuple[str, str] | None:
    if not isinstance(text, str) or len(text) > 200:
        return None
    head, _sep, rest = text.partition("_")
    prefix, _sep, secret = rest.partition("_")
    if head != TOKEN_PREFIX or len(prefix) != 8 or not secret:
        return None
    return prefix, secret


def token_authenticate(text: str, *, now: float | None = None) -> ApiToken | None:
    """The active token (of an active user) that `text` is, with its user, counted against its rate
    limit; None when it is no such token. Raises RateLimited when its window is used up.

    Two queries: the lookup by prefix, and one UPDATE that records the use and counts the request in
    the current fixed window, only while the window has room and the token is not revoked."""
    parsed = _parse(text)
    if parsed is None:
        return None
    prefix, secret = parsed
    token = (
        ApiToken.objects.active().select_related("user").filter(prefix=prefix, user__is_active=True).first()
    )
    if token is None or not hmac.compare_digest(token.secret_hash, _digest(secret)):
        return None
    now = time.time() if now is None else now
    window_seconds = settings.API_RATE_WINDOW_SECONDS
    window = int(now) - int(now) % window_seconds
    counted = (
        ApiToken.objects.active()
        .filter(pk=token.pk)
        .filter(~Q(window_start=window) | Q(window_count__lt=settings.API_RATE_LIMIT))
        .update(
            last_used_at=timezone.now(),
            # PostgreSQL evaluates every SET expression on the old row: the CASE sees the old window.
            window_count=Case(When(window_start=window, then=F("window_count") + 1), default=Value(1)),
            window_start=window,
        )
    )
    if counted == 0:
        if not ApiToken.objects.active().filter(pk=token.pk).exists():
            return None  # revoked between the two queries
        raise RateLimited(retry_after=max(1, window + window_seconds - int(now)))
    return token
