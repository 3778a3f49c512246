from __future__ import annotations

from django import template
from django.template import engines
from django.utils.safestring import SafeString, mark_safe

from pipeline.cardkit import CardKit

register = template.Library()


@register.filter
def reading_label(value: str | None) -> str:
    """The translated label of a test-closing reading (positive/undecided/negative)."""
    from closing.models import Reading

    if not value:
        return ""
    try:
        return str(Reading(value).label)
    except ValueError:
        return value


@register.simple_tag(takes_context=True)
def board_cards(context: template.Context, cards, error: str = "") -> SafeString:
    """The board cards `cards`, from the Jinja2 template pipeline/_board_cards.html (see
    pipeline/jinja_env.py), with what a response's cards share computed once (CardKit)."""
    request = context["request"]
    user = getattr(request, "user", None)
    card_template = engines["jinja2"].get_template("pipeline/_board_cards.html")
    html = card_template.render(
        {
            "cards": cards,
            "error": error,
            "kit": CardKit.for_request(request),
            "viewer_id": getattr(user, "pk", None),
        },
        request,
    )
    return mark_safe(html)  # the output of an autoescaping template


@register.simple_tag(takes_context=True)
def month_rows(context: template.Context, rows) -> SafeString:
    """The month list's rows `rows`, from the Jinja2 template pipeline/_month_rows.html, with the
    labels and the detail URL pattern computed once per response (CardKit)."""
    row_template = engines["jinja2"].get_template("pipeline/_month_rows.html")
    html = row_template.render(
        {"rows": rows, "kit": CardKit.for_request(context["request"])}, context["request"]
    )
    return mark_safe(html)  # the output of an autoescaping template
