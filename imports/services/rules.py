"""The rules a row of an import is held to beyond its cells: the outcome rules of a prospect (as the
database constraints hold them, each reported with its column) and the company's one currency. Every
rule a row breaks is reported in one dry run."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.utils.translation import gettext_lazy

from imports import parsing
from prospects.models import LostReason, Prospect, Status

MISSING_NAME = gettext_lazy("The prospect name is empty.")
OPEN_WITH_OUTCOME = gettext_lazy("An open prospect cannot have a close date, won amount or lost reason.")
CLOSED_NEEDS_DATE = gettext_lazy("A won or lost prospect needs its close date.")
WON_NEEDS_AMOUNT = gettext_lazy("A won prospect needs its won amount (or an amount).")
LOST_NEEDS_REASON = gettext_lazy("A lost prospect needs a lost reason.")
REASON_ONLY_LOST = gettext_lazy("Only a lost prospect has a lost reason.")
AMOUNT_ONLY_WON = gettext_lazy("Only a won prospect has a won amount.")
COMPETITOR_NEEDED = gettext_lazy("Name the competitor when the prospect was lost to one.")
# The outcome note of a lost row that took the mapping's default lost reason (recorded as imported).
LOST_REASON_DEFAULTED = gettext_lazy("Lost reason not in the imported file; set by the import.")
OTHER_CURRENCY = gettext_lazy(
    "The amounts of this row are in %(currency)s, but every amount is kept in the company currency, "
    "%(company)s. Convert the amounts to %(company)s first, and then write %(company)s here (or leave "
    "this column out)."
)


def row_error(number: int, column: str, value: str, reason: Any) -> dict[str, Any]:
    return {"row": number, "column": column, "value": value[:200], "reason": str(reason)}


def company_currency(text: str) -> str:
    """The currency a row's cell names, when it is the company's; every other is refused: amounts are
    kept in the company's one currency (docs/currency.md) and the import converts nothing."""
    code = parsing.parse_currency(text)
    company = settings.COMPANY_CURRENCY
    if code != company:
        raise parsing.ParseError(OTHER_CURRENCY % {"currency": code, "company": company})
    return code


def outcome_errors(
    *,
    number: int,
    values: dict[str, Any],
    target: Prospect,
    failed: set[str],
    known: bool,
    header: Callable[[str], str],
    lost_reason_default: str = "",
) -> list[dict[str, Any]]:
    """Every outcome rule row `number` breaks, its values set on `target`, which it completes (a won
    row's won amount from its amount, a lost row's default reason). A rule that needs an unreadable
    cell's value (`failed`) is skipped, as the cell has its own error; so are the rules that read the
    prospect updated when it is not `known`. A zero won amount was dropped before: it says nothing."""
    errors: list[dict[str, Any]] = []

    def fail(name: str, value: Any, reason: Any) -> None:
        errors.append(row_error(number, header(name), "" if value is None else str(value), reason))

    status = target.status if "status" not in failed else None
    if "status" in values and status == Status.OPEN:
        # The file says the deal is open: it carries no outcome.
        if any(values.get(f) not in (None, "") for f in ("closed_on", "won_amount", "lost_reason")):
            fail("status", values["status"], OPEN_WITH_OUTCOME)
        target.closed_on, target.won_amount, target.lost_reason = None, None, ""
    elif "status" in values and status == Status.WON:
        if values.get("lost_reason"):
            fail("lost_reason", values["lost_reason"], REASON_ONLY_LOST)
        target.lost_reason = ""
    elif "status" in values and status == Status.LOST:
        if values.get("won_amount") is not None:
            fail("won_amount", values["won_amount"], AMOUNT_ONLY_WON)
        target.won_amount = None
    if not known or status is None:
        return errors
    # The rules below read the prospect as the row leaves it (an update keeps what the file omits).
    if status == Status.OPEN and (target.closed_on or target.won_amount is not None or target.lost_reason):
        fail("status", status, OPEN_WITH_OUTCOME)
    if status in (Status.WON, Status.LOST) and target.closed_on is None and "closed_on" not in failed:
        fail("closed_on", "", CLOSED_NEEDS_DATE)
    if status == Status.WON:
        if target.won_amount is None and "amount" in values:
            target.won_amount = target.amount
        elif target.won_amount is None and not failed & {"won_amount", "amount"}:
            fail("won_amount", "", WON_NEEDS_AMOUNT)
        if target.lost_reason:
            fail("lost_reason", target.lost_reason, REASON_ONLY_LOST)
    if status == Status.LOST:
        if not target.lost_reason and lost_reason_default and "lost_reason" not in failed:
            # The mapping's default, recorded as imported (a note of the row's own stays).
            target.lost_reason = lost_reason_default
            if not (target.outcome_note or "").strip():
                target.outcome_note = str(LOST_REASON_DEFAULTED)
            target._lost_reason_default = True  # type: ignore[attr-defined]
        elif not target.lost_reason and "lost_reason" not in failed:
            fail("lost_reason", "", LOST_NEEDS_REASON)
        if target.won_amount is not None:
            fail("won_amount", target.won_amount, AMOUNT_ONLY_WON)
    competitor_missing = not (target.competitor or "").strip() and "competitor" not in failed
    if target.lost_reason == LostReason.COMPETITOR and competitor_missing:
        fail("competitor", "", COMPETITOR_NEEDED)
    if not (target.name or "").strip() and not failed & {"name", "company_name"}:
        fail("name", "", MISSING_NAME)
    return errors
