from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from salescrm.lib.formrules import CrmForm


class MergeForm(CrmForm):
    """Which record stays: this one is merged into it."""

    into = forms.IntegerField(label=_("Merge into (id)"), min_value=1)
