from __future__ import annotations

from django import template

register = template.Library()


@register.simple_tag(takes_context=True)
def open_alert_count(context) -> int:
    """Open alerts the current user hears about: one COUNT query."""
    from targets.selectors import open_alert_count as count

    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return 0
    return count(user)


@register.simple_tag(takes_context=True)
def home_alerts(context, limit: int = 5) -> list:
    """The newest open alerts for the home page, with their scope: one query."""
    from targets.selectors import newest_open_alerts

    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return []
    return newest_open_alerts(user, limit)


@register.filter
def source_label(value: str) -> str:
    """The source's label in the current language (plans store the code)."""
    from prospects.models import Source

    try:
        return str(Source(value).label)
    except ValueError:
        return value


@register.filter
def lead_kind_label(value: str) -> str:
    """A lead activity kind's label in the current language (plans store the code)."""
    from activities.models import LeadKind

    try:
        return str(LeadKind(value).label)
    except ValueError:
        return value
