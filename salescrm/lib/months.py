"""Months are the first day of the month as a date, in the configured time zone."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone


def month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def this_month(today: dt.date | None = None) -> dt.date:
    return month_start(today or timezone.localdate())


def add_months(month: dt.date, n: int) -> dt.date:
    index = month.year * 12 + (month.month - 1) + n
    return dt.date(index // 12, index % 12 + 1, 1)


def parse_month(value: str) -> dt.date | None:
    """'2026-11' (the <input type=month> format) -> date(2026, 11, 1); None if it is not a month."""
    try:
        year, month = value.strip().split("-")
        return dt.date(int(year), int(month), 1)
    except (ValueError, AttributeError):
        return None
