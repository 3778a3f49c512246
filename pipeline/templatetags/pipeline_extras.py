from __future__ import annotations

from django import template

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
def board_card(context: template.Context, prospect) -> str:
    """One board card (pipeline/cards.py), with the error of a failed move or edit when there is one."""
    from pipeline.fragments import CardKit, render_card

    return render_card(prospect, CardKit.for_request(context["request"]), error=context.get("error") or "")


@register.simple_tag(takes_context=True)
def month_row(context: template.Context, prospect) -> str:
    """One row of the "might buy this month" list (pipeline/fragments.py)."""
    from pipeline.fragments import CardKit, render_month_row

    return render_month_row(prospect, CardKit.for_request(context["request"]))
