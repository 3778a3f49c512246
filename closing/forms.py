from __future__ import annotations

import datetime as dt

from django import forms
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from closing import services
from closing.models import Reading, TestClosing, TestClosingQuestion
from closing.selectors import Period, active_questions
from prospects.forms import HorizonFollowsMonth, MonthField
from prospects.models import LostReason
from salescrm.lib.formrules import CrmForm, CrmModelForm, VersionField
from salescrm.lib.months import add_months, this_month

DATE_WIDGET = forms.DateInput(attrs={"type": "date"})
MONEY_WIDGET = forms.NumberInput(attrs={"min": 0, "step": 1, "inputmode": "numeric"})


class QuestionForm(CrmModelForm):
    class Meta:
        model = TestClosingQuestion
        fields = ["text_ja", "text_en", "kind"]
        widgets = {"text_ja": forms.Textarea(attrs={"rows": 2}), "text_en": forms.Textarea(attrs={"rows": 2})}

    def clean_text_ja(self):
        value = self.cleaned_data["text_ja"].strip()
        if not value:
            raise forms.ValidationError(_("Enter the question in Japanese."))
        return value


class RevealedFieldsMixin(CrmForm):
    answer = forms.CharField(label=_("Customer's answer"), widget=forms.Textarea(attrs={"rows": 3}))
    reading = forms.ChoiceField(label=_("Reading"), choices=Reading.choices, widget=forms.RadioSelect)
    revealed_month = MonthField(label=_("Revealed timing (month)"), required=False)
    revealed_budget = forms.DecimalField(
        label=_("Revealed budget"),
        required=False,
        min_value=0,
        max_digits=14,
        decimal_places=0,
        widget=MONEY_WIDGET,
    )
    revealed_decision_maker = forms.CharField(label=_("Decision maker"), required=False, max_length=200)

    def clean_answer(self):
        value = self.cleaned_data["answer"].strip()
        if not value:
            raise forms.ValidationError(_("Write down what the customer answered."))
        return value


class TestClosingForm(RevealedFieldsMixin):
    __test__ = False  # not a pytest class

    question = forms.ModelChoiceField(
        label=_("Question from the library"), queryset=TestClosingQuestion.objects.none(), required=False
    )
    question_text = forms.CharField(
        label=_("Or your own question"), required=False, max_length=300, widget=forms.TextInput()
    )
    field_order = ["question", "question_text", "answer", "reading"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["question"].queryset = active_questions()
        self.fields["question"].label_from_instance = lambda q: f"[{q.get_kind_display()}] {q.text}"
        self.fields["question"].empty_label = _("— choose a question —")

    def clean(self):
        data = super().clean()
        if not data.get("question") and not (data.get("question_text") or "").strip():
            self.add_error("question", _("Choose a question from the library or write your own."))
        return data


class TestClosingEditForm(RevealedFieldsMixin):
    __test__ = False

    FIELDS = ("answer", "reading", "revealed_month", "revealed_budget", "revealed_decision_maker")

    @classmethod
    def initial_from(cls, test_closing: TestClosing) -> dict:
        return {name: getattr(test_closing, name) for name in cls.FIELDS}


class AnnotationForm(CrmForm):
    text = forms.CharField(label=_("Annotation"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000)

    def clean_text(self):
        value = self.cleaned_data["text"].strip()
        if not value:
            raise forms.ValidationError(services.ANNOTATION_REQUIRED_MESSAGE)
        return value


class ProposalForm(HorizonFollowsMonth, CrmForm):
    """What a test closing proposes. A proposed horizon that is the month's suggestion starts on
    "as the expected month suggests", so a month changed here moves it too."""

    horizon = forms.ChoiceField(label=_("Horizon"), required=False)
    expected_month = MonthField(label=_("Expected month"), required=False)
    probability = forms.IntegerField(
        label=_("Probability"),
        min_value=0,
        max_value=100,
        widget=forms.NumberInput(attrs={"min": 0, "max": 100, "step": 1, "inputmode": "numeric"}),
    )
    version = VersionField()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._follow_month(self.initial.get("expected_month"), self.initial.get("horizon") or "")

    def clean(self):
        data = super().clean()
        self._post_clean_horizon()
        return data


def _not_future(value):
    if value and value > timezone.localdate():
        raise forms.ValidationError(services.FUTURE_DATE_MESSAGE)
    return value


class WonForm(CrmForm):
    amount = forms.DecimalField(
        label=_("Final amount"),
        max_digits=14,
        decimal_places=0,
        widget=MONEY_WIDGET,
        error_messages={"required": services.AMOUNT_REQUIRED_MESSAGE},
    )
    closed_on = forms.DateField(label=_("Won on"), widget=DATE_WIDGET)
    version = VersionField()

    def clean_amount(self):
        value = self.cleaned_data["amount"]
        if value < 0:
            raise forms.ValidationError(services.NEGATIVE_AMOUNT_MESSAGE)
        return value

    def clean_closed_on(self):
        return _not_future(self.cleaned_data["closed_on"])


class LostForm(CrmForm):
    closed_on = forms.DateField(label=_("Lost on"), widget=DATE_WIDGET)
    reason = forms.ChoiceField(
        label=_("Lost reason"),
        choices=[("", _("— choose —")), *LostReason.choices],
        error_messages={"required": services.REASON_REQUIRED_MESSAGE},
    )
    competitor = forms.CharField(label=_("Competitor"), required=False, max_length=200)
    note = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    recontact_on = forms.DateField(
        label=_("Re-contact on"),
        required=False,
        widget=DATE_WIDGET,
        help_text=_("On this date a new long-term prospect is added for the owner."),
    )
    version = VersionField()

    def clean_closed_on(self):
        return _not_future(self.cleaned_data["closed_on"])

    def clean(self):
        data = super().clean()
        if data.get("reason") == LostReason.COMPETITOR and not (data.get("competitor") or "").strip():
            self.add_error("competitor", services.COMPETITOR_REQUIRED_MESSAGE)
        closed_on, recontact_on = data.get("closed_on"), data.get("recontact_on")
        if closed_on and recontact_on and recontact_on <= closed_on:
            self.add_error("recontact_on", _("The re-contact date must be after the date it was lost."))
        return data


class ReopenForm(CrmForm):
    reason = forms.CharField(
        label=_("Why is it reopened?"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        error_messages={"required": services.REOPEN_REASON_REQUIRED_MESSAGE},
    )

    def clean_reason(self):
        value = self.cleaned_data["reason"].strip()
        if not value:
            raise forms.ValidationError(services.REOPEN_REASON_REQUIRED_MESSAGE)
        return value


class PeriodForm(CrmForm):
    """The period control of the statistics page (closing/_period_fields.html), which other pages with
    months reuse (the pipeline ledger): From / Until months, the last `default_months` when not given
    or not valid (the errors are shown beside the fields)."""

    month_from = MonthField(label=_("From"), required=False)
    month_to = MonthField(label=_("Until"), required=False)

    def __init__(self, data=None, *, default_months: int = 12, max_months: int | None = None) -> None:
        super().__init__(data)
        self.default_months = default_months
        self.max_months = max_months

    def clean(self):
        data = super().clean()
        if data.get("month_from") and data.get("month_to") and data["month_from"] > data["month_to"]:
            raise forms.ValidationError(_("The first month must not be after the last month."))
        if self.max_months and not self.errors:
            first, last = self._months(data)
            if (last.year - first.year) * 12 + last.month - first.month + 1 > self.max_months:
                raise forms.ValidationError(
                    ngettext(
                        "Choose a period of at most %(count)s month.",
                        "Choose a period of at most %(count)s months.",
                        self.max_months,
                    ),
                    params={"count": self.max_months},
                )
        return data

    def _months(self, data: dict) -> tuple[dt.date, dt.date]:
        last = data.get("month_to") or this_month()
        first = data.get("month_from") or add_months(last, -(self.default_months - 1))
        return min(first, last), last

    def period(self) -> Period:
        """The months chosen, or the default ones when the form is not valid."""
        return Period.months(*self._months(self.cleaned_data if self.is_valid() else {}))


class StaleForm(CrmForm):
    days = forms.IntegerField(
        label=_("No test closing for (days)"), required=False, min_value=1, max_value=3650
    )

    def days_or_default(self) -> int:
        if self.is_valid() and self.cleaned_data.get("days"):
            return self.cleaned_data["days"]
        return settings.TEST_CLOSING_STALE_DAYS
