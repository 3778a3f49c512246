"""A prospect's company and contact as export columns (#19): the prospect list's CSV and xlsx carry them
after the prospect's own columns, and the import maps each of these headers back to the same field (in
Japanese and in English: imports.parsing.guess_field reads the labels), so an export round-trips."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.utils.translation import gettext_lazy as _

from salescrm.lib.export import Column

# import field -> (label, the prospect's related record, its field)
DIRECTORY_COLUMNS: dict[str, tuple[Any, str, str]] = {
    "company_name": (_("Company name"), "company", "name"),
    "company_furigana": (_("Company furigana"), "company", "furigana"),
    "company_corporate_number": (_("Corporate number"), "company", "corporate_number"),
    "company_phone": (_("Company phone"), "company", "phone"),
    "company_address": (_("Company address"), "company", "address"),
    "company_industry": (_("Industry"), "company", "industry"),
    "company_website": (_("Company website"), "company", "website"),
    "contact_name": (_("Contact name"), "contact", "name"),
    "contact_furigana": (_("Contact furigana"), "contact", "furigana"),
    "contact_title": (_("Contact job title"), "contact", "title"),
    "contact_department": (_("Contact department"), "contact", "department"),
    "contact_email": (_("Contact e-mail"), "contact", "email"),
    "contact_phone": (_("Contact phone"), "contact", "phone"),
}


def _value(relation: str, name: str) -> Callable[[Any], str]:
    def value(prospect: Any) -> str:
        record = getattr(prospect, relation)
        return getattr(record, name) if record is not None else ""

    return value


# Export only (not on screen); the list's queryset is read with select_related("company", "contact").
EXPORT_COLUMNS = tuple(
    Column(key, label, _value(relation, name), on_screen=False)
    for key, (label, relation, name) in DIRECTORY_COLUMNS.items()
)
