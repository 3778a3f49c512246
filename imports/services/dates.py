"""The date order of a job's file: the one the user chose, or the one its date columns' values allow."""

from __future__ import annotations

from dataclasses import dataclass

from imports import parsing
from imports.models import DateOrder, ImportJob

# The fields whose cells are dates or months.
DATE_FIELDS = ("created_at", "closed_on", "expected_month", "next_activity_on")


@dataclass(frozen=True)
class DateOrderInUse:
    order: str | None  # None: not known; the dry run refuses the dates it would decide
    guessed: bool
    has_dates: bool  # a column is mapped to a date field

    @property
    def label(self) -> str:
        return str(DateOrder(self.order).label) if self.order else ""


def import_job_date_order(*, job: ImportJob) -> DateOrderInUse:
    """The chosen order, else the one the distinct values of the columns mapped to dates allow
    (parsing.guess_date_order); never a guess between two orders."""
    columns = job.mapping.get("columns", {})
    dated = [header for header in job.headers if columns.get(header["name"]) in DATE_FIELDS]
    has_dates = bool(dated)
    chosen = job.options.get("date_order", "")
    if chosen in DateOrder.values:
        return DateOrderInUse(order=chosen, guessed=False, has_dates=has_dates)
    samples = (value for header in dated for value in header["values"])
    return DateOrderInUse(order=parsing.guess_date_order(samples), guessed=True, has_dates=has_dates)


def import_job_set_date_order(*, job: ImportJob, date_order: str) -> ImportJob:
    """Keep the user's date order on the job; "" (or anything unknown) guesses it from the file."""
    job.options = {**job.options, "date_order": date_order if date_order in DateOrder.values else ""}
    job.save(update_fields=["options"])
    return job
