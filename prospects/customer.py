"""The prospect form's customer (名寄せ, #19): the company and the contact a typed name belongs to.

A rep who only types a name is offered the existing company or contact it most likely is
(companies.selectors.likely_companies / likely_contacts: the same normalised name, phone or e-mail, the
one normalisation of companies.normalize) and chooses: attach to it, or create a new one. With htmx the
offer appears as the rep types, with the search box's matches (companies.search) to pick from too.
Without JavaScript, a save with a likely match and no choice comes back with the offer (a form error on
the pick); with no likely match a new company (and contact) is made from what was typed.

What the offer shows of a company or contact is what the directory shares (README, Roles and access):
its name, how many prospects it has across the firm and the month of its latest activity. Never a
deal's name, owner, amount or status: those stay on the pages of the deals the viewer may see.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django import forms
from django.urls import reverse_lazy
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from companies.models import Company, Contact
from companies.search import search_companies, search_contacts
from companies.selectors import likely_companies, likely_contacts
from companies.services import NEW
from salescrm.lib.formrules import CrmForm
from salescrm.lib.params import int_or_none

SUGGESTIONS = 5

PICK_COMPANY = _("This looks like a company we already have: attach the prospect to it, or create a new one.")
PICK_CONTACT = _(
    "This looks like a contact we already have: attach the prospect to them, or create a new one."
)
PICK_GONE = _("The record picked no longer exists: pick again.")


@dataclass
class Option:
    record: Company | Contact
    likely: bool
    checked: bool


@dataclass
class Offer:
    """One pick (the company or the contact): what was chosen and what to offer."""

    field: str  # the form field: company_pick / contact_pick
    typed: str  # the name typed, for "create a new one"
    choice: str = ""  # "", NEW or the picked record's id
    record: Company | Contact | None = None
    gone: bool = False  # an id that is no record the user may pick
    likely: list[Any] = field(default_factory=list)
    options: list[Option] = field(default_factory=list)
    error: str = ""

    @property
    def undecided(self) -> bool:
        return self.choice == ""


def _pick(model: type[Company | Contact], user: User, raw: object) -> tuple[str, Any, bool]:
    """(choice, record, gone) of a posted pick: "" (no choice), NEW, or an id of the directory (a merged
    record stands for the one it was merged into)."""
    raw = raw.strip() if isinstance(raw, str) else ""
    if raw in ("", NEW):
        return raw, None, False
    pk = int_or_none(raw, minimum=1, maximum=2**63 - 1)
    record = model.objects.visible_to(user).filter(pk=pk).first() if pk else None
    for _hop in range(5):
        if record is None or not record.merged_into_id:
            break
        record = model.objects.visible_to(user).filter(pk=record.merged_into_id).first()
    if record is None:
        return "", None, True
    return str(record.pk), record, False


def _options(offer: Offer, similar: list[Any]) -> None:
    seen: set[int] = set()
    for record, likely in [*((r, True) for r in offer.likely), *((r, False) for r in similar)]:
        if record.pk not in seen:
            seen.add(record.pk)
            offer.options.append(Option(record, likely, str(record.pk) == offer.choice))
    if offer.record is not None and offer.record.pk not in seen:
        offer.options.insert(0, Option(offer.record, False, str(offer.record.pk) == offer.choice))


def _keep_current(offer: Offer, current: Callable[[], Any] | None) -> None:
    """No choice posted on a prospect that has its record: it keeps it (read only then), unless the
    name typed anew looks like another record: then the form offers that one beside it first."""
    if offer.undecided and current is not None and not offer.gone:
        offer.record = current()
        if all(record.pk == offer.record.pk for record in offer.likely):
            offer.choice = str(offer.record.pk)


def _posted_pick(pick: object, kept: object) -> object:
    """The edit form posts the prospect's current record with `*_kept` until the rep sees an offer
    (prospects/_company_offer.html): that is no choice, so a name typed anew can still be offered."""
    return "" if kept else pick


def company_offer(
    user: User,
    *,
    name: str,
    phone: str,
    pick: object,
    current: Callable[[], Company] | None = None,
    suggest: bool = False,
) -> Offer:
    """The company pick: the posted choice (else the prospect's current company), and the likely
    companies while nothing is chosen (with the search box's matches as well when `suggest`)."""
    offer = Offer("company_pick", name.strip())
    offer.choice, offer.record, offer.gone = _pick(Company, user, pick)
    if offer.undecided or suggest:
        offer.likely = likely_companies(name, phone)
    _keep_current(offer, current)
    similar: list[Company] = []
    if suggest and offer.typed:
        similar = search_companies(user, name, limit=SUGGESTIONS, deals=True)
    _options(offer, similar)
    return offer


def contact_offer(
    user: User,
    *,
    name: str,
    email: str,
    phone: str,
    pick: object,
    company_id: int | None,
    current: Callable[[], Contact] | None = None,
    suggest: bool = False,
) -> Offer:
    """The contact pick, as company_offer; a blank contact person with no choice is no contact."""
    offer = Offer("contact_pick", name.strip())
    offer.choice, offer.record, offer.gone = _pick(Contact, user, pick)
    if offer.typed and (offer.undecided or suggest):
        offer.likely = likely_contacts(name, email, phone, company_id=company_id)
    _keep_current(offer, current)
    similar: list[Contact] = []
    if suggest and offer.typed:
        similar = search_contacts(user, name, limit=SUGGESTIONS, deals=True)
    _options(offer, similar)
    return offer


def _hx(url: str, target: str, include: str) -> dict[str, Any]:
    """The htmx attributes of a name input that redraws its offer as the rep types (debounced)."""
    return {
        "hx-get": url,
        "hx-trigger": "input changed delay:400ms",
        "hx-target": target,
        "hx-swap": "outerHTML",
        "hx-include": include,
        "hx-sync": "this:replace",
        "autocomplete": "off",
    }


COMPANY_HX = _hx(
    reverse_lazy("prospects:company_offer"), "#company-offer", "#id_phone, [name='company_pick']"
)
CONTACT_HX = _hx(
    reverse_lazy("prospects:contact_offer"),
    "#contact-offer",
    "#id_email, #id_phone, [name='company_pick'], [name='contact_pick']",
)


class CustomerPicks:
    """For a form with name, contact_person, phone and email: the company and contact picks. After
    clean(), cleaned_data holds `company` (a Company or NEW) and `contact` (a Contact, NEW or None)."""

    company_offer: Offer | None = None
    contact_offer: Offer | None = None

    def _customer_fields(self, instance: Any = None) -> None:
        fields = self.fields  # type: ignore[attr-defined]
        for name in ("company_pick", "contact_pick"):
            fields[name] = forms.CharField(required=False, max_length=20, widget=forms.HiddenInput)
            fields[name.replace("_pick", "_kept")] = forms.BooleanField(
                required=False, widget=forms.HiddenInput
            )
        fields["name"].widget.attrs.update(COMPANY_HX)
        fields["contact_person"].widget.attrs.update(CONTACT_HX)
        if instance is not None and instance.pk:
            # The form shows the prospect's company and contact until the rep picks another.
            if instance.company_id:
                self.company_offer = Offer("company_pick", "", str(instance.company_id), instance.company)
            if instance.contact_id:
                self.contact_offer = Offer("contact_pick", "", str(instance.contact_id), instance.contact)

    def _clean_customer(self, user: User, instance: Any = None, *, suggest: bool = False) -> None:
        """The picks of a bound form. A new prospect gets a company (and a contact when a person is
        typed): the one picked, else a new one unless a likely one is offered first. An edit changes
        them only when the rep picks, and offers a likely one only for a name they typed anew."""
        data = self.cleaned_data  # type: ignore[attr-defined]
        linked = bool(instance is not None and instance.pk)
        typed = {key: data.get(key) or "" for key in ("name", "contact_person", "phone", "email")}
        if linked and all(typed[key] == getattr(instance, key) for key in typed):
            typed = dict.fromkeys(typed, "")  # nothing typed anew: nothing to offer
        name, person = data.get("name") or "", data.get("contact_person") or ""
        company = company_offer(
            user,
            name=typed["name"],
            phone=typed["phone"],
            pick=_posted_pick(data.pop("company_pick", ""), data.pop("company_kept", False)),
            current=(lambda: instance.company) if linked and instance.company_id else None,
            suggest=suggest,
        )
        company.typed = name.strip()
        contact = contact_offer(
            user,
            name=typed["contact_person"],
            email=typed["email"],
            phone=typed["phone"],
            pick=_posted_pick(data.pop("contact_pick", ""), data.pop("contact_kept", False)),
            company_id=company.record.pk if company.record is not None else None,
            current=(lambda: instance.contact) if linked and instance.contact_id else None,
            suggest=suggest,
        )
        contact.typed = person.strip()
        self.company_offer, self.contact_offer = company, contact
        if suggest:
            return
        for offer, message in ((company, PICK_COMPANY), (contact, PICK_CONTACT)):
            if offer.gone:
                offer.error = str(PICK_GONE)
            elif offer.undecided and offer.likely:
                offer.error = str(message)
            if offer.error:
                self.add_error(offer.field if offer.field in self.fields else None, offer.error)  # type: ignore[attr-defined]
        for key, offer, current_id in (
            ("company", company, instance.company_id if linked else None),
            ("contact", contact, instance.contact_id if linked else None),
        ):
            if offer.record is not None and offer.record.pk != current_id:
                data[key] = offer.record
            elif offer.typed and (offer.choice == NEW or (offer.undecided and not linked)):
                data[key] = NEW


class CustomerOfferForm(CustomerPicks, CrmForm):
    """What the prospect form's offers read while the rep types (prospects:company_offer and
    prospects:contact_offer): the same picks, with the search box's matches; nothing is saved."""

    name = forms.CharField(required=False, max_length=200)
    contact_person = forms.CharField(required=False, max_length=100)
    phone = forms.CharField(required=False, max_length=40)
    email = forms.CharField(required=False, max_length=254)

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        self._customer_fields()

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        self._clean_customer(self.user, suggest=True)
        return data
