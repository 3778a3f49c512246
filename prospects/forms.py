from __future__ import annotations

import datetime as dt

from django import forms
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from accounts.access import visible_users
from accounts.models import User
from activities.models import LeadKind
from prospects.customer import CustomerPicks
from prospects.models import EXTERNAL_ID_UNIQUE, Horizon, Prospect, Source, Status, suggest_horizon
from salescrm.lib.formrules import CrmForm, CrmModelForm, VersionField
from salescrm.lib.months import parse_month


class MonthInput(forms.DateInput):
    input_type = "month"

    def format_value(self, value):
        if isinstance(value, dt.date):
            return value.strftime("%Y-%m")
        return value


class MonthField(forms.Field):
    """A month as the first day of that month. Accepts YYYY-MM (and YYYY-MM-DD from older browsers)."""

    widget = MonthInput
    default_error_messages = {"invalid": _("Enter a month as YYYY-MM, for example 2026-11.")}

    def to_python(self, value):
        if value in self.empty_values:
            return None
        if isinstance(value, dt.date):
            return value.replace(day=1)
        text = str(value).strip()
        month = parse_month(text[:7]) if len(text) in (7, 10) else None
        if month is not None and len(text) == 10:
            # YYYY-MM-DD must be a real date, not a month followed by anything (NUL bytes included).
            try:
                dt.date.fromisoformat(text)
            except ValueError:
                month = None
        if month is None or not (2000 <= month.year <= 2100):
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        return month


NO_LEAD_ACTIVITY = "none"
FOLLOW_MONTH_LABEL = _("As the expected month suggests (%(horizon)s)")


def horizon_choices(month: dt.date | None) -> list[tuple[str, str]]:
    """The horizon options: first "as the expected month suggests" (the empty value), then each horizon."""
    suggested = Horizon(suggest_horizon(month)).label
    return [("", FOLLOW_MONTH_LABEL % {"horizon": suggested}), *Horizon.choices]


class HorizonFollowsMonth:
    """For a form with `horizon` and `expected_month`: the horizon follows the month's suggestion
    until the user picks one on purpose. The empty choice means "follow the month"; an edit form
    starts on it when the stored horizon is the one the stored month suggests."""

    def _follow_month(self, instance_month: dt.date | None = None, instance_horizon: str = "") -> None:
        month = instance_month
        if self.is_bound:  # type: ignore[attr-defined]
            try:
                month = MonthField(required=False).clean(self.data.get(self.add_prefix("expected_month")))  # type: ignore[attr-defined]
            except forms.ValidationError:
                month = None
        self.fields["horizon"].choices = horizon_choices(month)  # type: ignore[attr-defined]
        if instance_horizon and instance_horizon != suggest_horizon(instance_month):
            self.initial["horizon"] = instance_horizon  # type: ignore[attr-defined]
        else:
            self.initial["horizon"] = ""  # type: ignore[attr-defined]

    @property
    def horizon_differs(self) -> str:
        """The suggested horizon when the one chosen on purpose differs from it ("" otherwise)."""
        chosen = self["horizon"].value()  # type: ignore[index]
        try:
            month = MonthField(required=False).clean(self["expected_month"].value())  # type: ignore[index]
        except forms.ValidationError:
            return ""
        suggested = suggest_horizon(month)
        return suggested if chosen and chosen != suggested else ""

    def _post_clean_horizon(self) -> None:
        if not self.cleaned_data.get("horizon") and "horizon" not in self.errors:  # type: ignore[attr-defined]
            self.cleaned_data["horizon"] = suggest_horizon(self.cleaned_data.get("expected_month"))  # type: ignore[attr-defined]


class HorizonHintForm(HorizonFollowsMonth, CrmForm):
    """The horizon field alone, redrawn when the expected month changes (prospects:horizon_hint)."""

    horizon = forms.ChoiceField(label=_("Horizon"), required=False)
    expected_month = MonthField(label=_("Expected month"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._follow_month()


class ProspectForm(CustomerPicks, HorizonFollowsMonth, CrmModelForm):
    expected_month = MonthField(label=_("Expected month"), required=False)
    horizon = forms.ChoiceField(label=_("Horizon"), required=False)
    version = VersionField()
    # "Plan the next activity": the prospect's next planned activity (activities app), which replaced
    # the old "next action" text and date. Kind and date plan it; clearing both deletes it.
    next_kind = forms.ModelChoiceField(queryset=None, label=_("Next activity"), required=False)
    next_on = forms.DateField(
        label=_("Next activity date"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    next_subject = forms.CharField(
        label=pgettext_lazy("next activity", "Note"), max_length=200, required=False
    )
    # The planned activity shown (its id and version): a stale one is a conflict, as for the prospect.
    next_activity = VersionField()
    next_version = VersionField()

    class Meta:
        model = Prospect
        fields = [
            "name",
            "contact_person",
            "phone",
            "email",
            "address",
            "source",
            "lead_activity",
            "owner",
            "horizon",
            "probability",
            "expected_month",
            "product",
            "amount",
            "notes",
            "external_id",
        ]
        widgets = {
            "notes": forms.Textarea(attrs={"rows": 3}),
            "probability": forms.NumberInput(attrs={"min": 0, "max": 100, "step": 1, "inputmode": "numeric"}),
            "amount": forms.NumberInput(attrs={"min": 0, "step": 1, "inputmode": "numeric"}),
            "phone": forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}),
        }

    def __init__(self, *args, user: User, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        # Only managers and admins may assign an owner; a rep's prospects are their own.
        if user.is_admin_role or user.is_manager:
            self.fields["owner"].queryset = visible_users(user).filter(is_active=True)
            self.fields["owner"].label_from_instance = lambda u: u.display_name
            self.fields["owner"].empty_label = _("— choose the owner —")
            if not self.instance.pk:
                self.fields["owner"].initial = user.pk
        else:
            del self.fields["owner"]
        if self.instance.pk:
            self.fields["version"].initial = self.instance.version
        self.fields["source"].choices = Source.choices
        self._product_field()
        # The lead activity picker offers only what the user may see; another id is a form error.
        from activities.leadgen import LeadActivityPickField

        self.fields["lead_activity"] = LeadActivityPickField(
            user=user, current_id=self.instance.lead_activity_id
        )
        # One clear message per rule (clean_probability / clean_amount) instead of Django's generic ones.
        for name in ("probability", "amount"):
            self.fields[name].validators = [
                v
                for v in self.fields[name].validators
                if not isinstance(v, MinValueValidator | MaxValueValidator)
            ]
        self._follow_month(self.instance.expected_month, self.instance.horizon if self.instance.pk else "")
        self._customer_fields(self.instance)  # the company and contact picks (名寄せ, prospects/customer.py)
        self._next_activity_fields()

    def _product_field(self) -> None:
        """The active products; a product made inactive since stays on the deals that name it."""
        from products.models import Product

        product = self.fields["product"]
        current = Q(pk=self.instance.product_id) if self.instance.product_id else Q(pk__in=[])
        product.queryset = Product.objects.filter(Q(is_active=True) | current)
        product.empty_label = _("— no product —")

    def _next_activity_fields(self) -> None:
        from activities.models import ActivityKind
        from activities.selectors import next_planned

        kind = self.fields["next_kind"]
        kind.queryset = ActivityKind.objects.filter(is_active=True)
        kind.label_from_instance = lambda k: k.label
        kind.empty_label = _("— nothing planned —")
        planned = next_planned(self.instance) if self.instance.pk else None
        self.next_planned = planned
        if planned is not None:
            self.initial.update(
                next_kind=planned.kind_id,
                next_on=timezone.localdate(planned.starts_at),
                next_subject=planned.subject,
                next_activity=planned.pk,
                next_version=planned.version,
            )

    def validate_constraints(self) -> None:
        """Skip Django's check-constraint validation: it runs one database query (in a savepoint) per
        CHECK constraint, 15 of them, on every save. The same rules are the field and clean_* rules of
        this form, with clear messages, and the database enforces every constraint anyway. The one
        rule that reads other rows is checked: an external ID another prospect has (one query, only
        when the field is filled)."""
        if self.instance.external_id and "external_id" not in self.errors:
            try:
                EXTERNAL_ID_UNIQUE.validate(Prospect, self.instance)
            except forms.ValidationError as exc:
                self.add_error("external_id", exc)

    def clean(self):
        data = super().clean()
        self._post_clean_horizon()
        self._clean_customer(self.user, self.instance)
        kind, day, note = data.get("next_kind"), data.get("next_on"), data.get("next_subject")
        if kind is None and (day is not None or note) and "next_kind" not in self.errors:
            self.add_error(
                "next_kind", _("Choose the kind of the next activity (or clear its date and note).")
            )
        if day is None and (kind is not None or note) and "next_on" not in self.errors:
            self.add_error("next_on", _("Give the next activity's date (or clear its kind and note)."))
        if self.instance.pk and not self.instance.is_open and kind is not None:
            # A closed deal has nothing planned (closing cancelled its plans; reopening brings them back).
            self.add_error("next_kind", _("This deal is closed: reopen it to plan its next activity."))
        if data.get("lead_activity") is not None:
            from activities.leadgen import source_for

            data["source"] = source_for(data["lead_activity"], data.get("source", ""))
            self.errors.pop("source", None)
        return data

    def clean_probability(self):
        value = self.cleaned_data["probability"]
        if value is None or not 0 <= value <= 100:
            raise forms.ValidationError(_("Probability must be between 0 and 100."))
        return value

    def clean_amount(self):
        value = self.cleaned_data["amount"]
        if value is None:
            raise forms.ValidationError(_("Enter an amount (0 or more)."))
        if value < 0:
            raise forms.ValidationError(_("The amount cannot be negative."))
        return value

    def save(self, commit: bool = True) -> Prospect:  # pragma: no cover - views use services
        raise NotImplementedError("Use prospects.services.prospect_create / prospect_update.")


class ProspectFilterForm(CrmForm):
    SORTS = {
        "updated": ("-updated_at", "-id"),
        "name": ("name", "id"),
        "amount": ("-amount", "-id"),
        "probability": ("-probability", "-id"),
        "expected_month": ("expected_month", "id"),
        "next_activity": ("next_activity_at", "id"),  # the next planned activity (prospect_list_queryset)
    }
    SORT_CHOICES = [
        ("updated", _("Last updated")),
        ("name", pgettext_lazy("sort", "Name")),
        ("amount", _("Amount (largest first)")),
        ("probability", _("Probability (highest first)")),
        ("expected_month", _("Expected month")),
        ("next_activity", _("Next action date")),
    ]

    q = forms.CharField(
        label=_("Search"), required=False, max_length=100, widget=forms.TextInput(attrs={"type": "search"})
    )
    horizon = forms.ChoiceField(
        label=_("Horizon"), required=False, choices=[("", _("All")), *Horizon.choices]
    )
    source = forms.ChoiceField(label=_("Source"), required=False, choices=[("", _("All")), *Source.choices])
    # The lead-generation activity it came from: by kind, none, or one activity (its page links here).
    lead_kind = forms.ChoiceField(
        label=_("Lead activity"),
        required=False,
        choices=[("", _("All")), *LeadKind.choices, (NO_LEAD_ACTIVITY, _("No lead activity"))],
    )
    lead_activity = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("All")), *Status.choices], initial=Status.OPEN
    )
    month_from = MonthField(label=_("Expected from"), required=False)
    month_to = MonthField(label=_("Expected until"), required=False)
    owner = forms.ModelChoiceField(label=_("Owner"), required=False, queryset=User.objects.none())
    planned = forms.ChoiceField(
        label=_("Next action"),
        required=False,
        choices=[("", _("All")), ("none", _("Nothing planned (open prospects)"))],
    )
    sort = forms.ChoiceField(label=_("Sort"), required=False, choices=SORT_CHOICES)

    def __init__(self, *args, user: User, owners: list[User] | None = None, **kwargs):
        """`owners`: visible_users(user) already read by the caller, used for the owner options."""
        super().__init__(*args, **kwargs)
        if user.is_admin_role or user.is_manager:
            owner = self.fields["owner"]
            owner.queryset = visible_users(user)
            owner.label_from_instance = lambda u: u.display_name
            owner.empty_label = _("All")
            if owners is not None:  # the options from the users the view read, not a second query
                owner.choices = [("", owner.empty_label), *((u.pk, u.display_name) for u in owners)]
        else:
            del self.fields["owner"]

    def filter(self, qs):
        data = self.cleaned_data
        if data.get("q"):
            from companies.search import prospect_match_q

            qs = qs.filter(prospect_match_q(data["q"]))
        for field in ("horizon", "source", "status"):
            if data.get(field):
                qs = qs.filter(**{field: data[field]})
        if data.get("month_from"):
            qs = qs.filter(expected_month__gte=data["month_from"])
        if data.get("month_to"):
            qs = qs.filter(expected_month__lte=data["month_to"])
        if data.get("owner"):
            qs = qs.filter(owner=data["owner"])
        if data.get("lead_kind") == NO_LEAD_ACTIVITY:
            qs = qs.filter(lead_activity__isnull=True)
        elif data.get("lead_kind"):
            qs = qs.filter(lead_activity__kind=data["lead_kind"])
        if data.get("lead_activity"):
            # qs holds only the prospects the user may see, so another's activity id shows nothing.
            qs = qs.filter(lead_activity_id=data["lead_activity"])
        if data.get("planned") == "none":  # open prospects with no planned activity (the warning's list)
            qs = qs.filter(status=Status.OPEN).exclude(activities__status="planned")
        return qs.order_by(*self.ordering())

    def ordering(self) -> tuple[str, ...]:
        """The order_by() fields of the chosen sort (the last updated first by default)."""
        data = self.cleaned_data if self.is_valid() else {}
        return self.SORTS.get(data.get("sort") or "updated", self.SORTS["updated"])
