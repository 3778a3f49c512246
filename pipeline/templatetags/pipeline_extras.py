from __future__ import annotations

from django import template

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
def card_urls(context: template.Context, prospect) -> dict[str, str]:
    """The URLs of a board card (detail, move, quick edit, test closing, won, lost), from the
    response's CardKit: reversed once per response, not six times a card."""
    return CardKit.for_request(context["request"]).urls(prospect.pk)
