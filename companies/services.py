"""Workflows of companies and contacts: creating them, and merging two records of one customer (名寄せ)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import F, Model
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from companies.models import Company, Contact
from prospects.models import Prospect
from salescrm.lib.relations import loaded_relations

MERGE_SAME = _("A record cannot be merged into itself.")
MERGE_ALREADY = _("This record was already merged; merge into the one it was merged into.")
MERGE_ROLE = _("Only managers and admins merge companies and contacts.")

# The fields a merge fills on the record that stays when it has none (its own values always win).
COMPANY_FILLED = ["furigana", "corporate_number", "phone", "address", "industry", "website", "notes"]
CONTACT_FILLED = ["furigana", "title", "department", "email", "phone", "company"]


class MergeRefused(Exception):
    pass


def company_create(*, by: User, **fields: Any) -> Company:
    company = Company(**fields)
    company.full_clean()
    company.save()
    return company


def contact_create(*, by: User, **fields: Any) -> Contact:
    contact = Contact(**fields)
    contact.full_clean(exclude=loaded_relations(contact))
    contact.save()
    return contact


NEW = "new"  # a form's pick: make a new record from what was typed (prospects/customer.py)


def customer_records(fields: dict[str, Any], *, by: User) -> dict[str, Any]:
    """A prospect's fields with its `company` / `contact` picked as NEW made from its typed text: the
    company from its name, phone and address, the contact from its contact person, e-mail and phone, at
    that company. Call it in the prospect's transaction, so a refused save keeps neither."""
    fields = dict(fields)
    if fields.get("company") == NEW:
        fields["company"] = company_create(
            by=by,
            name=fields.get("name", ""),
            phone=fields.get("phone", ""),
            address=fields.get("address", ""),
        )
    if fields.get("contact") == NEW:
        fields["contact"] = contact_create(
            by=by,
            name=fields.get("contact_person", ""),
            email=fields.get("email", ""),
            phone=fields.get("phone", ""),
            company=fields.get("company"),
        )
    return fields


def _lock_pair(model: type[Model], keep_pk: int, merge_pk: int) -> tuple[Any, Any]:
    if keep_pk == merge_pk:
        raise MergeRefused(MERGE_SAME)
    rows = {
        r.pk: r for r in model.objects.select_for_update().filter(pk__in=[keep_pk, merge_pk]).order_by("pk")
    }
    keep, merge = rows[keep_pk], rows[merge_pk]
    if keep.merged_into_id or merge.merged_into_id:
        raise MergeRefused(MERGE_ALREADY)
    return keep, merge


def _fill_blanks(keep: Model, merge: Model, fields: list[str]) -> list[str]:
    filled = []
    for name in fields:
        attname = keep._meta.get_field(name).attname
        if not getattr(keep, attname) and getattr(merge, attname):
            setattr(keep, attname, getattr(merge, attname))
            filled.append(name)
    return filled


def _move_history(event_model: type[Model], merge: Model, keep: Model) -> int:
    """The merged record's history now reads under the one that stays (each event keeps its own values)."""
    return event_model.objects.filter(pgh_obj_id=merge.pk).update(pgh_obj_id=keep.pk)


@transaction.atomic
def company_merge(*, keep: Company, merge: Company, by: User) -> Company:
    """`merge`'s prospects, contacts and history move to `keep`; `merge` stays, recorded as merged into it.
    Prospects moved get a new version, so an edit form opened before the merge is refused, not silently
    written back."""
    if not (by.is_admin_role or by.is_manager):
        raise PermissionDenied(MERGE_ROLE)
    keep, merge = _lock_pair(Company, keep.pk, merge.pk)
    Prospect.objects.filter(company=merge).update(company=keep, version=F("version") + 1)
    Contact.objects.filter(company=merge).update(company=keep)
    _move_history(_event(Company), merge, keep)
    keep.save(update_fields=_fill_blanks(keep, merge, COMPANY_FILLED) or ["updated_at"])
    merge.merged_into = keep
    merge.save(update_fields=["merged_into", "updated_at"])
    return keep


@transaction.atomic
def contact_merge(*, keep: Contact, merge: Contact, by: User) -> Contact:
    """`merge`'s prospects and history move to `keep`; `merge` stays, recorded as merged into it."""
    if not (by.is_admin_role or by.is_manager):
        raise PermissionDenied(MERGE_ROLE)
    keep, merge = _lock_pair(Contact, keep.pk, merge.pk)
    Prospect.objects.filter(contact=merge).update(contact=keep, version=F("version") + 1)
    _move_history(_event(Contact), merge, keep)
    keep.save(update_fields=_fill_blanks(keep, merge, CONTACT_FILLED) or ["updated_at"])
    merge.merged_into = keep
    merge.save(update_fields=["merged_into", "updated_at"])
    return keep


def _event(model: type[Model]) -> type[Model]:
    return model.events.rel.related_model
