"""The repeated parts of the pipeline pages, rendered in Python: the board card and the row of the
"might buy this month" list.

A board shows up to 3 x BOARD_CARDS_PER_COLUMN cards and the month list a page of rows. Through the
template engine one card cost about 1.4 ms (twelve ``{% url %}`` reversals, twenty ``{% translate %}``
tags, a CSRF token and an include each) and one list row about 0.8 ms, which made the board 14x and the
list 35x the benchmark's baseline page. Here everything the repeated parts share (URL patterns, labels,
the CSRF field, the horizon options) is computed once per response in a ``CardKit`` and each card or
row is one f-string: the same markup for a fraction of the cost.

The board renders a column's cards with ``{% board_cards col.cards %}``; ``pipeline/_card.html`` (the
move and edit responses) renders the quick-edit form, and otherwise one card through
``{% board_card prospect %}``, so every card comes from ``render_card``. The month list's rows come from
``{% month_rows data.rows %}``.
"""

from __future__ import annotations

import html
from dataclasses import dataclass, field
from functools import lru_cache
from typing import TYPE_CHECKING

from django.http import HttpRequest
from django.middleware.csrf import get_token
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import Truncator
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from closing.models import Reading
from prospects.models import Horizon, Prospect, Source
from salescrm.templatetags.crm import format_money, format_month, format_short_date

if TYPE_CHECKING:
    from pipeline.selectors import ProspectRow

_PK = 987654321  # a placeholder id: reversed once, then replaced by each card's id


def _url_pattern(name: str) -> str:
    return reverse(name, args=[_PK]).replace(str(_PK), "{pk}")


@dataclass(frozen=True)
class CardKit:
    """What the cards of one response share; build it with ``CardKit.for_request``."""

    viewer_id: int | None
    csrf_input: SafeString
    detail_url: str
    move_url: str
    edit_url: str
    test_closing_url: str
    won_url: str
    lost_url: str
    horizons: tuple[tuple[str, str], ...]
    sources: dict[str, str]
    readings: dict[str, str]
    labels: dict[str, str]
    language: str = ""
    # Memos of this response's repeated markup (the move menus): many cards share them.
    memo: dict = field(default_factory=dict, compare=False)

    def options(self, horizon: str) -> str:
        """The move menu's <option>s with `horizon` selected (built once per response and horizon)."""
        key = ("options", horizon)
        html_ = self.memo.get(key)
        if html_ is None:
            html_ = self.memo[key] = "".join(
                f'<option value="{code}"{" selected" if code == horizon else ""}>{label}</option>'
                for code, label in self.horizons
            )
        return html_

    def text(self, kind: str, value: object) -> str:
        """The escaped display text of `value` (a date, a month, a count, a rank, a name): formatted
        once per process and language for each distinct value (they are pure functions of both)."""
        return _formatted(self.language, kind, value)

    @classmethod
    def for_request(cls, request: HttpRequest) -> CardKit:
        """One kit per request and language (kept on the request)."""
        from django.utils.translation import get_language

        cache = request.__dict__.setdefault("_card_kits", {})
        language = get_language()
        if language not in cache:
            cache[language] = cls._build(request)
        return cache[language]

    @classmethod
    def _build(cls, request: HttpRequest) -> CardKit:
        from django.urls import get_script_prefix, get_urlconf
        from django.utils.translation import get_language

        user = getattr(request, "user", None)
        token = get_token(request)
        language = get_language()
        return cls(
            viewer_id=getattr(user, "pk", None),
            csrf_input=format_html('<input type="hidden" name="csrfmiddlewaretoken" value="{}">', token),
            language=language,
            **_shared_parts(language, get_script_prefix(), get_urlconf()),
        )


@lru_cache(maxsize=16)
def _shared_parts(language: str, script_prefix: str, urlconf: str | None) -> dict:
    """What every kit of a language shares: URL patterns, escaped labels and choices (built once per
    process, language and URL configuration)."""
    return dict(
        detail_url=_url_pattern("prospects:detail"),
        move_url=_url_pattern("pipeline:move"),
        edit_url=_url_pattern("pipeline:card_edit"),
        test_closing_url=_url_pattern("closing:test_closing_log"),
        won_url=_url_pattern("closing:won"),
        lost_url=_url_pattern("closing:lost"),
        horizons=tuple((_esc(code), _esc(label)) for code, label in Horizon.choices),
        sources={code: _esc(label) for code, label in Source.choices},
        readings={code: _esc(label) for code, label in Reading.choices},
        labels={
            key: _esc(text)
            for key, text in {
                "needs_attention": _("Needs attention"),
                "amount": _("Amount"),
                "probability": _("Probability"),
                "expected_month": _("Expected month"),
                "passed": _("Passed"),
                "next_action": _("Next action"),
                "overdue": _("Overdue"),
                "last_change": _("Last change"),
                "move_to": _("Move to"),
                "move": _("Move"),
                "quick_edit": _("Quick edit"),
                "log_test_closing": _("Log test closing"),
                "test_closing": _("Test closing"),
                "won": _("Won"),
                "lost": _("Lost"),
                "owner": _("Owner"),
                "prospect": _("Prospect"),
                "source": _("Source"),
                "weighted": _("Weighted amount"),
                "last_test_closing": _("Last test closing"),
                "no_month": _("short term, no month"),
                "count": _("Count"),
                "won_this_month": _("Won this month"),
            }.items()
        },
    )


@lru_cache(maxsize=8192)
def _formatted(language: str, kind: str, value: object) -> str:
    """The escaped display text of `value` in `language` (CardKit.text)."""
    return _esc(_FORMATS[kind](value))


def _esc(value: object) -> str:
    """HTML-escape a value as Django's escape does (&, <, >, " and ')."""
    return html.escape(str(value), quote=True)


def _truncate(text: str, length: int) -> str:
    """What ``|truncatechars:length`` shows (the Truncator only for texts that are too long)."""
    return text if len(text) <= length else Truncator(text).chars(length)


_FORMATS = {
    "name": str,
    "date": format_short_date,
    "month": lambda value: format_month(value) or "—",
    "slips": lambda n: ngettext("slipped %(n)s time", "slipped %(n)s times", n) % {"n": n},
    "days": lambda n: ngettext("%(n)s day ago", "%(n)s days ago", n) % {"n": n},
    "rank": lambda r: _("%(r)s rank") % {"r": r},
}


def render_card(prospect: Prospect | ProspectRow, kit: CardKit, *, error: str = "") -> SafeString:
    """The card of `prospect` (decorated by pipeline.selectors.decorate) as the board shows it.

    Built with f-strings: every value that is not a number, an id or a kit string (escaped once when the
    kit is built) goes through _esc."""
    pk = prospect.pk
    L = kit.labels
    move = kit.move_url.format(pk=pk)
    edit = kit.edit_url.format(pk=pk)

    flag = (
        f' <span class="badge flag overdue" title="{L["needs_attention"]}">!</span>'
        if prospect.flagged
        else ""
    )
    owner = (
        f'<p class="muted card-owner">{kit.text("name", prospect.owner.display_name)}</p>\n'
        if prospect.owner_id != kit.viewer_id
        else ""
    )
    month = kit.text("month", prospect.expected_month)
    if prospect.month_passed:
        month += f" · {L['passed']}"
    if prospect.expected_month_slips:
        month += f' <small class="muted slips">({kit.text("slips", prospect.expected_month_slips)})</small>'
    action = _esc(prospect.next_action or "—")
    if prospect.next_action_on:
        action += f" ({kit.text('date', prospect.next_action_on)})"
    if prospect.action_overdue:
        action += f" · {L['overdue']}"
    changed = kit.text("days", prospect.days_since_change)
    rank = kit.text("rank", prospect.rank)
    options = kit.options(prospect.horizon)
    closing = ""
    if prospect.is_open:
        tc = kit.test_closing_url.format(pk=pk)
        won = kit.won_url.format(pk=pk)
        lost = kit.lost_url.format(pk=pk)
        closing = (
            '<div class="card-actions closing-card-actions">\n'
            f'<a class="button" href="{tc}" hx-get="{tc}" hx-target="#dialog-slot" title="{L["log_test_closing"]}">'
            f"{L['test_closing']}</a>\n"
            f'<a class="button" href="{won}" hx-get="{won}" hx-target="#dialog-slot">{L["won"]}</a>\n'
            f'<a class="button" href="{lost}" hx-get="{lost}" hx-target="#dialog-slot">{L["lost"]}</a>\n'
            "</div>"
        )
    card_class = "card" + (" flagged" if prospect.flagged else "") + (" stale" if prospect.stale else "")
    error_html = f'<p class="alert conflict" role="alert">{_esc(error)}</p>\n' if error else ""
    amount = _esc(format_money(prospect.amount, prospect.currency or "JPY"))
    # Every interpolated text is escaped above (or is a number, an id or an escaped kit string).
    return mark_safe(
        f'<article class="{card_class}" id="card-{pk}" data-horizon="{_esc(prospect.horizon)}" '
        f'data-version="{int(prospect.version)}">\n'
        f"{error_html}"
        f'<h3 class="card-name"><a href="{kit.detail_url.format(pk=pk)}">{_esc(prospect.name)}</a>{flag}</h3>\n'
        f"{owner}"
        '<dl class="card-facts">\n'
        f'<dt>{L["amount"]}</dt><dd class="num">{amount}</dd>\n'
        f"<dt>{L['probability']}</dt><dd>{int(prospect.probability)}% "
        f'<span class="rank rank-{_esc(prospect.rank)}">{rank}</span></dd>\n'
        f'<dt>{L["expected_month"]}</dt><dd class="{"overdue" if prospect.month_passed else ""}">{month}</dd>\n'
        f'<dt>{L["next_action"]}</dt><dd class="{"overdue" if prospect.action_overdue else ""}">{action}</dd>\n'
        f'<dt>{L["last_change"]}</dt><dd class="{"stale-mark" if prospect.stale else ""}">{changed}</dd>\n'
        "</dl>\n"
        '<div class="card-actions">\n'
        f'<form class="move-form" method="post" action="{move}" hx-post="{move}" hx-target="#card-{pk}" '
        'hx-swap="outerHTML" hx-include="#board-filters" hx-trigger="change from:find select, submit">'
        f"{kit.csrf_input}"
        f'<input type="hidden" name="version" value="{int(prospect.version)}">'
        f'<label class="visually-hidden" for="move-{pk}">{L["move_to"]}</label>'
        f'<select name="horizon" id="move-{pk}" aria-label="{L["move_to"]}">{options}</select>'
        f'<noscript><button type="submit" class="button small">{L["move"]}</button></noscript>'
        "</form>\n"
        f'<button type="button" class="button small" hx-get="{edit}" hx-target="#card-{pk}" hx-swap="outerHTML" '
        f'hx-include="#board-filters">{L["quick_edit"]}</button>\n'
        f"{closing}"
        "</div>\n"
        "</article>"
    )


def render_month_row(p: ProspectRow, kit: CardKit) -> SafeString:
    """One row of the "might buy this month" list (a prospect from pipeline.selectors.month_list_rows,
    decorated); the columns of pipeline/month_list.html's table head."""
    L = kit.labels
    no_month = "" if p.expected_month else f' <small class="muted">({L["no_month"]})</small>'
    currency = p.currency or "JPY"
    if p.last_tc_on:
        reading = _esc(p.last_tc_reading or "")
        reading_label = kit.readings.get(p.last_tc_reading, reading)
        last_tc = (
            f"{kit.text('date', p.last_tc_on)} · {_esc(p.last_tc_question or '')} → "
            f"{_esc(_truncate(p.last_tc_answer or '', 60))} "
            f'<span class="reading reading-{reading}">({reading_label})</span>'
        )
    else:
        last_tc = "—"
    action = _esc(p.next_action or "—")
    if p.next_action_on:
        action += f" ({kit.text('date', p.next_action_on)})"
    # Every interpolated text is escaped (or is a number, an id or an escaped kit string).
    return mark_safe(
        f'<tr class="{"flagged" if p.flagged else ""}">\n'
        f'<td data-label="{L["owner"]}">{_esc(p.owner.display_name)}</td>\n'
        f'<td data-label="{L["prospect"]}"><a href="{kit.detail_url.format(pk=p.pk)}">{_esc(p.name)}</a>{no_month}</td>\n'
        f'<td data-label="{L["source"]}">{kit.sources.get(p.source, _esc(p.source))}</td>\n'
        f'<td data-label="{L["amount"]}" class="num">{_esc(format_money(p.amount, currency))}</td>\n'
        f'<td data-label="{L["probability"]}" class="num">{int(p.probability)}% '
        f'<span class="rank rank-{_esc(p.rank)}">{_esc(p.rank)}</span></td>\n'
        f'<td data-label="{L["weighted"]}" class="num">{_esc(format_money(p.weighted, currency))}</td>\n'
        f'<td data-label="{L["last_test_closing"]}">{last_tc}</td>\n'
        f'<td data-label="{L["next_action"]}" class="{"overdue" if p.action_overdue else ""}">{action}</td>\n'
        "</tr>"
    )


def render_per_rep_row(t, kit: CardKit) -> SafeString:
    """One rep's line of the month list's totals table (a pipeline.selectors.Totals)."""
    L = kit.labels
    # Every interpolated text is escaped (or is a number or an escaped kit string).
    return mark_safe(
        f'<tr><td data-label="{L["owner"]}">{_esc(t.label)}</td><td data-label="{L["count"]}" class="num">'
        f"{int(t.count)}</td>\n"
        f'  <td data-label="{L["amount"]}" class="num">{_esc(format_money(t.amount))}</td>'
        f'<td data-label="{L["weighted"]}" class="num">{_esc(format_money(t.weighted))}</td>\n'
        f'  <td data-label="{L["won_this_month"]}" class="num">{_esc(format_money(t.won))}</td></tr>'
    )
