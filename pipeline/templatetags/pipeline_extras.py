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
