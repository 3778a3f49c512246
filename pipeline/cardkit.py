"""What the board cards of one response share, computed once per response: the URL patterns of a
card's links and forms. The cards themselves are pipeline/_board_card.html."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from django.http import HttpRequest
from django.urls import get_script_prefix, get_urlconf, reverse

_PK = 987654321  # a placeholder id: each pattern is reversed once, then filled with a card's id
_NAMES = {
    "detail": "prospects:detail",
    "move": "pipeline:move",
    "edit": "pipeline:card_edit",
    "test_closing": "closing:test_closing_log",
    "won": "closing:won",
    "lost": "closing:lost",
}


@dataclass(frozen=True)
class CardKit:
    """Build it with ``CardKit.for_request``; ``urls(pk)`` gives one card's URLs."""

    patterns: tuple[tuple[str, str, str], ...]  # (key, before the id, after the id)

    def urls(self, pk: int) -> dict[str, str]:
        return {key: f"{before}{int(pk)}{after}" for key, before, after in self.patterns}

    @classmethod
    def for_request(cls, request: HttpRequest) -> CardKit:
        """One kit per request (kept on the request): URLs do not depend on the language here."""
        kit = getattr(request, "_card_kit", None)
        if kit is None:
            kit = request._card_kit = _kit(get_script_prefix(), get_urlconf())
        return kit


@lru_cache(maxsize=8)
def _kit(script_prefix: str, urlconf: str | None) -> CardKit:
    patterns = []
    for key, name in _NAMES.items():
        before, _sep, after = reverse(name, args=[_PK]).partition(str(_PK))
        patterns.append((key, before, after))
    return CardKit(tuple(patterns))
