from __future__ import annotations

from decimal import Decimal

from django import forms
from django.core.validators import MaxValueValidator, MinValueValidator
from django.utils.translation import gettext_lazy as _

from closing.models import TestClosing
from pipeline.models import RankBands
from pipeline.selectors import BoardFilters
from prospects.forms import MonthField
from prospects.models import Horizon, Source
from salescrm.lib.formrules import CrmForm, CrmModelForm, VersionField


class BoardFilterForm(CrmForm):
    """Filters of the board. The scope is not a form field: selectors.resolve_scope checks it (404)."""

    source = forms.ChoiceField(
        label=_("Source"), required=False, choices=[("", _("All sources")), *Source.choices]
    )
    month_from = MonthField(label=_("Expected from"), required=False)
    month_to = MonthField(label=_("Expected until"), required=False)
    q = forms.CharField(
        label=_("Search"), required=False, max_length=100, widget=forms.TextInput(attrs={"type": "search"})
    )

    def filters(self) -> BoardFilters:
        data = self.cleaned_data if self.is_valid() else {}
        return BoardFilters(
            source=data.get("source") or "",
            month_from=data.get("month_from"),
            month_to=data.get("month_to"),
            q=(data.get("q") or "").strip(),
        )


class MoveForm(CrmForm):
    horizon = forms.ChoiceField(label=_("Horizon"), choices=Horizon.choices)
    version = VersionField()


class QuickEditForm(CrmForm):
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
    version = VersionField()

    def __init__(self, *args, revealed_budget: TestClosing | None = None, **kwargs):
        """`revealed_budget`: the newest test closing that revealed a budget; offered as the amount
        (the template's button fills the field) unless it is the amount already."""
        super().__init__(*args, **kwargs)
        amount = self.initial.get("amount")
        offered = revealed_budget is not None and revealed_budget.revealed_budget != amount
        self.revealed_budget = revealed_budget if offered else None


class RankBandsForm(CrmModelForm):
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
