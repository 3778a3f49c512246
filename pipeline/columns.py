"""The columns of the "might buy this month" list: the screen table's headers and the CSV/Excel export
both read this one tuple (the rows' cells are in pipeline/month_list.html, in the same order)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from closing.models import Reading
from pipeline.selectors.rules import round_money
from salescrm.lib.export import Column


def _next_activity(row) -> str:
    """The next planned activity as one cell: its kind, then its subject."""
    return " ".join(part for part in (row.next_activity_kind, row.next_activity_subject) if part)


def _reading(row) -> str:
    return str(Reading(row.last_tc_reading).label) if row.last_tc_reading in Reading.values else ""


MONTH_LIST_COLUMNS = (
    Column("owner", _("Owner"), lambda p: p.owner.display_name),
    Column("prospect", _("Prospect"), lambda p: p.name),
    Column("source", _("Source"), lambda p: p.get_source_display()),
    Column("amount", _("Amount"), lambda p: p.amount, numeric=True),
    Column("probability", _("Probability"), lambda p: p.probability, numeric=True),
    Column("rank", _("Rank"), lambda p: p.rank, on_screen=False),
    Column("weighted", _("Weighted amount"), lambda p: round_money(p.weighted), numeric=True),
    Column(
        "expected_month",
        _("Expected month"),
        lambda p: p.expected_month.strftime("%Y-%m") if p.expected_month else "",
        on_screen=False,
    ),
    Column(
        "carried_from",
        _("Carried over from"),
        lambda p: p.carried_from.strftime("%Y-%m") if p.carried_from else "",
        on_screen=False,
    ),
    Column(
        "last_tc", _("Last test closing"), lambda p: p.last_tc_on.strftime("%Y-%m-%d") if p.last_tc_on else ""
    ),
    Column("question", _("Question"), lambda p: p.last_tc_question or "", on_screen=False),
    Column("answer", _("Answer"), lambda p: p.last_tc_answer or "", on_screen=False),
    Column("reading", _("Reading"), _reading, on_screen=False),
    Column("next_activity", _("Next action"), _next_activity),
    Column("next_activity_on", _("Next action date"), lambda p: p.next_activity_on, on_screen=False),
)
SCREEN_COLUMNS = tuple(c for c in MONTH_LIST_COLUMNS if c.on_screen)
