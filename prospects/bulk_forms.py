"""The prospect list's bulk action: the rows a manager ticked (each with the version the list showed)
and what to do with them."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from accounts.access import visible_users
from accounts.models import User
from prospects.bulk import MAX_BULK
from prospects.forms import MonthField
from prospects.models import Horizon
from salescrm.lib.formrules import CrmForm
from salescrm.lib.params import int_or_none


class BulkAction(CrmForm):
    ACTIONS = [
        ("owner", _("Reassign to")),
        ("horizon", _("Set the horizon")),
        ("expected_month", _("Set the expected month")),
    ]
    action = forms.ChoiceField(label=_("Action"), choices=ACTIONS)
    owner = forms.ModelChoiceField(label=_("Owner"), queryset=User.objects.none(), required=False)
    horizon = forms.ChoiceField(label=_("Horizon"), choices=[("", "—"), *Horizon.choices], required=False)
    expected_month = MonthField(label=_("Expected month"), required=False)

    def __init__(self, *args, user: User, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = visible_users(user).filter(is_active=True)
        self.fields["owner"].empty_label = "—"

    def clean(self) -> dict:
        data = super().clean()
        seen: dict[int, int] = {}
        for value in self.data.getlist("selected") if hasattr(self.data, "getlist") else []:
            pk, _sep, version = str(value).partition(":")
            row_id = int_or_none(pk, minimum=1)
            if row_id is None:
                raise forms.ValidationError(
                    _("The selection could not be read: reload the list and try again.")
                )
            # No readable version is never the current one: that row is reported as a conflict.
            seen[row_id] = int_or_none(version, minimum=1, maximum=2**31 - 1) or 0
        if not seen:
            raise forms.ValidationError(_("Tick the prospects to change first."))
        if len(seen) > MAX_BULK:
            raise forms.ValidationError(
                ngettext(
                    "At most %(n)s prospect can be changed in one step.",
                    "At most %(n)s prospects can be changed in one step.",
                    MAX_BULK,
                )
                % {"n": MAX_BULK}
            )
        action = data.get("action")
        if action and not data.get(action):
            self.add_error(action, _("Choose the new value."))
        data["seen"] = seen
        return data
