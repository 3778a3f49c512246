from __future__ import annotations

from django import forms
from django.contrib.auth import forms as auth_forms
from django.contrib.auth.forms import AuthenticationForm
from django.core.validators import MaxLengthValidator
from django.utils.translation import gettext_lazy as _

from accounts.models import Role, Team, User
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


class PasswordResetForm(TextRules, auth_forms.PasswordResetForm):
    pass


class SetPasswordForm(TextRules, auth_forms.SetPasswordForm):
    pass


class InviteForm(CrmForm):
    """A new account: its owner sets the password from the link mailed to them."""

    email = forms.EmailField(label=_("E-mail"))
    username = forms.RegexField(
        label=_("Username"),
        max_length=150,
        regex=r"^[\w.@+-]+\Z",
        help_text=_("Letters, digits and @/./+/-/_ only; used to log in."),
        error_messages={"invalid": _("Use letters, digits and @/./+/-/_ only.")},
    )
    last_name = forms.CharField(label=_("Last name"), max_length=150)
    first_name = forms.CharField(label=_("First name"), max_length=150, required=False)
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices, initial=Role.REP)
    teams = forms.ModelMultipleChoiceField(
        label=_("Member of"), queryset=Team.objects.all(), required=False, widget=forms.CheckboxSelectMultiple
    )
    manages = forms.ModelMultipleChoiceField(
        label=_("Manager of"),
        queryset=Team.objects.all(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def clean_username(self) -> str:
        username = self.cleaned_data["username"]
        if User.objects.filter(username__iexact=username).exists():
            raise forms.ValidationError(_("This username is taken."))
        return username

    def clean_email(self) -> str:
        email = self.cleaned_data["email"]
        if User.objects.filter(email__iexact=email).exists():
            raise forms.ValidationError(_("An account with this e-mail address exists already."))
        return email


class ReassignForm(CrmForm):
    """担当替え: every open prospect of a leaving rep goes to one active user."""

    to_owner = forms.ModelChoiceField(label=_("New owner"), queryset=User.objects.none())

    def __init__(self, *args, from_owner: User, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["to_owner"].queryset = User.objects.filter(is_active=True).exclude(pk=from_owner.pk)
        self.fields["to_owner"].empty_label = _("Choose the new owner")
