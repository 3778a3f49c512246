"""Validation of rows: each cell parsed, each row matched to the prospect it updates (or none) and
checked against the outcome rules, against the users and prospects the importer may touch; each row's
company and contact matched (名寄せ, imports/services/directory.py)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.utils import timezone
from django.utils.translation import gettext_lazy

from accounts.models import User
from accounts.names import split_name
from activities.models import Activity
from companies.models import validate_corporate_number
from imports import parsing
from imports.models import ImportJob
from imports.selectors import owner_index
from imports.services.dates import import_job_date_order
from imports.services.directory import DirectoryMatcher, Resolution
from imports.services.fields import (
    ALSO_FIELDS,
    COMPANY_FIELDS,
    CONTACT_FIELDS,
    DIRECTORY_FIELDS,
    EMAIL_RE,
    PARSED_FIELDS,
    PREVIEW_ROWS,
    TEXT_FIELDS,
    directory_field,
    field_label,
)
from imports.services.matching import ProspectMatcher
from imports.services.outcome import Outcome
from imports.services.rules import company_currency, outcome_errors
from imports.services.rules import row_error as _error
from products.models import Product
from prospects.models import Horizon, LostReason, Prospect, Source, Status, suggest_horizon
from salescrm.lib.export import unescape_cell
from salescrm.lib.params import int_or_none
from salescrm.templatetags.crm import format_month

TOO_LONG = gettext_lazy("Too long: at most %(max)s characters.")
BAD_EMAIL = gettext_lazy("Not a valid e-mail address.")
BAD_WEBSITE = gettext_lazy("Not a web address. Write it as https://www.example.co.jp/.")
UNKNOWN_VALUE = gettext_lazy("Unknown value. Use one of: %(choices)s (or map it on the mapping page).")
UNKNOWN_OWNER = gettext_lazy("No user with this name, username or e-mail among the users you may assign.")
AMBIGUOUS_OWNER = gettext_lazy("More than one user matches; use the username or e-mail instead.")
ONLY_OWN = gettext_lazy("You can import only your own prospects.")
TOO_MANY_CELLS = gettext_lazy("This row has %(cells)s cells but the header has %(columns)s columns.")
BAD_ID = gettext_lazy("Not a prospect ID.")
DATABASE_REFUSED = gettext_lazy("The database refused the import: %(error)s")
UNKNOWN_PRODUCT = gettext_lazy(
    "No product “%(value)s” in the product list. Add it to the product list (admin) first, then check the file again."
)
AMBIGUOUS_PRODUCT = gettext_lazy(
    "More than one product of the product list is named “%(value)s”; rename one of them (admin) first."
)


@dataclass
class NewOwner:
    key: str
    raw: str
    username: str
    last_name: str = ""
    first_name: str = ""
    email: str = ""
    user: User | None = None

    @property
    def display_name(self) -> str:
        return User.format_name(self.last_name, self.first_name, self.username)


@dataclass
class ParsedRow:
    number: int
    values: dict[str, Any]
    owner: User | NewOwner
    lost_note: str = ""
    owner_given: bool = False
    # The fields whose cell could not be read: the rules that need their value are skipped, every
    # other rule still runs, so one dry run reports every error of the row.
    failed: set[str] = field(default_factory=set)
    # The name was made from the company and product (the file has none for this row).
    named_by_import: bool = False


def product_key(name: str) -> str:
    """A product's name as a file may write it: case and width (全角/半角) do not matter."""
    return parsing.normalize(name).casefold()


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value).strip()


def _choice_list(field_name: str) -> str:
    choices = {"status": Status, "horizon": Horizon, "source": Source, "lost_reason": LostReason}[field_name]
    return "、".join(str(c.label) for c in choices)


class RowValidator:
    """Parses and checks rows of one job against the users and prospects the importer may touch."""

    def __init__(self, job: ImportJob, *, lock: bool) -> None:
        self.job = job
        self.by: User = job.created_by
        self.lock = lock
        self.headers = [h["name"] for h in job.headers]
        columns = job.mapping.get("columns", {})
        self.columns = {i: columns[h] for i, h in enumerate(self.headers) if columns.get(h)}
        self.values_map: dict[str, dict[str, str]] = {
            f: {parsing.owner_key(k) if f == "owner" else k: v for k, v in m.items()}
            for f, m in job.mapping.get("values", {}).items()
        }
        self.also_map: dict[str, dict[str, dict[str, str]]] = job.mapping.get("also", {})
        self._also_cache: dict[tuple[str, str], dict[str, str]] = {}
        # For lost rows without a reason (the mapping page's choice); "" keeps the rule.
        default = job.mapping.get("defaults", {}).get("lost_reason", "")
        self.lost_reason_default = default if default in LostReason.values else ""
        self.date_order = import_job_date_order(job=job).order
        self.create_owners = bool(job.options.get("create_owners")) and self.by.is_admin_role
        self.may_assign = self.by.is_admin_role or self.by.is_manager
        self._owner_index: dict[str, list[User]] = {}
        if self.may_assign and "owner" in self.columns.values():
            self._owner_index = owner_index(self.by)
        self._users_by_id = {user.pk: user for users in self._owner_index.values() for user in users}
        self.new_owners: dict[str, NewOwner] = {}
        self.matcher = ProspectMatcher(
            self.by,
            update_duplicates=bool(job.options.get("update_duplicates")),
            external_ids="external_id" in self.columns.values(),
            header=self._header,
        )
        self._cache: dict[tuple[str, str], Any] = {}
        self._horizons: dict[Any, str] = {}
        self._max_length = {
            f: Prospect._meta.get_field(f).max_length for f in TEXT_FIELDS if f != "next_activity"
        }
        self._max_length["next_activity"] = Activity._meta.get_field("subject").max_length
        # New rows start from the model defaults, computed once (created_at = the start of the run).
        defaults = {f.attname: f.get_default() for f in Prospect._meta.concrete_fields}
        defaults["source"] = Source.OTHER
        self._default_values = list(defaults.values())
        mapped = set(self.columns.values())
        self.directory = DirectoryMatcher(
            company_columns=bool(mapped & set(COMPANY_FIELDS)),
            contact_columns=bool(mapped & set(CONTACT_FIELDS)),
        )
        self._max_length.update({f: directory_field(f).max_length for f in DIRECTORY_FIELDS})
        self._name_length = Prospect._meta.get_field("name").max_length
        self._attnames = {f.name: f.attname for f in Prospect._meta.concrete_fields}
        self.fill_amount = bool(job.options.get("fill_amount_from_product"))
        self._products: dict[str, list[Product]] = {}
        if "product" in mapped:
            # Inactive products too: an old deal names what was sold then.
            for product in Product.objects.all():
                self._products.setdefault(product_key(product.name), []).append(product)

    # Per-cell parsing: returns the value or raises ParseError.
    def _parse(self, name: str, value: Any) -> Any:
        if name in ("probability",):
            return parsing.parse_probability(value)
        if name in ("amount", "won_amount"):
            return parsing.parse_amount(value)
        if name == "expected_month":
            return parsing.parse_month(value, self.date_order)
        if name in ("next_activity_on", "closed_on", "created_at"):
            return parsing.parse_date(value, self.date_order)
        if name in ("status", "horizon", "source"):
            raw = _cell_text(value)
            code = self.values_map.get(name, {}).get(raw) or parsing.guess_value(name, raw)
            if code is None:
                raise parsing.ParseError(UNKNOWN_VALUE % {"choices": _choice_list(name)})
            return code
        if name == "product":
            text = _cell_text(value)
            found = self._products.get(product_key(text), [])
            if len(found) != 1:
                raise parsing.ParseError((AMBIGUOUS_PRODUCT if found else UNKNOWN_PRODUCT) % {"value": text})
            return found[0]
        if name == "id":
            number = int_or_none(parsing.normalize(value), minimum=1)
            if number is None:
                raise parsing.ParseError(BAD_ID)
            return number
        text = _cell_text(value)
        if name == "company_corporate_number":
            text = "".join(parsing.normalize(text).replace("-", "").split())
            try:
                validate_corporate_number(text)
            except ValidationError as exc:
                raise parsing.ParseError(exc.messages[0]) from None
        max_length = self._max_length.get(name)
        if max_length and len(text) > max_length:
            raise parsing.ParseError(TOO_LONG % {"max": max_length})
        if name in ("email", "contact_email") and not EMAIL_RE.match(text):
            raise parsing.ParseError(BAD_EMAIL)
        if name == "company_website":
            try:
                URLValidator()(text)
            except ValidationError:
                raise parsing.ParseError(BAD_WEBSITE) from None
        return text

    def _owner(self, raw: Any) -> User | NewOwner:
        text = _cell_text(raw)
        if not text:
            return self.by
        key = parsing.owner_key(text)
        if not self.may_assign:
            if key in parsing.owner_keys(
                self.by.username, self.by.last_name, self.by.first_name, self.by.email
            ):
                return self.by
            raise parsing.ParseError(ONLY_OWN)
        mapped = self.values_map.get("owner", {}).get(key)
        if int_or_none(mapped) in self._users_by_id:
            return self._users_by_id[int_or_none(mapped)]
        matches = self._owner_index.get(key, [])
        if len(matches) == 1:
            return matches[0]
        if len(matches) > 1:
            raise parsing.ParseError(AMBIGUOUS_OWNER)
        if self.create_owners:
            if key not in self.new_owners:
                self.new_owners[key] = _new_owner(key, text)
            return self.new_owners[key]
        raise parsing.ParseError(UNKNOWN_OWNER)

    def _cached(self, name: str, raw: Any, text: str) -> tuple[Any, str]:
        """(value, lost-reason note) of a non-empty cell; ParseError re-raised. Repeated values
        (owners, months, statuses, amounts) are parsed once."""
        key = (name, text)
        hit = self._cache.get(key)
        if hit is None:
            try:
                if name == "owner":
                    hit = (self._owner(text), "")
                elif name == "lost_reason":
                    code = self.values_map.get("lost_reason", {}).get(text) or parsing.guess_value(
                        "lost_reason", text
                    )
                    # Reasons outside the list count as "other"; the words are kept in the outcome note.
                    hit = (code, "") if code else (LostReason.OTHER, text)
                elif name == "currency":
                    hit = (company_currency(text), "")
                else:
                    hit = (self._parse(name, raw if name in PARSED_FIELDS else text), "")
            except parsing.ParseError as exc:
                hit = exc
            if name not in TEXT_FIELDS and name not in DIRECTORY_FIELDS and len(self._cache) < 200_000:
                self._cache[key] = hit
        if isinstance(hit, parsing.ParseError):
            raise hit
        return hit

    def _also(self, name: str, text: str) -> dict[str, str]:
        """What a value of a `name` column sets besides `name`: the mapping's choice, else the guess."""
        key = (name, text)
        hit = self._also_cache.get(key)
        if hit is None:
            chosen = self.also_map.get(name, {}).get(text)
            hit = chosen if chosen is not None else parsing.guess_also(name, text)
            if len(self._also_cache) < 200_000:
                self._also_cache[key] = hit
        return hit

    def parse_row(self, number: int, cells: list[Any]) -> tuple[ParsedRow | None, list[dict[str, Any]]]:
        errors: list[dict[str, Any]] = []
        width = len(self.headers)
        if len(cells) > width and any(_cell_text(v) for v in cells[width:]):
            errors.append(_error(number, "", "", TOO_MANY_CELLS % {"cells": len(cells), "columns": width}))
        values: dict[str, Any] = {}
        owner: User | NewOwner = self.by
        owner_given = False
        lost_note = ""
        failed: set[str] = set()
        also: dict[str, Any] = {}
        for index, name in self.columns.items():
            raw = cells[index] if index < len(cells) else None
            text = unescape_cell(raw.strip()) if isinstance(raw, str) else _cell_text(raw)
            if not text:
                continue
            try:
                parsing.check_characters(text)
                value, note = self._cached(name, raw, text)
            except parsing.ParseError as exc:
                errors.append(_error(number, self.headers[index], text, exc.reason))
                failed.add(name)
                continue
            if name == "owner":
                owner, owner_given = value, True
            else:
                values[name] = value
                lost_note = note or lost_note
            if name in ALSO_FIELDS:
                for other, code in self._also(name, text).items():
                    also.setdefault(other, code)  # two columns setting one field: the first wins
        for other, code in also.items():
            if other not in failed:  # a field's own column wins where its cell is not empty
                values.setdefault(other, code)
        named_by_import = (
            "name" not in values
            and "id" not in values
            and bool(values.get("company_name"))
            and not {"name", "id"} & failed
        )
        if named_by_import:
            # A deal without a name of its own: its company's and its product's, so a customer's deals
            # of different products are not duplicates of each other (a prospect is one name and owner).
            product = values.get("product")
            name = f"{values['company_name']} {product.name}" if product else values["company_name"]
            values["name"] = name[: self._name_length]
        # A row with unreadable cells goes on to the other rules: all its errors in one dry run.
        return ParsedRow(number, values, owner, lost_note, owner_given, failed, named_by_import), errors

    def resolve(
        self, rows: list[ParsedRow], outcome: Outcome
    ) -> tuple[list[Prospect], list[tuple[Prospect, list[str]]], list[Prospect]]:
        """Match rows to existing prospects, merge, check the outcome rules; returns (to create, to
        update with the fields that change, unchanged: the existing prospects a row leaves as they are)."""
        matched: dict[int, int] = {}
        # Rows whose prospect is not known (a key cell unreadable, or the match itself an error): only
        # the rules that read the row alone are checked, not those that depend on the prospect updated.
        unknown: set[int] = set()
        for row in rows:
            if _key_unreadable(row):
                unknown.add(row.number)
                continue
            errors_before = outcome.error_count
            target = self.matcher.match(row, outcome)
            if outcome.error_count > errors_before:
                unknown.add(row.number)
            elif target is not None:
                matched[row.number] = target
        existing: dict[int, Prospect] = {}
        if matched:
            qs = Prospect.objects.filter(pk__in=set(matched.values()))
            if self.lock:
                qs = qs.select_for_update()
            existing = qs.in_bulk()
        creates: list[Prospect] = []
        updates: list[tuple[Prospect, list[str]]] = []
        unchanged: list[Prospect] = []
        valid: list[tuple[ParsedRow, Prospect, Prospect | None, list[str]]] = []
        for row in rows:
            pk = matched.get(row.number)
            prospect = existing.get(pk) if pk else None
            target, changed, errors = self._merge(row, prospect, known=row.number not in unknown)
            for error in errors:
                outcome.add_error(error)
            if row.number in outcome.error_rows:
                continue
            outcome.lost_reason_defaults += getattr(target, "_lost_reason_default", False)
            valid.append((row, target, prospect, changed))
        # 名寄せ of the rows that passed, in bulk, in file order.
        links = self.directory.resolve([(row.number, row.values, prospect) for row, _, prospect, _ in valid])
        for row, target, prospect, changed in valid:
            link = links.get(row.number) or Resolution()
            target._link = link  # type: ignore[attr-defined]
            action = "create"
            if prospect is None:
                creates.append(target)
            else:
                changed += [name for name in ("company", "contact") if _relinks(link, name, prospect)]
                if changed:
                    updates.append((target, changed))
                    action = "update"
                else:
                    unchanged.append(target)
                    action = "unchanged"
            if len(outcome.preview) < PREVIEW_ROWS:
                outcome.preview.append(_preview(row, target, action=action, link=link))
        outcome.directory = self.directory.counts.as_json()
        return creates, updates, unchanged

    def _header(self, name: str) -> str:
        for index, mapped in self.columns.items():
            if mapped == name:
                return self.headers[index]
        if name == "name" and "company_name" in self.columns.values():
            return self._header("company_name")  # the prospect is named after its company
        return field_label(name)

    def _merge(
        self, row: ParsedRow, prospect: Prospect | None, *, known: bool = True
    ) -> tuple[Prospect, list[str], list[dict[str, Any]]]:
        """The row's values set on its prospect (a new one when `prospect` is None), what changed, and
        the row's errors against the outcome rules (empty when the row may be written). `known` False:
        which prospect the row updates is not known, so only the rules that read the row alone run."""
        values = {k: v for k, v in row.values.items() if k not in DIRECTORY_FIELDS}
        values.pop("id", None)
        values.pop("currency", None)  # checked with the cell: the company's currency
        if row.named_by_import and prospect is not None:
            # A name made from the company and product names a new deal; the deal a row updates keeps
            # its own (a name match found it under that name; an external ID match may not have).
            values.pop("name", None)
        if values.get("won_amount") == 0:
            values.pop("won_amount")  # zero says nothing: CRM exports write 0 on open and lost deals
        # The next activity is not the prospect's: planned once the row is written (imports.services.run).
        plan = (values.pop("next_activity", ""), values.pop("next_activity_on", None))
        if "created_at" in values:
            day = values["created_at"]
            if prospect is not None and timezone.localdate(prospect.created_at) == day:
                values.pop("created_at")  # its own day (an export of ours): the time of day stays
            else:
                values["created_at"] = timezone.make_aware(dt.datetime(day.year, day.month, day.day))
        if row.lost_note and not values.get("outcome_note"):
            values["outcome_note"] = row.lost_note
        if prospect is None:
            month = values.get("expected_month")
            if "horizon" not in values:
                if month not in self._horizons:
                    self._horizons[month] = suggest_horizon(month)
                values["horizon"] = self._horizons[month]
            # Every field's value by position: Model.__init__'s fast path (the one Model.from_db takes).
            target = Prospect(*self._default_values)
            target.owner = self.by
        else:
            target = prospect
            before = dict(prospect.__dict__)  # to tell what the row changes, below
            # A horizon that followed the old month follows the new one, as on the edit form; one the
            # rep chose on purpose (unlike the old month's suggestion) stays.
            if "expected_month" in values and "horizon" not in values and prospect.horizon_follows_month:
                values["horizon"] = suggest_horizon(values["expected_month"])
        if isinstance(row.owner, User):
            # An update changes the owner only when the file names one; a blank cell keeps it.
            if prospect is None or row.owner_given:
                target.owner = row.owner
        else:
            # The owner is created (and set) when the batch is written.
            target._new_owner = row.owner  # type: ignore[attr-defined]
        for key, value in values.items():
            setattr(target, key, value)
        errors = outcome_errors(
            number=row.number,
            values=values,
            target=target,
            failed=row.failed,
            known=known,
            header=self._header,
            lost_reason_default=self.lost_reason_default,
        )
        written = {*values, "owner", "closed_on", "won_amount", "lost_reason"}
        if self.fill_amount and values.get("product") and "amount" not in values and not target.amount:
            # The mapping's "fill an empty amount from the product's list price" (a won amount is
            # never invented: a won row without one still needs the file's amount, above).
            target.amount = values["product"].list_price
            written.add("amount")
        if prospect is None:
            changed = sorted(written)
        else:
            # Only the fields whose value differs: a row that changes nothing is not written (#20).
            written.add("outcome_note")  # the outcome rules may set it
            changed = sorted(
                name
                for name in written
                if getattr(target, self._attnames.get(name, name))
                != before.get(self._attnames.get(name, name))
                or (name == "owner" and not isinstance(row.owner, User))
            )
        target._next_activity = plan if any(plan) else None  # type: ignore[attr-defined]
        return target, changed, errors

    def owners_to_create(self) -> list[NewOwner]:
        return list(self.new_owners.values())


def _key_unreadable(row: ParsedRow) -> bool:
    """A cell that finds the row's prospect (its ID, external ID, or name and owner) could not be read."""
    if not row.failed:
        return False
    if row.failed & {"id", "owner", "external_id"}:
        return True
    return not {"id", "name"} & set(row.values) and bool(row.failed & {"name", "company_name"})


def _new_owner(key: str, text: str) -> NewOwner:
    if "@" in text:
        return NewOwner(key=key, raw=text, username=text[:150], email=text)
    last_name, first_name = split_name(text)  # the one rule for names (accounts.names)
    username = "".join(text.split())[:150]
    return NewOwner(key=key, raw=text, username=username, last_name=last_name, first_name=first_name)


def _relinks(link: Resolution, name: str, prospect: Prospect) -> bool:
    """The row's company (or contact) is not the one the prospect has: a new record, or another."""
    found = getattr(link, name)
    return found is not None and (
        found.record.pk is None or found.record.pk != getattr(prospect, f"{name}_id")
    )


def _preview(row: ParsedRow, target: Prospect, *, action: str, link: Resolution) -> dict[str, Any]:
    owner = row.owner.display_name if isinstance(row.owner, NewOwner) else target.owner.display_name
    return {
        "company": link.company.summary() if link.company else None,
        "contact": link.contact.summary() if link.contact else None,
        "row": row.number,
        "action": action,
        "name": target.name,
        "external_id": target.external_id,
        "owner": owner,
        "new_owner": isinstance(row.owner, NewOwner),
        "status": str(Status(target.status).label),
        "horizon": str(Horizon(target.horizon).label),
        "probability": target.probability,
        "expected_month": format_month(target.expected_month),
        "product": row.values["product"].name if row.values.get("product") else "",
        "amount": str(target.amount),
        "source": str(Source(target.source).label),
        "created_at": timezone.localtime(target.created_at).date().isoformat() if target.created_at else "",
        "closed_on": target.closed_on.isoformat() if target.closed_on else "",
        "won_amount": "" if target.won_amount is None else str(target.won_amount),
        "lost_reason": str(LostReason(target.lost_reason).label) if target.lost_reason else "",
        "lost_reason_default": getattr(target, "_lost_reason_default", False),
    }
