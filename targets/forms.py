from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from salescrm.lib.formrules import CrmModelForm
from targets.models import PipelineTarget

HORIZON_FIELDS = ("min_short", "min_mid", "min_long")


class PipelineTargetForm(CrmModelForm):
    """A scope's target. Counts are whole numbers of 0 or more; the amount is 0 or more; a per-horizon
    minimum is never above the total when both are set (the database checks it too)."""

    error_css_class = "has-error"

    class Meta:
        model = PipelineTarget
        fields = ["min_open", "min_short", "min_mid", "min_long", "sales_target"]
        labels = {
            "min_open": _("Minimum open prospects"),
            "min_short": _("Minimum short term"),
            "min_mid": _("Minimum mid term"),
            "min_long": _("Minimum long term"),
            "sales_target": _("Monthly sales target"),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("min_open", *HORIZON_FIELDS):
            field = self.fields[name]
            field.min_value = 0
            field.error_messages["min_value"] = _("Enter a whole number of 0 or more.")
            field.error_messages["invalid"] = _("Enter a whole number of 0 or more.")
            field.widget = forms.NumberInput(attrs={"min": 0, "step": 1, "inputmode": "numeric"})
        self.fields["sales_target"].widget = forms.NumberInput(
            attrs={"min": 0, "step": 1, "inputmode": "numeric"}
        )
        self.fields["sales_target"].error_messages["invalid"] = _("Enter an amount in yen (0 or more).")

    def clean_sales_target(self):
        value = self.cleaned_data.get("sales_target")
        if value is not None and value < 0:
            raise forms.ValidationError(_("The sales target cannot be negative."))
        return value

    def clean(self):
        data = super().clean()
        total = data.get("min_open")
        for name in ("min_open", *HORIZON_FIELDS):
            value = data.get(name)
            if value is not None and value < 0:
                self.add_error(name, _("Enter a whole number of 0 or more."))
        if total is not None:
            for name in HORIZON_FIELDS:
                value = data.get(name)
                if value is not None and value > total:
                    self.add_error(
                        name,
                        _("This minimum (%(value)s) is above the total minimum (%(total)s).")
                        % {"value": value, "total": total},
                    )
        return data

    def _post_clean(self):
        # clean() already says in the user's language what the model constraints would refuse (the
        # database constraints stay as the last line of defence); only copy the values over.
        opts = self._meta
        from django.forms.models import construct_instance

        try:
            self.instance = construct_instance(self, self.instance, opts.fields, opts.exclude)
        except forms.ValidationError as e:
            self._update_errors(e)
