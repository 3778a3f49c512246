"""Formatting used on every page: money, months, ranks. Loaded as a template builtin."""

from __future__ import annotations

import datetime as dt
import functools
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django import template
from django.conf import settings
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils import formats, timezone, translation

register = template.Library()

CURRENCY_SYMBOLS = {"JPY": "¥", "USD": "$", "EUR": "€"}
ZERO_DECIMAL_CURRENCIES = {"JPY", "KRW"}


def money_unit() -> Decimal:
    """The smallest amount the company's currency shows (settings.COMPANY_CURRENCY): ¥1, or $0.01."""
    return Decimal("1") if settings.COMPANY_CURRENCY in ZERO_DECIMAL_CURRENCIES else Decimal("0.01")


def format_money(value: Decimal | int | float | None) -> str:
    """An amount in the company's one currency (docs/currency.md): ¥1,234,000 for JPY, no decimals."""
    if value is None or value == "":
        return ""
    try:
        amount = Decimal(value)
    except (InvalidOperation, TypeError, ValueError):
        return ""
    amount = amount.quantize(money_unit(), rounding=ROUND_HALF_UP)
    sign = "-" if amount < 0 else ""
    digits = f"{abs(amount):,}"
    currency = settings.COMPANY_CURRENCY
    symbol = CURRENCY_SYMBOLS.get(currency)
    return f"{sign}{symbol}{digits}" if symbol else f"{sign}{digits} {currency}"


@register.filter
def money(value: Decimal | int | None) -> str:
    """¥1,234,000: an amount in the company's currency."""
    return format_money(value)


def format_month(value: dt.date | None) -> str:
    if not value:
        return ""
    if translation.get_language() == "ja":
        return f"{value.year}年{value.month}月"
    return formats.date_format(value, "M Y")


def format_short_date(value: dt.date | dt.datetime | None) -> str:
    """``|date:"SHORT_DATE_FORMAT"`` for Python callers: a datetime in local time, "" for nothing."""
    if value in (None, ""):
        return ""
    if isinstance(value, dt.datetime) and value.tzinfo is not None:
        value = timezone.localtime(value)
    return formats.date_format(value, "SHORT_DATE_FORMAT")


def format_short_datetime(value: dt.datetime | None) -> str:
    """``|date:"SHORT_DATETIME_FORMAT"`` for Python callers, in local time; "" for nothing."""
    if value in (None, ""):
        return ""
    if isinstance(value, dt.datetime) and value.tzinfo is not None:
        value = timezone.localtime(value)
    return formats.date_format(value, "SHORT_DATETIME_FORMAT")


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


def format_percent(value: int | None) -> str:
    return "" if value is None else f"{value}%"


@register.filter
def percent(value: int | None) -> str:
    """40%: a probability as every page shows it."""
    return format_percent(value)


@register.filter
def horizon_label(value: str) -> str:
    from prospects.models import Horizon

    try:
        return str(Horizon(value).label)
    except ValueError:
        return value


def format_short_age(value: dt.date | dt.datetime | None, now: dt.datetime | None = None) -> str:
    """How long ago, in one unit: 5日 / 3週間 / 10ヶ月 / 2年 (5 d / 3 wk / 10 mo / 2 yr). Days under two
    weeks, weeks under two months, months under two years: a table column reads at a glance, where
    timesince's two units (「10ヶ月, 3週間」) did not."""
    if value in (None, ""):
        return ""
    now = now or timezone.now()
    if isinstance(value, dt.datetime):
        days = (timezone.localtime(now).date() - timezone.localtime(value).date()).days
    else:
        days = (timezone.localtime(now).date() - value).days
    days = max(days, 0)
    if days < 14:
        return translation.pgettext("short age", "%(n)d d") % {"n": days}
    if days < 61:
        return translation.pgettext("short age", "%(n)d wk") % {"n": days // 7}
    if days < 730:
        return translation.pgettext("short age", "%(n)d mo") % {"n": days * 12 // 365}
    return translation.pgettext("short age", "%(n)d yr") % {"n": days // 365}


@register.filter
def short_age(value: dt.date | dt.datetime | None) -> str:
    """How long ago, in one short unit (see format_short_age)."""
    return format_short_age(value)


@functools.cache
def _reverse_once(name: str, urlconf: str, script_prefix: str) -> str:
    return reverse(name, urlconf=urlconf)


@register.simple_tag
def fixed_url(name: str) -> str:
    """{% url name %} of a URL without arguments, reversed once per process (per URLconf and script
    prefix): the frame of every page links to many such URLs (docs/performance.md, "The frame")."""
    return _reverse_once(name, get_urlconf() or settings.ROOT_URLCONF, get_script_prefix())
