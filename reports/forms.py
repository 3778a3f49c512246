from __future__ import annotations

import datetime as dt

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from reports.models import MAX_COMMENT_LENGTH
from salescrm.lib.formrules import CrmForm, VersionField

FUTURE_DAY_MESSAGE = _("A daily report is for today or a day before it, not a future day.")
BLANK_COMMENT_MESSAGE = _("Write a comment.")


class DayField(forms.DateField):
    widget = forms.DateInput(attrs={"type": "date"})

    def validate(self, value: dt.date | None) -> None:
        super().validate(value)
        if value is not None and value > timezone.localdate():
            raise forms.ValidationError(FUTURE_DAY_MESSAGE, code="future_day")


class DayForm(CrmForm):
    """The day a page shows (GET): today when not given."""

    date = DayField(label=_("Day"), required=False)

    def __init__(self, data=None) -> None:
        super().__init__(data, initial={"date": timezone.localdate()})

    def day(self) -> dt.date:
        if self.is_valid() and self.cleaned_data["date"]:
            return self.cleaned_data["date"]
        return timezone.localdate()


class SubmitForm(CrmForm):
    """Submitting the day is one action: the day, one comment, the version it was shown at."""

    day = DayField(label=_("Day"), widget=forms.HiddenInput)
    comment = forms.CharField(
        label=_("Comment"),
        required=False,
        max_length=MAX_COMMENT_LENGTH,
        strip=True,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    version = VersionField()


class CommentForm(CrmForm):
    body = forms.CharField(
        label=_("Comment"),
        max_length=MAX_COMMENT_LENGTH,
        strip=True,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": BLANK_COMMENT_MESSAGE},
    )
