from __future__ import annotations

from django import template
from django.template import engines
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language

from pipeline.cardkit import CardKit

register = template.Library()


@register.simple_tag(takes_context=True)
def prospect_rows(context: template.Context, rows, *, labels: dict[str, str], bulk: object) -> SafeString:
    """The prospect list's rows, from the Jinja2 template prospects/_list_rows.html, with the detail
    URL pattern and the fixed labels worked out once per response (CardKit)."""
    request = context["request"]
    html = (
        engines["jinja2"]
        .get_template("prospects/_list_rows.html")
        .render(
            {
                "rows": rows,
                "labels": labels,
                "bulk": bool(bulk),
                "english": get_language() == "en",
                "kit": CardKit.for_request(request),
            },
            request,
        )
    )
    return mark_safe(html)  # the output of an autoescaping template
