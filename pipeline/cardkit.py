"""What the board cards (and the month list's rows) of one response share, computed once per response: the URL patterns of a
card's links and forms, its labels in the response's language and the CSRF field. The cards themselves
are pipeline/jinja2/pipeline/_board_cards.html."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache

from django.http import HttpRequest
from django.middleware.csrf import get_token
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils.translation import get_language, gettext, gettext_noop

from prospects.models import Horizon

_PK = 987654321  # a placeholder id: each pattern is reversed once, then filled with a card's id
_NAMES = {
    "detail": "prospects:detail",
    "move": "pipeline:move",
    "edit": "pipeline:card_edit",
    "test_closing": "closing:test_closing_log",
    "won": "closing:won",
    "lost": "closing:lost",
}


# The cards' and rows' fixed words: translated once per response, not once per card.
_LABELS = {
    "needs_attention": gettext_noop("Needs attention"),
    "amount": gettext_noop("Amount"),
    "probability": gettext_noop("Probability"),
    "expected_month": gettext_noop("Expected month"),
    "passed": gettext_noop("Passed"),
    "next_activity": gettext_noop("Next action"),
    "overdue": gettext_noop("Overdue"),
    "last_change": gettext_noop("Last change"),
    "move_to": gettext_noop("Move to"),
    "move": gettext_noop("Move"),
    "quick_edit": gettext_noop("Quick edit"),
    "pinned": gettext_noop("Just changed: shown here after the column's first cards."),
    "log_test_closing": gettext_noop("Log test closing"),
    "test_closing": gettext_noop("Test closing"),
    "won": gettext_noop("Won"),
    "lost": gettext_noop("Lost"),
    # The month list's rows (pipeline/jinja2/pipeline/_month_rows.html).
    "owner": gettext_noop("Owner"),
    "prospect": gettext_noop("Prospect"),
    "source": gettext_noop("Source"),
    "weighted": gettext_noop("Weighted amount"),
    "last_test_closing": gettext_noop("Last test closing"),
    "no_month": gettext_noop("short term, no month"),
    "nothing_planned": gettext_noop("Nothing planned"),
}


@dataclass(frozen=True)
class CardKit:
    """Build it with ``CardKit.for_request``; ``urls(pk)`` gives one card's URLs."""

    patterns: tuple[tuple[str, str, str], ...]  # (key, before the id, after the id)
    csrf_token: str = ""
    labels: dict[str, str] = field(default_factory=dict)
    horizons: tuple[tuple[str, str], ...] = ()

    def urls(self, pk: int) -> dict[str, str]:
        return {key: f"{before}{int(pk)}{after}" for key, before, after in self.patterns}

    @classmethod
    def for_request(cls, request: HttpRequest) -> CardKit:
        """One kit per request and language (kept on the request)."""
        kits = request.__dict__.setdefault("_card_kits", {})
        language = get_language()
        if language not in kits:
            kits[language] = cls(
                patterns=_patterns(get_script_prefix(), get_urlconf()),
                # One masked token for every card's form: Django masks a new one on each call.
                csrf_token=get_token(request),
                labels={key: gettext(text) for key, text in _LABELS.items()},
                horizons=tuple((code, str(label)) for code, label in Horizon.choices),
            )
        return kits[language]


@lru_cache(maxsize=8)
def _patterns(script_prefix: str, urlconf: str | None) -> tuple[tuple[str, str, str], ...]:
    patterns = []
    for key, name in _NAMES.items():
        before, _sep, after = reverse(name, args=[_PK]).partition(str(_PK))
        patterns.append((key, before, after))
    return tuple(patterns)
