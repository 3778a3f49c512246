from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from salescrm.lib.formrules import CrmModelForm
from webhooks.models import EventType, Subscription
from webhooks.transport import check_url


class SubscriptionForm(CrmModelForm):
    events = forms.MultipleChoiceField(
        label=pgettext_lazy("webhook", "Events"),
        choices=EventType.choices,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = Subscription
        fields = ["url", "description", "events"]
        help_texts = {
            "url": _(
                "The receiver's address (https:// recommended). Private and loopback addresses are refused."
            ),
        }

    def clean_url(self) -> str:
        url = self.cleaned_data["url"].strip()
        reason = check_url(url)
        if reason:
            raise forms.ValidationError(reason)
        return url

    def clean_events(self) -> list[str]:
        chosen = set(self.cleaned_data["events"])
        return [value for value, _label in EventType.choices if value in chosen]  # a stable order
