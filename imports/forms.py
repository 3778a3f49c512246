from __future__ import annotations

from pathlib import Path

from django import forms
from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

from accounts.models import Team, User
from imports.models import DateOrder, ImportMapping
from imports.services import BAD_FORMAT, TOO_LARGE
from salescrm.lib.formrules import CrmForm


class UploadForm(CrmForm):
    file = forms.FileField(
        label=_("File (.csv or .xlsx)"),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx,text/csv"}),
    )
    encoding = forms.ChoiceField(
        label=_("Character encoding (CSV)"),
        choices=[
            ("auto", _("Detect automatically")),
            ("utf-8-sig", "UTF-8"),
            ("cp932", "Shift_JIS (CP932)"),
        ],
        initial="auto",
    )
    date_order = forms.ChoiceField(
        label=_("Date order"),
        choices=[("", _("Guess from the file")), *DateOrder.choices],
        required=False,
        initial="",
        help_text=_(
            "How the file writes a date such as 11/12/2026. Dates written 2026-11-12 or 2026年11月12日 read the "
            "same in every order; you can change it on the mapping page."
        ),
    )
    saved_mapping = forms.ModelChoiceField(
        label=_("Saved mapping"),
        required=False,
        queryset=ImportMapping.objects.none(),
        empty_label=_("Guess from the headers"),
    )
    update_duplicates = forms.BooleanField(
        label=_("Update existing prospects"),
        required=False,
        help_text=_(
            "A row with the same name and owner (or the same ID) updates that prospect; otherwise it is an error."
        ),
    )
    create_owners = forms.BooleanField(
        label=_("Create missing owners as rep accounts"),
        required=False,
        help_text=_(
            "They are created inactive, without a password: nobody can log in until an administrator activates them."
        ),
    )

    def __init__(self, *args, user: User, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["saved_mapping"].queryset = ImportMapping.objects.filter(created_by=user)
        if not user.is_admin_role:
            del self.fields["create_owners"]

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > settings.IMPORT_MAX_UPLOAD_BYTES:
            raise forms.ValidationError(
                TOO_LARGE % {"limit": filesizeformat(settings.IMPORT_MAX_UPLOAD_BYTES)}
            )
        if Path(upload.name or "").suffix.lower() not in (".csv", ".xlsx"):
            raise forms.ValidationError(BAD_FORMAT)
        return upload


class MappingNameForm(CrmForm):
    """The name a mapping is saved under (optional), read through the shared form rules."""

    save_as = forms.CharField(label=_("Save this mapping as"), max_length=100, required=False)

    def error_text(self) -> str:
        return " ".join(str(e) for errors in self.errors.values() for e in errors)


class PeopleUploadForm(CrmForm):
    """A file of people (the people import): the prospect upload's file and encoding, nothing else."""

    file = UploadForm.base_fields["file"]
    encoding = UploadForm.base_fields["encoding"]
    clean_file = UploadForm.clean_file


class ActivateOwnersForm(CrmForm):
    """The reps an import created, activated in one step (an admin, on the finished import's page)."""

    team = forms.ModelChoiceField(
        label=_("Team"),
        queryset=Team.objects.all(),
        required=False,
        empty_label=_("No team"),
        help_text=_("Optional: the team they join."),
    )
    invite = forms.BooleanField(
        label=_("Mail each one with an e-mail address the link to set a password"),
        required=False,
        initial=True,
    )
