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
def board_cards(context: template.Context, cards) -> str:
    """A column's cards in one tag (one template node for the column, not one per card)."""
    from django.utils.safestring import mark_safe

    from pipeline.fragments import CardKit, render_card

    kit = CardKit.for_request(context["request"])
    return mark_safe("".join(render_card(p, kit) for p in cards))  # each card escapes its own text


@register.simple_tag(takes_context=True)
def month_rows(context: template.Context, rows) -> str:
    """The month list's rows in one tag."""
    from django.utils.safestring import mark_safe

    from pipeline.fragments import CardKit, render_month_row

    kit = CardKit.for_request(context["request"])
    return mark_safe("\n".join(render_month_row(p, kit) for p in rows))  # each row escapes its own text


@register.simple_tag(takes_context=True)
def per_rep_rows(context: template.Context, per_rep) -> str:
    """The month list's per-rep totals rows (pipeline/fragments.py)."""
    from django.utils.safestring import mark_safe

    from pipeline.fragments import CardKit, render_per_rep_row

    kit = CardKit.for_request(context["request"])
    return mark_safe("\n".join(render_per_rep_row(t, kit) for t in per_rep))  # each row escapes its text


@register.simple_tag
def board_filter_fields(form) -> str:
    """The board's filter fields (BoardFilterForm.fields_html)."""
    return form.fields_html()


@register.simple_tag(takes_context=True)
def scope_select(context: template.Context) -> str:
    """The scope menu of the board, the month list and the forecast: a <select> of `scope_choices`
    with `scope` selected, or the scope as a hidden field when there is nothing to choose."""
    from django.utils.html import conditional_escape as esc
    from django.utils.safestring import mark_safe
    from django.utils.translation import gettext

    scope, choices = context["scope"], context.get("scope_choices") or []
    if len(choices) <= 1:
        return mark_safe(f'<input type="hidden" name="scope" value="{esc(scope.key)}">')
    options = "".join(
        f'<option value="{esc(key)}"{" selected" if key == scope.key else ""}>{esc(label)}</option>'
        for key, label in choices
    )
    return mark_safe(  # every value is escaped
        f'<div class="filter filter-scope"><label for="id_scope">{esc(gettext("Scope"))}</label>\n'
        f'  <select name="scope" id="id_scope">\n    {options}\n  </select>\n</div>'
    )
