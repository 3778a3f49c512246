"""Lead-generation activities (the long-term wheel): the compact form a rep fills on a phone, the
service that saves one, and the picker that links a prospect to one (its source follows the kind)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.access import visible_users
from accounts.models import User
from activities.models import COUNT_FIELDS, REQUIRED_COUNTS, LeadActivity, LeadKind
from salescrm.lib.formrules import CrmForm

NEGATIVE_COUNT = _("Enter 0 or more.")
COUNT_REQUIRED = _("Enter how many (0 or more).")
END_BEFORE_START = _("The last day cannot be before the first day.")
IN_FUTURE = _("A lead activity is logged once done: the date cannot be in the future.")
MORE_CONVERSATIONS = _("There cannot be more conversations than doors knocked.")
NAME_REQUIRED = _("Enter the exhibition's name.")
LINK_OUT_OF_SCOPE = _("That lead activity is not one you may see; pick one of yours or your team's.")
# The largest count a field takes: far beyond any one day's work; a larger figure is a typo.
MAX_COUNT = 1_000_000


def access_lead_activity(user: User, pk: int) -> LeadActivity:
    """The lead activity, or 404 for anyone outside its owner's scope (accounts.access's rule)."""
    try:
        return LeadActivity.objects.visible_to(user).select_related("owner").get(pk=pk)
    except LeadActivity.DoesNotExist:
        raise Http404 from None


def _count_field(label) -> forms.IntegerField:
    return forms.IntegerField(
        label=label,
        required=False,
        max_value=MAX_COUNT,
        widget=forms.NumberInput(attrs={"min": 0, "step": 1, "inputmode": "numeric"}),
    )


class LeadActivityForm(CrmForm):
    """Kind first, then only the counts that kind uses (the template shows them by kind; the server
    ignores the others)."""

    kind = forms.ChoiceField(label=_("Kind"), choices=LeadKind.choices, widget=forms.RadioSelect)
    on = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}))
    ends_on = forms.DateField(
        label=_("Last day"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    owner = forms.ModelChoiceField(label=_("Owner"), queryset=User.objects.none(), required=False)
    name = forms.CharField(label=_("Name (flyer, exhibition or campaign)"), max_length=200, required=False)
    area = forms.CharField(label=_("Area"), max_length=200, required=False)
    channel = forms.CharField(label=_("Channel"), max_length=100, required=False)
    flyers = _count_field(_("Flyers"))
    doors_knocked = _count_field(_("Doors knocked"))
    conversations = _count_field(_("Conversations held"))
    contacts = _count_field(_("Booth contacts"))
    requests = _count_field(_("Referrals asked for"))
    note = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    # Which optional text fields each kind shows.
    TEXTS = {
        LeadKind.FLYER: ("name", "area"),
        LeadKind.DOOR_TO_DOOR: ("area",),
        LeadKind.EXHIBITION: ("name", "ends_on"),
        LeadKind.REFERRAL: (),
        LeadKind.INBOUND: ("name", "channel"),
    }

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        if user.is_admin_role or user.is_manager:
            self.fields["owner"].queryset = visible_users(user).filter(is_active=True)
            self.fields["owner"].label_from_instance = lambda u: u.display_name
            self.fields["owner"].initial = user.pk
        else:
            del self.fields["owner"]

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        kind = data.get("kind")
        if kind:
            # Counts and texts of other kinds are dropped (a switch of kind leaves nothing stale).
            for name in (*COUNT_FIELDS, "name", "area", "channel", "ends_on"):
                if name not in REQUIRED_COUNTS[kind] and name not in self.TEXTS[kind]:
                    data[name] = "" if name in ("name", "area", "channel") else None
                    self.errors.pop(name, None)
        for name in COUNT_FIELDS:
            value = data.get(name)
            if value is not None and value < 0:
                self.add_error(name, NEGATIVE_COUNT)
        if kind:
            for name in REQUIRED_COUNTS[kind]:
                if data.get(name) is None and name not in self.errors:
                    self.add_error(name, COUNT_REQUIRED)
            if kind == LeadKind.EXHIBITION and not (data.get("name") or "").strip():
                self.add_error("name", NAME_REQUIRED)
        on, ends_on = data.get("on"), data.get("ends_on")
        if on and on > timezone.localdate():
            self.add_error("on", IN_FUTURE)
        if on and ends_on and ends_on < on:
            self.add_error("ends_on", END_BEFORE_START)
        doors, talks = data.get("doors_knocked"), data.get("conversations")
        if doors is not None and talks is not None and talks > doors and "conversations" not in self.errors:
            self.add_error("conversations", MORE_CONVERSATIONS)
        return data

    def values(self) -> dict[str, Any]:
        data = self.cleaned_data
        names = ("kind", "on", "ends_on", "name", "area", "channel", "note", *COUNT_FIELDS)
        return {name: data.get(name) for name in names} | {
            "owner": data.get("owner") or self.user,
        }


@transaction.atomic
def lead_activity_create(*, by: User, owner: User, **fields: Any) -> LeadActivity:
    """Save a lead activity for `owner` (by themselves, or by their manager or an admin)."""
    from accounts.access import visible_owner_ids_q

    if not User.objects.filter(visible_owner_ids_q(by, "pk"), pk=owner.pk).exists():
        raise ValidationError(LINK_OUT_OF_SCOPE)
    activity = LeadActivity(owner=owner, created_by=by, **fields)
    activity.full_clean(validate_constraints=False)
    activity.save()
    return activity


# The picker offers the lead activities of the last year (a prospect comes from recent work).
PICK_DAYS = 366


class LeadActivityPickField(forms.ModelChoiceField):
    """A prospect's lead activity: one the user may see from the last PICK_DAYS, or the one it is
    already linked to (kept on an edit even when a reassignment took it out of the user's scope);
    anything else is a form error that says so."""

    default_error_messages = {"invalid_choice": LINK_OUT_OF_SCOPE}

    def __init__(self, *, user: User, current_id: int | None = None, **kwargs: Any) -> None:
        kwargs.setdefault("label", _("Lead activity"))
        kwargs.setdefault("required", False)
        since = timezone.localdate() - dt.timedelta(days=PICK_DAYS)
        offered = LeadActivity.objects.visible_to(user).filter(on__gte=since)
        if current_id is not None:
            offered = offered | LeadActivity.objects.filter(pk=current_id)
        super().__init__(queryset=offered.select_related("owner").order_by("-on", "-id"), **kwargs)
        self.empty_label = _("— none —")

    def label_from_instance(self, obj: LeadActivity) -> str:
        return f"{obj.on:%Y-%m-%d} {obj.get_kind_display()}{' · ' + obj.name if obj.name else ''} ({obj.owner.display_name})"


def source_for(lead_activity: LeadActivity | None, source: str) -> str:
    """A prospect's source: the lead activity's kind when it has one (the kind's code is the source)."""
    return lead_activity.source if lead_activity is not None else source
