"""What an import reads: the prospect fields a column may map to, their labels, and the refusal of a
whole upload."""

from __future__ import annotations

import re
from typing import Any

from django.utils.translation import gettext_lazy

from prospects.models import Prospect

BATCH_SIZE = 2000
PREVIEW_ROWS = 20
MAX_STORED_ERRORS = 10_000
MAX_DISTINCT_VALUES = 50

VALUE_FIELDS = ("status", "horizon", "source", "lost_reason", "owner")
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
TEXT_FIELDS = ("name", "phone", "email", "address", "contact_person", "next_activity", "notes", "competitor")
# Not prospect fields: a row's next activity is planned as an activity (activities.services.planned_for_import).
# Labelled as the prospect export's columns, so an export is guessed back column for column.
PLAN_LABELS = {
    "next_activity": gettext_lazy("Next action"),
    "next_activity_on": gettext_lazy("Next action date"),
}
IMPORT_FIELDS = (
    "id",
    "name",
    "owner",
    "status",
    "horizon",
    "probability",
    "expected_month",
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
# Fields an update may change; "id" only finds the row.
WRITABLE_FIELDS = tuple(f for f in IMPORT_FIELDS if f != "id")

TOO_LARGE = gettext_lazy("The file is larger than %(limit)s. Split it into smaller files.")
BAD_FORMAT = gettext_lazy("Upload a .csv or .xlsx file.")
NO_NAME_COLUMN = gettext_lazy("Map a column to “Prospect name” (or to ID, to update existing prospects).")
FIELD_TWICE = gettext_lazy("“%(field)s” is mapped from more than one column.")


def field_label(name: str) -> str:
    if name == "id":
        return "ID"
    if name in PLAN_LABELS:
        return str(PLAN_LABELS[name])
    return str(Prospect._meta.get_field(name).verbose_name)


def field_choices() -> list[tuple[str, str]]:
    return [(name, field_label(name)) for name in IMPORT_FIELDS]


class ImportRefused(ValueError):
    """The upload is refused as a whole (size, type, encoding, structure); `reason` is for the user."""

    def __init__(self, reason: Any) -> None:
        super().__init__(str(reason))
        self.reason = reason
