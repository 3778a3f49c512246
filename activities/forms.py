"""Activity forms. The rules a person can fix are here, with a message each; the services and the
database hold them again."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from activities.models import MAX_DURATION_MINUTES, ActivityKind, ActivityStatus
from activities.services import FUTURE_DONE_MESSAGE, Plan, done_date_in_future, local_midnight
from salescrm.lib.formrules import CrmForm, VersionField

END_BEFORE_START_MESSAGE = _("The end time is before the start time.")
NEGATIVE_DURATION_MESSAGE = _("The duration cannot be negative.")


class KindChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: ActivityKind) -> str:
        return obj.label


def _kind_field(required: bool = True) -> KindChoiceField:
    return KindChoiceField(
        queryset=ActivityKind.objects.filter(is_active=True), label=_("Kind"), required=required
    )


class _When:
    """Date, optional time, and either a duration or an end time, read into `starts_at`, `all_day`
    and `duration_minutes`. `prefix_` names the fields (the next step's have "next_")."""

    @staticmethod
    def read(form: forms.Form, prefix: str = "") -> tuple[dt.datetime | None, bool, int | None]:
        data = form.cleaned_data
        day: dt.date | None = data.get(f"{prefix}on")
        at: dt.time | None = data.get(f"{prefix}at")
        ends: dt.time | None = data.get(f"{prefix}ends_at")
        duration: int | None = data.get(f"{prefix}duration_minutes")
        if day is None:
            return None, False, duration
        starts_at = local_midnight(day) if at is None else timezone.make_aware(dt.datetime.combine(day, at))
        if ends is not None:
            if at is None:
                form.add_error(f"{prefix}at", _("Give the start time with an end time."))
            elif ends < at:
                form.add_error(f"{prefix}ends_at", END_BEFORE_START_MESSAGE)
            elif duration is None:
                duration = (dt.datetime.combine(day, ends) - dt.datetime.combine(day, at)).seconds // 60
        return starts_at, at is None, duration


def _duration_field(label: str = "") -> forms.IntegerField:
    return forms.IntegerField(
        label=label or _("Duration (minutes)"),
        required=False,
        min_value=0,
        max_value=MAX_DURATION_MINUTES,
        error_messages={"min_value": NEGATIVE_DURATION_MESSAGE},
    )


class ActivityForm(CrmForm):
    """Log a done activity or plan one, on a prospect."""

    status = forms.ChoiceField(
        label=_("Status"),
        # Cancelled is set by closing a deal only (closing.services), never chosen.
        choices=[
            (ActivityStatus.PLANNED, ActivityStatus.PLANNED.label),
            (ActivityStatus.DONE, ActivityStatus.DONE.label),
        ],
        initial=ActivityStatus.PLANNED,
    )
    kind = _kind_field()
    subject = forms.CharField(label=_("Subject"), max_length=200, required=False)
    on = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}))
    at = forms.TimeField(label=_("Time"), required=False, widget=forms.TimeInput(attrs={"type": "time"}))
    ends_at = forms.TimeField(
        label=_("End time"), required=False, widget=forms.TimeInput(attrs={"type": "time"})
    )
    duration_minutes = _duration_field()
    outcome = forms.CharField(
        label=_("Outcome note"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    version = VersionField()

    def __init__(self, *args, editing_done: bool = False, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if editing_done:  # a done activity stays done; only its facts are corrected
            del self.fields["status"]
        self.editing_done = editing_done

    def clean(self) -> dict:
        data = super().clean()
        starts_at, all_day, duration = _When.read(self)
        data["starts_at"], data["all_day"], data["duration_minutes"] = starts_at, all_day, duration
        done = self.editing_done or data.get("status") == ActivityStatus.DONE
        if starts_at is not None and done and done_date_in_future(starts_at, all_day=all_day):
            self.add_error("on", FUTURE_DONE_MESSAGE)
        return data

    def values(self) -> dict:
        data = self.cleaned_data
        keys = ("kind", "subject", "starts_at", "all_day", "duration_minutes", "outcome")
        return {key: data[key] for key in keys}


class CompleteForm(CrmForm):
    """Mark a planned activity done and plan the next one, in one step (the next is asked for; an
    open prospect with nothing planned is warned about, so "no next step" is a conscious choice)."""

    outcome = forms.CharField(
        label=_("Outcome note"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    on = forms.DateField(label=_("Done on"), widget=forms.DateInput(attrs={"type": "date"}))
    at = forms.TimeField(label=_("Time"), required=False, widget=forms.TimeInput(attrs={"type": "time"}))
    duration_minutes = _duration_field()
    next_kind = _kind_field(required=False)
    next_subject = forms.CharField(label=_("Next step"), max_length=200, required=False)
    next_on = forms.DateField(
        label=_("Next date"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    next_at = forms.TimeField(label=_("Time"), required=False, widget=forms.TimeInput(attrs={"type": "time"}))
    no_next = forms.BooleanField(label=_("No next step for now"), required=False)
    version = VersionField()

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["next_kind"].label = _("Next activity")

    def clean(self) -> dict:
        data = super().clean()
        starts_at, all_day, duration = _When.read(self)
        data["starts_at"], data["all_day"], data["duration_minutes"] = starts_at, all_day, duration
        if starts_at is not None and done_date_in_future(starts_at, all_day=all_day):
            self.add_error("on", FUTURE_DONE_MESSAGE)
        data["next_plan"] = None
        if not data.get("no_next"):
            if data.get("next_kind") is None:
                self.add_error("next_kind", _("Choose the next activity, or tick “No next step for now”."))
            if data.get("next_on") is None:
                self.add_error("next_on", _("Give the next activity's date, or tick “No next step for now”."))
            elif data.get("next_kind") is not None:
                next_at = data.get("next_at")
                next_start = (
                    local_midnight(data["next_on"])
                    if next_at is None
                    else timezone.make_aware(dt.datetime.combine(data["next_on"], next_at))
                )
                data["next_plan"] = Plan(
                    kind=data["next_kind"],
                    starts_at=next_start,
                    all_day=next_at is None,
                    subject=data.get("next_subject", ""),
                )
        return data


class PreferenceForm(CrmForm):
    morning_email = forms.BooleanField(
        label=_("Send me the day's agenda by email every morning"), required=False
    )
