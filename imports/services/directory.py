"""名寄せ in an import (#19): each row's company and contact matched against the existing records and
against the file's earlier rows, in bulk (one query per batch of rows for their normalised keys), with
the one normalisation of companies/normalize.py (through the models' normalize()).

A row's company is named by its company columns, else by the prospect's own name, phone and address, as
the data migration companies 0002 made them; its contact by its contact columns, else by the contact
person with the prospect's e-mail and phone. A row that updates a prospect links it anew only when the
file has a company (or contact) column. An existing record is attached to as it is (the file does not
change it); a record the file creates takes its first row's values, later rows fill what it lacks (in
memory until its batch is written, then by an UPDATE of the fields still blank: the dry run and the import
give the record the same values).

Matching, in order: the same corporate number; else the same normalised name (a company whose corporate
number differs from the row's is another company), the one with the row's phone first, else the oldest.
A contact: the same normalised name at the same company; without a company, the same name and the same
e-mail or phone.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db.models import Q

from companies.models import Company, Contact, name_norm_in
from imports.services.fields import COMPANY_FIELDS, CONTACT_FIELDS
from salescrm.lib.bulk import copy_insert

CREATE, ATTACH, FILE = "create", "attach", "file"  # new; an existing record; one an earlier row creates
MAX_STORED_MATCHES = 10_000
# The fields of a new company (contact) that later rows of the file may fill, in a fixed order: bit i of
# Written.blanks is the i-th.
FILLABLE: dict[type[Company] | type[Contact], tuple[str, ...]] = {
    Company: tuple(COMPANY_FIELDS.values()),
    Contact: tuple(CONTACT_FIELDS.values()),
}
# What later rows match a written record by, beside its name: a company's 法人番号; the e-mail and phone
# of a contact without a company (_same_reach). A contact at a company is matched by the company and name.
COMPANY_KEYS, REACH_KEYS = ("corporate_number",), ("email_norm", "phone_norm")
_MASKS: dict[int, int] = {}  # one int object a mask of blanks (past 256, each would be a new object)


@dataclass(slots=True)
class Written:
    """A company or contact the file created, once written: what later rows still read of it. The model
    object is let go (a 100,000-row import of new customers kept 200,000 of them to its end)."""

    pk: int
    name: str
    row: int  # the row that created it
    corporate_number: str = ""
    email_norm: str = ""
    phone_norm: str = ""
    blanks: int = 0  # its FILLABLE fields left blank when written, as bits: what later rows may still fill

    @classmethod
    def of(cls, record: Company | Contact, row: int, keys: tuple[str, ...]) -> Written:
        """Only the `keys` later rows match it by are kept."""
        blanks = sum(1 << bit for bit, name in enumerate(FILLABLE[type(record)]) if not getattr(record, name))
        written = cls(record.pk, record.name, row, blanks=_MASKS.setdefault(blanks, blanks))
        for key in keys:
            setattr(written, key, getattr(record, key))
        return written


@dataclass(slots=True)
class Link:
    """What a row's company or contact will be: an existing record (ATTACH), a new one (CREATE) or the new
    one an earlier row of the file creates (FILE)."""

    action: str
    record: Company | Contact | Written
    row: int  # the row that creates it (CREATE, FILE)

    def summary(self) -> dict[str, Any]:
        return {"action": self.action, "id": self.record.pk, "name": self.record.name, "row": self.row}


@dataclass
class Resolution:
    company: Link | None = None
    contact: Link | None = None


@dataclass
class Counts:
    companies_created: int = 0
    companies_attached: int = 0  # rows attached to an existing company
    contacts_created: int = 0
    contacts_attached: int = 0
    matches: list[dict[str, Any]] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        return {
            "companies_created": self.companies_created,
            "companies_attached": self.companies_attached,
            "contacts_created": self.contacts_created,
            "contacts_attached": self.contacts_attached,
            "matches": self.matches,
        }


def _company_values(values: dict[str, Any], *, fallback: bool) -> dict[str, Any]:
    found = {attr: values[f] for f, attr in COMPANY_FIELDS.items() if values.get(f)}
    if fallback:
        for attr, own in (("name", "name"), ("phone", "phone"), ("address", "address")):
            if not found.get(attr) and values.get(own):
                found[attr] = values[own]
    return found if found.get("name") else {}


def _contact_values(values: dict[str, Any], *, fallback: bool) -> dict[str, Any]:
    found = {attr: values[f] for f, attr in CONTACT_FIELDS.items() if values.get(f)}
    if fallback:
        for attr, own in (("name", "contact_person"), ("email", "email"), ("phone", "phone")):
            if not found.get(attr) and values.get(own):
                found[attr] = values[own]
    return found if found.get("name") else {}


class DirectoryMatcher:
    """名寄せ of one import job's rows. `company_columns`/`contact_columns`: the file maps a column to a
    company (contact) field, so updated rows are linked anew."""

    def __init__(self, *, company_columns: bool, contact_columns: bool) -> None:
        self.company_columns = company_columns
        self.contact_columns = contact_columns
        self.counts = Counts()
        # Existing companies by normalised name and by corporate number; names already asked for.
        self._by_name: dict[str, list[dict[str, Any]]] = {}
        self._by_number: dict[str, dict[str, Any]] = {}
        self._asked_names: set[str] = set()
        self._asked_numbers: set[str] = set()
        self._companies: dict[int, Company] = {}  # existing ones attached to, by pk
        # New companies of the file, by normalised name and by corporate number.
        self._new_by_name: dict[str, list[Link]] = {}
        self._new_by_number: dict[str, Link] = {}
        # Contacts: existing ones by (company id, name) and, without a company, by name; new ones by key.
        self._contacts: dict[tuple[Any, str], list[Contact]] = {}
        self._asked_contacts: set[tuple[Any, str]] = set()
        self._new_contacts: dict[tuple[Any, str], list[Link]] = {}
        self._created: dict[int, int] = {}  # id() of a new company not yet written: the row creating it
        self._pending_companies: list[Link] = []
        self._pending_contacts: list[Link] = []
        # What later rows give to the records written in earlier batches: {model: {pk: {field: value}}}.
        self._fills: dict[type[Company] | type[Contact], dict[int, dict[str, Any]]] = {
            Company: {},
            Contact: {},
        }

    # --- the rows of one batch -----------------------------------------------------------------------

    def resolve(self, rows: list[tuple[int, dict[str, Any], Any]]) -> dict[int, Resolution]:
        """{row number: Resolution} for rows = [(number, values, the prospect it updates or None)]."""
        wanted: list[tuple[int, dict[str, Any], dict[str, Any], Any]] = []
        for number, values, prospect in rows:
            creating = prospect is None
            company = _company_values(values, fallback=creating) if creating or self.company_columns else {}
            contact = _contact_values(values, fallback=creating) if creating or self.contact_columns else {}
            if company or contact:
                wanted.append((number, Company(**company) if company else None, contact, prospect))
        for _, company, _, _ in wanted:
            if company is not None:
                company.normalize()
        self._load_companies([c for _, c, _, _ in wanted if c is not None])
        resolved: dict[int, Resolution] = {}
        contact_rows: list[tuple[int, Contact, Any]] = []
        for number, company, contact, prospect in wanted:
            resolution = Resolution()
            if company is not None:
                resolution.company = self._company(number, company)
            if contact:
                person = Contact(**contact)
                person.normalize()
                owner = resolution.company.record if resolution.company else None
                if owner is None and prospect is not None and prospect.company_id:
                    owner = prospect.company_id
                contact_rows.append((number, person, owner))
            resolved[number] = resolution
        self._load_contacts(contact_rows)
        for number, person, owner in contact_rows:
            resolved[number].contact = self._contact(number, person, owner)
        return resolved

    def _load_companies(self, companies: list[Company]) -> None:
        names = {c.name_norm for c in companies} - self._asked_names
        numbers = {c.corporate_number for c in companies if c.corporate_number} - self._asked_numbers
        if not names and not numbers:
            return
        self._asked_names |= names
        self._asked_numbers |= numbers
        rows = (
            Company.objects.current()
            .filter(Q(name_norm_in(names)) | Q(corporate_number__in=numbers))
            .order_by("pk")
            .values("pk", "name", "name_norm", "corporate_number", "phone_norm")
        )
        for row in rows:
            if row["name_norm"] in names:
                self._by_name.setdefault(row["name_norm"], []).append(row)
            if row["corporate_number"]:
                self._by_number.setdefault(row["corporate_number"], row)

    def _existing_company(self, company: Company) -> dict[str, Any] | None:
        if company.corporate_number and company.corporate_number in self._by_number:
            return self._by_number[company.corporate_number]
        candidates = [
            c
            for c in self._by_name.get(company.name_norm, [])
            if not (company.corporate_number and c["corporate_number"])
        ]
        if company.phone_norm:
            for candidate in candidates:
                if candidate["phone_norm"] == company.phone_norm:
                    return candidate
        return candidates[0] if candidates else None

    def _new_company(self, company: Company) -> Link | None:
        if company.corporate_number and company.corporate_number in self._new_by_number:
            return self._new_by_number[company.corporate_number]
        for link in self._new_by_name.get(company.name_norm, []):
            other = link.record.corporate_number
            if not (company.corporate_number and other and other != company.corporate_number):
                return link
        return None

    def _company(self, number: int, company: Company) -> Link:
        if (row := self._existing_company(company)) is not None:
            self.counts.companies_attached += 1
            record = self._companies.get(row["pk"]) or Company(
                pk=row["pk"], name=row["name"], name_norm=row["name_norm"]
            )
            self._companies[row["pk"]] = record
            link = Link(ATTACH, record, number)
            self._note_match(number, "company", link)
            return link
        if (link := self._new_company(company)) is not None:
            self._fill_blanks(link.record, company, COMPANY_KEYS)
            return Link(FILE, link.record, link.row)
        link = Link(CREATE, company, number)
        self.counts.companies_created += 1
        self._pending_companies.append(link)
        self._created[id(company)] = number
        self._new_by_name.setdefault(company.name_norm, []).append(link)
        if company.corporate_number:
            self._new_by_number[company.corporate_number] = link
        return link

    def _contact_key(self, person: Contact, owner: Company | Written | int | None) -> tuple[Any, str]:
        """A new company of the file is known by the row that creates it, written or not."""
        if isinstance(owner, Written):
            return (("new", owner.row), person.name_norm)
        if isinstance(owner, Company):
            row = self._created.get(id(owner))
            return (("new", row) if row is not None else owner.pk, person.name_norm)
        return (owner, person.name_norm)

    def _load_contacts(self, rows: list[tuple[int, Contact, Any]]) -> None:
        keys = {self._contact_key(p, o) for _, p, o in rows}
        # A new company of the file has no contacts to ask for (and its keys need not be remembered).
        keys = {(c, n) for c, n in keys if c is None or isinstance(c, int)} - self._asked_contacts
        self._asked_contacts |= keys
        by_company = [(c, n) for c, n in keys if isinstance(c, int)]
        alone = {n for c, n in keys if c is None}
        if not by_company and not alone:
            return
        # A company's contacts are few: all of them, by the company index, then matched by name here.
        match = Q(company_id__in={c for c, _ in by_company}) if by_company else Q()
        if alone:
            match |= Q(name_norm_in(alone), company__isnull=True)
        for contact in (
            Contact.objects.current()
            .filter(match)
            .order_by("pk")
            .only("pk", "name", "name_norm", "email_norm", "phone_norm", "company_id")
        ):
            key = (contact.company_id, contact.name_norm)
            if key in keys:
                self._contacts.setdefault(key, []).append(contact)

    def _contact(self, number: int, person: Contact, owner: Company | Written | int | None) -> Link:
        key = self._contact_key(person, owner)
        for existing in self._contacts.get(key, []):
            if owner is not None or _same_reach(existing, person):
                self.counts.contacts_attached += 1
                link = Link(ATTACH, existing, number)
                self._note_match(number, "contact", link)
                return link
        for link in self._new_contacts.get(key, []):
            if owner is not None or _same_reach(link.record, person):
                self._fill_blanks(link.record, person, REACH_KEYS if owner is None else ())
                return Link(FILE, link.record, link.row)
        if isinstance(owner, Company):
            person.company = owner
        elif isinstance(owner, Written):
            person.company_id = owner.pk
        elif isinstance(owner, int):
            person.company_id = owner
        link = Link(CREATE, person, number)
        self.counts.contacts_created += 1
        self._pending_contacts.append(link)
        self._new_contacts.setdefault(key, []).append(link)
        return link

    def _note_match(self, number: int, kind: str, link: Link) -> None:
        if len(self.counts.matches) < MAX_STORED_MATCHES:
            self.counts.matches.append(
                {"row": number, "kind": kind, "id": link.record.pk, "name": link.record.name}
            )

    # --- writing -------------------------------------------------------------------------------------

    def write_pending(self) -> None:
        """INSERT the companies and contacts the rows resolved so far create (COPY, with their ids set, so
        the prospects written next point at them)."""
        if self._pending_companies:
            copy_insert(Company, [link.record for link in self._pending_companies], set_pks=True)
        if self._pending_contacts:
            for link in self._pending_contacts:
                if link.record.company is not None:
                    link.record.company_id = link.record.company.pk
            copy_insert(Contact, [link.record for link in self._pending_contacts], set_pks=True)
        # This batch's rows still hold the objects (their prospects take the ids); later rows, the keys.
        for link in self._pending_companies:
            del self._created[id(link.record)]
            link.record = Written.of(link.record, link.row, COMPANY_KEYS)
        for link in self._pending_contacts:
            keys = REACH_KEYS if link.record.company_id is None else ()
            link.record = Written.of(link.record, link.row, keys)
        self._pending_companies, self._pending_contacts = [], []
        self._write_fills()

    def _fill_blanks(
        self, record: Company | Contact | Written, other: Company | Contact, keys: tuple[str, ...]
    ) -> None:
        """A new record of the file takes what a later row adds to its blank fields: the object itself
        until it is written, after that the UPDATE that write_pending makes (and the written record's
        `keys`, as the object's normalize() would have made them)."""
        fields = FILLABLE[type(other)]
        if isinstance(record, Written):
            blanks = record.blanks
            for bit, name in enumerate(fields):
                if blanks & (1 << bit) and (value := getattr(other, name)):
                    blanks &= ~(1 << bit)
                    self._fills[type(other)].setdefault(record.pk, {})[name] = value
            record.blanks = _MASKS.setdefault(blanks, blanks)
            for key in keys:
                if not getattr(record, key):
                    setattr(record, key, getattr(other, key))
            return
        if record.pk is not None:
            return
        changed = False
        for name in fields:
            if not getattr(record, name) and getattr(other, name):
                setattr(record, name, getattr(other, name))
                changed = True
        if changed:
            record.normalize()

    def _write_fills(self) -> None:
        """The fields later rows filled in records of earlier batches: one read a model, and each record
        saved with just those fields (its save() keeps the matching text)."""
        for model, fills in self._fills.items():
            if not fills:
                continue
            for record in model.objects.filter(pk__in=fills):
                values = fills[record.pk]
                for name, value in values.items():
                    setattr(record, name, value)
                record.save(update_fields=list(values))
            fills.clear()


def _same_reach(existing: Contact | Written, person: Contact) -> bool:
    """Two contacts without a company are one person when a name and an e-mail or phone agree."""
    return bool(
        (person.email_norm and existing.email_norm == person.email_norm)
        or (person.phone_norm and existing.phone_norm == person.phone_norm)
    )
