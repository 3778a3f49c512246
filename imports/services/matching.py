"""Which existing prospect a row of an import updates (None: a new one): by its ID, else by its external
ID, else by its name and owner, among the prospects the importer may see; each refusal is the row's
error (a duplicate in the file, an ID that exists while "update existing" is off, ...)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from django.utils.translation import gettext_lazy, ngettext_lazy

from accounts.models import User
from imports.services.outcome import Outcome
from imports.services.rules import MISSING_NAME
from imports.services.rules import row_error as _error
from prospects.models import Prospect

if TYPE_CHECKING:
    from imports.services.validation import ParsedRow

UNKNOWN_ID = gettext_lazy("No prospect with this ID that you may see.")
DUPLICATE_IN_FILE = gettext_lazy("The same prospect appears in row %(row)s of this file.")
# A name the import made from the company and product: the cell shows a name the file never wrote.
DUPLICATE_UNNAMED_IN_FILE = gettext_lazy(
    "This row has no name of its own, and the one made from its company and product is row %(row)s's "
    "too, with the same owner: map a column that names each deal."
)
DUPLICATE_EXISTS = gettext_lazy(
    "A prospect with this name and owner already exists (ID %(id)s). Tick “Update existing prospects” to update it."
)
ID_EXISTS = gettext_lazy("Prospect ID %(id)s exists. Tick “Update existing prospects” to update it.")
AMBIGUOUS_EXISTING = ngettext_lazy(
    "%(count)s existing prospect has this name and owner; add an ID column to say which one to update.",
    "%(count)s existing prospects have this name and owner; add an ID column to say which one to update.",
    "count",
)
EXTERNAL_ID_EXISTS = gettext_lazy(
    "A prospect with this external ID already exists (ID %(id)s). Tick “Update existing prospects” to update it."
)
EXTERNAL_ID_ELSEWHERE = gettext_lazy("Another prospect (ID %(id)s) has this external ID.")
EXTERNAL_ID_HIDDEN = gettext_lazy("Another prospect, one you may not see, has this external ID.")


class ProspectMatcher:
    """The prospects the importer may see, read once (ids, names and owners, external IDs), and the
    rows seen so far, so that one prospect is updated by one row only."""

    def __init__(
        self, by: User, *, update_duplicates: bool, external_ids: bool, header: Callable[[str], str]
    ) -> None:
        self.update_duplicates = update_duplicates
        self.header = header  # a field's column heading in the file, for the errors
        visible = Prospect.objects.visible_to(by)
        # A prospect by (name, owner), and how many share a (name, owner) that two or more have: an int, not
        # a list, for each of the 100,000 (docs/performance.md, the import's memory).
        self.existing_by_key: dict[tuple[str, int], int] = {}
        self.shared_keys: dict[tuple[str, int], int] = {}
        self.visible_ids: set[int] = set()
        for pk, name, owner_id in visible.values_list("pk", "name", "owner_id").iterator(chunk_size=5000):
            self.visible_ids.add(pk)
            key = (name.strip(), owner_id)
            if key in self.existing_by_key:
                self.shared_keys[key] = self.shared_keys.get(key, 1) + 1
            else:
                self.existing_by_key[key] = pk
        self.seen_keys: dict[tuple[str, Any], int] = {}
        # Every prospect's external ID, visible or not (the IDs are unique across all of them), when a
        # column holds them; the rows' own, to refuse one ID twice in a file.
        self.existing_by_external_id: dict[str, int] = {}
        if external_ids:
            self.existing_by_external_id = dict(
                Prospect.objects.exclude(external_id="")
                .values_list("external_id", "pk")
                .iterator(chunk_size=5000)
            )
        self.seen_external_ids: dict[str, int] = {}
        self.seen_ids: dict[int, int] = {}

    def match(self, row: ParsedRow, outcome: Outcome) -> int | None:
        """The prospect a row updates (None: a new one), or None with the row's error: by its ID; else
        by its external ID; else by its name and owner. A row's external ID is another row's or another
        prospect's nowhere: the one rule that lets one customer's deals share a name and an owner."""
        name = str(row.values.get("name", "")).strip()
        owner_ref: Any = row.owner.pk if isinstance(row.owner, User) else ("new", row.owner.key)
        external_id = row.values.get("external_id", "")
        if external_id and not self._external_id_free(row, external_id, outcome):
            return None
        if "id" in row.values:
            pk = row.values["id"]
            if pk not in self.visible_ids:
                outcome.add_error(_error(row.number, self.header("id"), str(pk), UNKNOWN_ID))
                return None
            if pk in self.seen_ids:
                outcome.add_error(
                    _error(
                        row.number,
                        self.header("id"),
                        str(pk),
                        DUPLICATE_IN_FILE % {"row": self.seen_ids[pk]},
                    )
                )
                return None
            self.seen_ids[pk] = row.number
            holder = self.existing_by_external_id.get(external_id) if external_id else None
            if holder is not None and holder != pk:
                reason = (
                    EXTERNAL_ID_ELSEWHERE % {"id": holder}
                    if holder in self.visible_ids
                    else EXTERNAL_ID_HIDDEN
                )
                outcome.add_error(_error(row.number, self.header("external_id"), external_id, reason))
                return None
            if not self.update_duplicates:
                outcome.add_error(_error(row.number, self.header("id"), str(pk), ID_EXISTS % {"id": pk}))
                return None
            return pk
        if external_id:
            # The external ID says which deal the row is: never a duplicate of a row or prospect of the
            # same name and owner (one customer's deals of one product, "<company> <product>").
            pk = self.existing_by_external_id.get(external_id)
            if pk is None:
                return None
            if pk not in self.visible_ids:
                outcome.add_error(
                    _error(row.number, self.header("external_id"), external_id, EXTERNAL_ID_HIDDEN)
                )
                return None
            if pk in self.seen_ids:  # an earlier row names the same prospect by its ID
                reason = DUPLICATE_IN_FILE % {"row": self.seen_ids[pk]}
                outcome.add_error(_error(row.number, self.header("external_id"), external_id, reason))
                return None
            self.seen_ids[pk] = row.number
            if not self.update_duplicates:
                outcome.add_error(
                    _error(
                        row.number, self.header("external_id"), external_id, EXTERNAL_ID_EXISTS % {"id": pk}
                    )
                )
                return None
            return pk
        if not name:
            outcome.add_error(_error(row.number, self.header("name"), "", MISSING_NAME))
            return None
        key = (name, owner_ref)
        if key in self.seen_keys:
            duplicate = DUPLICATE_UNNAMED_IN_FILE if row.named_by_import else DUPLICATE_IN_FILE
            outcome.add_error(
                _error(row.number, self.header("name"), name, duplicate % {"row": self.seen_keys[key]})
            )
            return None
        self.seen_keys[key] = row.number
        found = self.existing_by_key.get(key) if isinstance(owner_ref, int) else None
        if found is None:
            return None
        if shared := self.shared_keys.get(key):
            outcome.add_error(
                _error(row.number, self.header("name"), name, AMBIGUOUS_EXISTING % {"count": shared})
            )
            return None
        if not self.update_duplicates:
            outcome.add_error(_error(row.number, self.header("name"), name, DUPLICATE_EXISTS % {"id": found}))
            return None
        return found

    def _external_id_free(self, row: ParsedRow, external_id: str, outcome: Outcome) -> bool:
        """The row's external ID is in no earlier row of the file (else the row's error)."""
        earlier = self.seen_external_ids.setdefault(external_id, row.number)
        if earlier == row.number:
            return True
        outcome.add_error(
            _error(row.number, self.header("external_id"), external_id, DUPLICATE_IN_FILE % {"row": earlier})
        )
        return False
