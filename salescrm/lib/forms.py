"""Form fields written out in Python, the markup Django's widget templates render.

Django renders every widget, and every <option> of a select, through its template engine: for a page's
filter form that cost 5-25 ms a request. ``filter_fields_html`` writes the same markup for the simple
widgets the filter forms use (inputs and selects without errors); a field with errors (rare) is
rendered by Django itself, so its aria-invalid / aria-describedby / errorlist stay Django's.
"""

from __future__ import annotations

from collections.abc import Callable

from django import forms
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as django_gettext


def _punctuation() -> str:
    """The characters after which Django's label_tag adds no suffix, from Django's own catalogue (as
    BoundField.label_tag asks for them). Called through a name makemessages does not extract: the
    string belongs to Django's catalogue, not ours."""
    return django_gettext(":?.!")


def filter_fields_html(
    form: forms.Form, *, choices_of: Callable[[forms.BoundField], list[tuple[object, object]]] | None = None
) -> SafeString:
    """Every field of `form` as ``<div class="filter filter-NAME"><label ...>..</label>WIDGET</div>``
    (label with its suffix, widget, errors). `choices_of` gives a select's choices (default: the field's
    own), e.g. to read a ModelChoiceField's options in one plain query."""
    suffix = form.label_suffix
    parts = []
    for bf in form:
        label = str(bf.label)
        if suffix and label and label[-1] not in _punctuation():
            label += str(suffix)
        if bf.errors:
            widget = f"{bf}{bf.errors}"
        elif isinstance(bf.field.widget, forms.Select):
            widget = _select_html(bf, choices_of(bf) if choices_of else list(bf.field.choices))
        else:
            widget = _input_html(bf)
        parts.append(
            f'<div class="filter filter-{bf.name}"><label for="{bf.auto_id}">{conditional_escape(label)}'
            f"</label>{widget}</div>"
        )
    return mark_safe("\n  ".join(parts))  # every value is escaped


def _attrs_html(bf) -> str:
    """The widget's attributes as django/forms/widgets/attrs.html writes them, for a field without
    errors (no aria-invalid / aria-describedby) and not required (the filters never are)."""
    attrs = dict(bf.field.widget.attrs)
    attrs.setdefault("id", bf.auto_id)
    return "".join(
        f" {name}" if value is True else f' {name}="{conditional_escape(value)}"'
        for name, value in attrs.items()
        if value is not False
    )


def _input_html(bf) -> str:
    widget = bf.field.widget
    value = widget.format_value(bf.value())
    value_html = "" if value is None else f' value="{conditional_escape(value)}"'
    return f'<input type="{widget.input_type}" name="{bf.html_name}"{value_html}{_attrs_html(bf)}>'


def _select_html(bf, choices) -> str:
    current = bf.field.widget.format_value(bf.value())
    options = []
    selected_one = False
    for value, label in choices:
        selected = not selected_one and str(value) in current
        selected_one |= selected
        options.append(
            f'\n  <option value="{conditional_escape(value)}"{" selected" if selected else ""}>'
            f"{conditional_escape(label)}</option>\n"
        )
    return f'<select name="{bf.html_name}"{_attrs_html(bf)}>{"".join(options)}\n</select>'
