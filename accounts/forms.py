from __future__ import annotations

from django import forms
from django.contrib.auth import forms as auth_forms
from django.contrib.auth.forms import AuthenticationForm
from django.core.validators import MaxLengthValidator
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from salescrm.lib.formrules import CrmForm, TextRules


class TokenForm(CrmForm):
    token = forms.RegexField(
        label=_("Code from your authenticator app"),
        regex=r"^\s*\d{6}\s*$",
        max_length=12,
        error_messages={"invalid": _("Enter the 6-digit code.")},
        widget=forms.TextInput(
            attrs={
                "inputmode": "numeric",
                "autocomplete": "one-time-code",
                "autocapitalize": "none",
                "pattern": "[0-9 ]*",
                "autofocus": True,
            }
        ),
    )

    def clean_token(self) -> str:
        return self.cleaned_data["token"].strip()


class LoginForm(TextRules, AuthenticationForm):
    """Django's login form sets the username's max_length after building the field, so nothing checked
    it: a longer name went on to django-axes, whose attempt row could not hold it (a 500)."""

    def clean_username(self) -> str:
        username = self.cleaned_data["username"]
        MaxLengthValidator(User._meta.get_field(User.USERNAME_FIELD).max_length)(username)
        return username


class PasswordChangeForm(TextRules, auth_forms.PasswordChangeForm):
    pass
