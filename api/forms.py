from django import forms
from django.utils.translation import gettext_lazy as _

from api.models import TokenScope
from salescrm.lib.formrules import CrmForm


class TokenForm(CrmForm):
    name = forms.CharField(
        label=_("Token name"),
        max_length=100,
        help_text=_("What uses it, e.g. “accounting export”."),
    )
    scope = forms.ChoiceField(
        label=_("Access"), choices=TokenScope.choices, initial=TokenScope.READ, widget=forms.RadioSelect
    )

    def clean_name(self) -> str:
        value = self.cleaned_data["name"].strip()
        if not value:
            raise forms.ValidationError(_("Give the token a name."))
        return value
