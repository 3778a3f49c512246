from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from inbound.guard import HONEYPOT, TOKEN_MAX_CHARS
from inbound.models import (
    ALWAYS_ASKED,
    DEFAULT_ASKED,
    FIELD_MAX,
    REQUIRED_WHEN_ASKED,
    AskedField,
    InquiryForm,
)
from salescrm.lib.formrules import CrmForm, CrmModelForm


class InquiryFormSettingsForm(CrmModelForm):
    """The admin's page for one form: what it asks, where its leads go."""

    asked_fields = forms.MultipleChoiceField(
        label=_("Asked fields"),
        choices=AskedField.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_("The name is always asked; an e-mail and the consent are required when asked."),
    )

    class Meta:
        model = InquiryForm
        fields = [
            "name",
            "is_active",
            "asked_fields",
            "products",
            "privacy_policy_url",
            "thank_you_text",
            "team",
            "assignment",
            "allowed_origins",
        ]
        widgets = {
            "products": forms.Textarea(attrs={"rows": 3}),
            "thank_you_text": forms.Textarea(attrs={"rows": 3}),
            "allowed_origins": forms.Textarea(attrs={"rows": 3}),
            "assignment": forms.RadioSelect,
        }

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if not self.instance.pk:
            self.initial.setdefault("asked_fields", DEFAULT_ASKED)

    def clean_asked_fields(self) -> list[str]:
        chosen = set(self.cleaned_data.get("asked_fields") or []) | set(ALWAYS_ASKED)
        return [code for code in AskedField.values if code in chosen]

    def clean(self) -> dict:
        data = super().clean()
        if "consent" in (data.get("asked_fields") or []) and not data.get("privacy_policy_url"):
            self.add_error(
                "privacy_policy_url", _("Give the privacy policy's address when the consent is asked.")
            )
        return data


LABELS = {
    "company": pgettext_lazy("inquiry field", "Company"),
    "name": pgettext_lazy("inquiry field", "Name"),
    "furigana": _("Furigana"),
    "phone": _("Phone"),
    "email": _("E-mail"),
    "message": _("Message"),
    "product": _("Product of interest"),
    "consent": _("I agree to the privacy policy"),
}


class PublicInquiryForm(CrmForm):
    """What a visitor fills in: the form's asked fields, each within its size limit; the fill-time
    token and the honeypot ride along (checked by inbound.guard before this form)."""

    def __init__(self, inquiry_form: InquiryForm, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.inquiry_form = inquiry_form
        for code in inquiry_form.asked:
            required = code in REQUIRED_WHEN_ASKED
            label = LABELS[code]
            if code == "email":
                field: forms.Field = forms.EmailField(
                    label=label, max_length=FIELD_MAX[code], required=required
                )
            elif code == "consent":
                field = forms.BooleanField(label=label, required=True)
            elif code == "product" and inquiry_form.product_choices:
                choices = [("", "---------")] + [(p, p) for p in inquiry_form.product_choices]
                field = forms.ChoiceField(label=label, choices=choices, required=False)
            elif code == "message":
                field = forms.CharField(
                    label=label,
                    max_length=FIELD_MAX[code],
                    required=False,
                    widget=forms.Textarea(attrs={"rows": 5}),
                )
            else:
                field = forms.CharField(label=label, max_length=FIELD_MAX[code], required=required)
            if code == "phone":
                field.widget.input_type = "tel"
                field.widget.attrs["autocomplete"] = "tel"
            elif code == "name":
                field.widget.attrs["autocomplete"] = "name"
            elif code == "company":
                field.widget.attrs["autocomplete"] = "organization"
            self.fields[code] = field
        self.fields["ts"] = forms.CharField(
            required=False, max_length=TOKEN_MAX_CHARS, widget=forms.HiddenInput
        )
        self.fields[HONEYPOT] = forms.CharField(
            required=False,
            max_length=200,
            label=_("Leave this empty"),
            widget=forms.TextInput(attrs={"tabindex": "-1", "autocomplete": "off"}),
        )

    def submitted(self) -> dict[str, str]:
        """The visitor's values (not the token or the honeypot), consent as "yes"."""
        out = {}
        for code in self.inquiry_form.asked:
            value = self.cleaned_data.get(code)
            if code == "consent":
                value = "yes" if value else ""
            out[code] = (value or "").strip() if isinstance(value, str) else value
        return {k: v for k, v in out.items() if v}
