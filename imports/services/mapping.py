"""The mapping of a job's columns to prospect, company and contact fields and of its values to choices."""

from __future__ import annotations

from imports.models import ImportJob, ImportMapping, JobStatus
from imports.services.fields import (
    ALSO_FIELDS,
    FIELD_TWICE,
    IMPORT_FIELDS,
    NO_NAME_COLUMN,
    VALUE_FIELDS,
    ImportRefused,
    field_label,
)
from prospects.models import Horizon, LostReason, Source, Status
from salescrm.lib.params import int_or_none


def _is_choice(field: str, value: object) -> bool:
    """A value mapping names an offered choice: a user id for the owner, a code for the others (a
    posted '²' or 'bogus' reached the rows and failed the dry run as an unexpected error)."""
    if field == "owner":
        return int_or_none(value, minimum=1) is not None
    choices = {"status": Status, "horizon": Horizon, "source": Source, "lost_reason": LostReason}[field]
    return value in choices.values


def _clean_also(also: dict[str, dict[str, dict[str, str]]]) -> dict[str, dict[str, dict[str, str]]]:
    return {
        field: {
            str(raw): {
                o: str(c) for o, c in sets.items() if o in ALSO_FIELDS and o != field and _is_choice(o, c)
            }
            for raw, sets in by_value.items()
            if isinstance(sets, dict)
        }
        for field, by_value in also.items()
        if field in ALSO_FIELDS and isinstance(by_value, dict)
    }


def import_job_set_mapping(
    *,
    job: ImportJob,
    columns: dict[str, str],
    values: dict[str, dict[str, str]],
    save_as: str = "",
    lost_reason_default: str = "",
    also: dict[str, dict[str, dict[str, str]]] | None = None,
    fill_amount_from_product: bool | None = None,
) -> ImportJob:
    """Keep the column and value mapping on the job (and as a named ImportMapping when save_as).

    `lost_reason_default`: the lost reason of lost rows without one ("" keeps them errors).
    `also`: {field: {raw value: {other field: code}}}, what each value of a status, horizon, source or
    lost reason column sets besides its own field ({} = nothing else, no guess); a field's own column
    wins over it where its cell is not empty. `fill_amount_from_product`: rows with a product and no
    amount get its list price (None: unchanged)."""
    names = {h["name"] for h in job.headers}
    columns = {h: f for h, f in columns.items() if h in names and f in IMPORT_FIELDS}
    used = list(columns.values())
    twice = sorted({f for f in used if used.count(f) > 1})
    if twice:
        raise ImportRefused(FIELD_TWICE % {"field": "、".join(field_label(f) for f in twice)})
    if not {"name", "company_name", "id"} & set(used):
        raise ImportRefused(NO_NAME_COLUMN)
    clean_values = {
        f: {str(k): str(v) for k, v in m.items() if _is_choice(f, v)}
        for f, m in values.items()
        if f in VALUE_FIELDS
    }
    job.mapping = {"columns": columns, "values": clean_values, "also": _clean_also(also or {})}
    if lost_reason_default in LostReason.values:
        job.mapping["defaults"] = {"lost_reason": lost_reason_default}
    job.status = JobStatus.UPLOADED
    if fill_amount_from_product is not None:
        job.options = {**job.options, "fill_amount_from_product": fill_amount_from_product}
    job.save(update_fields=["mapping", "status", "options"])
    if save_as:  # with the job's chosen date order, for the next file of the same shape
        saved = {**job.mapping, "date_order": job.options.get("date_order", "")}
        ImportMapping.objects.update_or_create(
            created_by=job.created_by, name=save_as[:100], defaults={"json": saved}
        )
    return job
