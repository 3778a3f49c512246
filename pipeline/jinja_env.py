"""The Jinja2 environment of the hot partials (settings.TEMPLATES, */jinja2/: the board cards, the month list's and
the prospect list's rows, the agenda's items): the same
translations, money, month and date formats as the Django templates, and `url` for a card rendered
alone. Jinja2 renders the cards several times faster than Django's engine (docs/performance.md)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.template.defaultfilters import truncatechars
from django.urls import reverse
from django.utils import formats
from django.utils.translation import gettext, gettext_noop, ngettext, ngettext_lazy, pgettext
from jinja2 import Environment

from pipeline.templatetags.pipeline_extras import reading_label
from salescrm.templatetags.crm import (
    format_month,
    format_percent,
    format_short_date,
    format_short_datetime,
    money,
)

# makemessages reads Python and Django templates, not Jinja2 calls with arguments: the cards' messages
# (and the month rows') that take values are declared here so that the catalogues keep them.
CARD_MESSAGES = (
    gettext_noop("%(r)s rank"),
    ngettext_lazy("slipped %(n)s time", "slipped %(n)s times", "n"),
    ngettext_lazy("%(n)s day ago", "%(n)s days ago", "n"),
    gettext_noop("Carried over from %(month)s"),
    gettext_noop("Select %(name)s"),  # the prospect list's rows
)


def _short_date(value: dt.date | None) -> str:
    return formats.date_format(value, "SHORT_DATE_FORMAT") if value else ""


def _url(name: str, *args: Any) -> str:
    return reverse(name, args=args)


def environment(**options: Any) -> Environment:
    env = Environment(extensions=["jinja2.ext.i18n"], **options)
    env.install_gettext_callables(gettext, ngettext, newstyle=True, pgettext=pgettext)
    env.filters.update(
        money=money,
        month=format_month,
        percent=format_percent,
        short_date=_short_date,
        # |date:"SHORT_DATE_FORMAT" / "SHORT_DATETIME_FORMAT" of Django's templates, in local time.
        local_short_date=format_short_date,
        local_short_datetime=format_short_datetime,
        truncatechars=truncatechars,
        reading_label=reading_label,
    )
    env.globals.update(url=_url)
    return env
