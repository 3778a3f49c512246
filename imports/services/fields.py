"""What an import reads: the prospect, company and contact fields a column may map to, their labels, and
the refusal of a whole upload."""

from __future__ import annotations

import re
from typing import Any

from django.utils.translation import gettext_lazy

from companies.columns import DIRECTORY_COLUMNS
from companies.models import Company, Contact
from prospects.models import Prospect

BATCH_SIZE = 2000
PREVIEW_ROWS = 20
MAX_STORED_ERRORS = 10_000
MAX_DISTINCT_VALUES = 50

VALUE_FIELDS = ("status", "horizon", "source", "lost_reason", "owner")
# One column, two fields: each value of a column mapped to one of these may also set another of them
# (a stage column: "Engaging" = open and mid term), kept in the mapping's "also" table.
ALSO_FIELDS = ("status", "horizon", "source", "lost_reason")
PARSED_FIELDS = (
    "probability",
    "amount",
    "won_amount",
    "expected_month",
    "next_activity_on",
    "closed_on",
    "created_at",
)
# A plain check, fast enough for 100,000 rows: one @, no spaces, a dot in the domain.
EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s.]+$")
TEXT_FIELDS = (
    "name",
    "phone",
    "email",
    "address",
    "contact_person",
    "next_activity",
    "notes",
    "competitor",
    "external_id",
)
# Not prospect fields: a row's next activity is planned as an activity (activities.services.planned_for_import).
# Labelled as the prospect export's columns, so an export is guessed back column for column.
PLAN_LABELS = {
    "next_activity": gettext_lazy("Next action"),
    "next_activity_on": gettext_lazy("Next action date"),
}
# Not stored either: a row's currency is checked against the company's (docs/currency.md).
CHECK_LABELS = {"currency": gettext_lazy("Currency")}
PROSPECT_FIELDS = (
    "id",
    # The source system's deal ID: a row with one updates the prospect that has it (matching.ProspectMatcher).
    "external_id",
    "name",
    "owner",
    "status",
    "horizon",
    "probability",
    "expected_month",
    "product",
    "amount",
    "source",
    "contact_person",
    "phone",
    "email",
    "address",
    "next_activity",
    "next_activity_on",
    "notes",
    "created_at",
    "closed_on",
    "won_amount",
    "lost_reason",
    "competitor",
)
# The customer of a row (名寄せ, #19): import field -> the company's (the contact's) field, from the one
# table of companies.columns. A row's company and contact are matched against the existing ones and the
# file's earlier rows (imports/services/directory.py).
COMPANY_FIELDS = {
    key: name for key, (_l, relation, name) in DIRECTORY_COLUMNS.items() if relation == "company"
}
CONTACT_FIELDS = {
    key: name for key, (_l, relation, name) in DIRECTORY_COLUMNS.items() if relation == "contact"
}
DIRECTORY_FIELDS = (*COMPANY_FIELDS, *CONTACT_FIELDS)
IMPORT_FIELDS = (*PROSPECT_FIELDS, *CHECK_LABELS, *DIRECTORY_FIELDS)
# Their labels: on the mapping page, in the dry run and as the prospect export's headers (one table,
# companies.columns), which the import guesses back in either language (parsing.guess_field).
DIRECTORY_LABELS = {key: label for key, (label, _relation, _name) in DIRECTORY_COLUMNS.items()}

TOO_LARGE = gettext_lazy("The file is larger than %(limit)s. Split it into smaller files.")
BAD_FORMAT = gettext_lazy("Upload a .csv or .xlsx file.")
NO_NAME_COLUMN = gettext_lazy(
    "Map a column to “Prospect name” or “Company name” (or to ID, to update existing prospects)."
)
FIELD_TWICE = gettext_lazy("“%(field)s” is mapped from more than one column.")


def field_label(name: str) -> str:
    if name == "id":
        return "ID"
    if name in PLAN_LABELS:
        return str(PLAN_LABELS[name])
    if name in CHECK_LABELS:
        return str(CHECK_LABELS[name])
    if name in DIRECTORY_LABELS:
        return str(DIRECTORY_LABELS[name])
    return str(Prospect._meta.get_field(name).verbose_name)


def directory_field(name: str):
    """The model field a company or contact column fills (its max_length and validators)."""
    if name in COMPANY_FIELDS:
        return Company._meta.get_field(COMPANY_FIELDS[name])
    return Contact._meta.get_field(CONTACT_FIELDS[name])


def field_choices() -> list[tuple[str, str]]:
    return [(name, field_label(name)) for name in IMPORT_FIELDS]


class ImportRefused(ValueError):
    """The upload is refused as a whole (size, type, encoding, structure); `reason` is for the user."""

    def __init__(self, reason: Any) -> None:
        super().__init__(str(reason))
        self.reason = reason
