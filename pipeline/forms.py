from __future__ import annotations

from decimal import Decimal

from django import forms
from django.core.validators import MaxValueValidator, MinValueValidator
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext_lazy as _

from pipeline.models import RankBands
from pipeline.selectors import BoardFilters
from prospects.forms import MonthField
from prospects.models import Horizon, Source
from salescrm.templatetags.crm import month_input


class BoardFilterForm(forms.Form):
    """Filters of the board. The scope is not a form field: selectors.resolve_scope checks it (404)."""

    source = forms.ChoiceField(
        label=_("Source"), required=False, choices=[("", _("All sources")), *Source.choices]
    )
    month_from = MonthField(label=_("Expected from"), required=False)
    month_to = MonthField(label=_("Expected until"), required=False)
    q = forms.CharField(
        label=_("Search"), required=False, max_length=100, widget=forms.TextInput(attrs={"type": "search"})
    )

    def fields_html(self) -> SafeString:
        """The four filter fields written out, the markup Django's widgets render (label with its
        suffix, the widget, its errors): through the template engine they cost 5 ms on every board page,
        and 1.2 ms as a template loop. Errors (rare) are rendered by Django's ErrorList."""
        parts = []
        for bf in self:
            errors = bf.errors
            invalid = f' aria-invalid="true" aria-describedby="id_{bf.name}_error"' if errors else ""
            value = bf.value()
            if bf.name == "source":
                current = value or ""
                options = "".join(
                    f'<option value="{conditional_escape(code)}"{" selected" if code == current else ""}>'
                    f"{conditional_escape(label)}</option>"
                    for code, label in bf.field.choices
                )
                widget = f'<select name="source" id="id_source"{invalid}>\n    {options}\n  </select>'
            elif bf.name in ("month_from", "month_to"):
                shown = f' value="{conditional_escape(month_input(value))}"' if value else ""
                widget = f'<input type="month" name="{bf.name}"{shown}{invalid} id="id_{bf.name}">'
            else:
                shown = f' value="{conditional_escape(value)}"' if value else ""
                widget = f'<input type="search" name="q"{shown} maxlength="100"{invalid} id="id_q">'
            parts.append(
                f'<div class="filter filter-{bf.name}"><label for="id_{bf.name}">'
                f"{conditional_escape(bf.label)}:</label>{widget}{errors if errors else ''}</div>"
            )
        return mark_safe("\n  ".join(parts))  # every value above is escaped

    def filters(self) -> BoardFilters:
        data = self.cleaned_data if self.is_valid() else {}
        return BoardFilters(
            source=data.get("source") or "",
            month_from=data.get("month_from"),
            month_to=data.get("month_to"),
            q=(data.get("q") or "").strip(),
        )


class MoveForm(forms.Form):
    horizon = forms.ChoiceField(label=_("Horizon"), choices=Horizon.choices)
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


class QuickEditForm(forms.Form):
    probability = forms.IntegerField(
        label=_("Probability"),
        validators=[MinValueValidator(0), MaxValueValidator(100)],
        widget=forms.NumberInput(attrs={"min": 0, "max": 100, "step": 1, "inputmode": "numeric"}),
    )
    amount = forms.DecimalField(
        label=_("Amount"),
        max_digits=14,
        decimal_places=2,
        min_value=Decimal(0),
        widget=forms.NumberInput(attrs={"min": 0, "step": 1, "inputmode": "numeric"}),
    )
    expected_month = MonthField(label=_("Expected month"), required=False)
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


class RankBandsForm(forms.ModelForm):
    class Meta:
        model = RankBands
        fields = ["a_min", "b_min"]
        widgets = {
            "a_min": forms.NumberInput(attrs={"min": 1, "max": 100, "inputmode": "numeric"}),
            "b_min": forms.NumberInput(attrs={"min": 1, "max": 99, "inputmode": "numeric"}),
        }

    def clean(self):
        data = super().clean()
        a, b = data.get("a_min"), data.get("b_min")
        if a is not None and b is not None and a <= b:
            raise forms.ValidationError(_("The A band must start above the B band."), code="bands")
        return data
