"""Formatting used on every page: money, months, ranks. Loaded as a template builtin."""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django import template
from django.utils import formats, translation

register = template.Library()

CURRENCY_SYMBOLS = {"JPY": "¥", "USD": "$", "EUR": "€"}
ZERO_DECIMAL_CURRENCIES = {"JPY", "KRW"}


def format_money(value: Decimal | int | float | None, currency: str = "JPY") -> str:
    if value is None or value == "":
        return ""
    try:
        amount = Decimal(value)
    except (InvalidOperation, TypeError, ValueError):
        return ""
    places = Decimal("1") if currency in ZERO_DECIMAL_CURRENCIES else Decimal("0.01")
    amount = amount.quantize(places, rounding=ROUND_HALF_UP)
    sign = "-" if amount < 0 else ""
    digits = f"{abs(amount):,}"
    symbol = CURRENCY_SYMBOLS.get(currency)
    return f"{sign}{symbol}{digits}" if symbol else f"{sign}{digits} {currency}"


@register.filter
def money(value: Decimal | int | None, currency: str = "JPY") -> str:
    """¥1,234,000 for JPY; no decimals for JPY."""
    return format_money(value, currency or "JPY")


def format_month(value: dt.date | None) -> str:
    if not value:
        return ""
    if translation.get_language() == "ja":
        return f"{value.year}年{value.month}月"
    return formats.date_format(value, "M Y")


@register.filter
def month(value: dt.date | None) -> str:
    """2026年11月 in Japanese, Nov 2026 in English."""
    return format_month(value)


@register.filter
def month_input(value: dt.date | str | None) -> str:
    """The value of an <input type=month>: a date, or what the user typed when a form comes back."""
    if isinstance(value, dt.date):
        return value.strftime("%Y-%m")
    return str(value or "")


@register.filter
def percent(value: int | None) -> str:
    return "" if value is None else f"{value}%"


@register.filter
def horizon_label(value: str) -> str:
    from prospects.models import Horizon

    try:
        return str(Horizon(value).label)
    except ValueError:
        return value
