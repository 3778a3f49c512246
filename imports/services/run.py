"""The dry run and the import: one pass over the file validates every row; the import writes new rows
with COPY and the changed fields of updated rows with COPY and one UPDATE per batch, all inside one
transaction, skips the rows that change nothing, and rolls everything back when any row has an error
(docs/performance.md has its speed)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from typing import Any

import pghistory
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import ngettext

from accounts.models import Role
from accounts.services import user_create_inactive
from activities.services import planned_for_import
from imports import reader
from imports.models import ImportJob, JobPhase, JobStatus
from imports.services.fields import BATCH_SIZE
from imports.services.outcome import Outcome
from imports.services.report import ErrorFile, job_error_file
from imports.services.upload import job_file
from imports.services.validation import (
    DATABASE_REFUSED,
    NewOwner,
    ParsedRow,
    RowValidator,
)
from prospects.models import Prospect, Status
from prospects.signals import pipeline_changed_send, prospects_created_send, prospects_updated_send
from salescrm.lib.bulk import copy_insert, copy_update


def _batches(rows: Iterator[tuple[int, list[Any]]], size: int) -> Iterator[list[tuple[int, list[Any]]]]:
    batch: list[tuple[int, list[Any]]] = []
    for row in rows:
        batch.append(row)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def _create_owners(owners: list[NewOwner], outcome: Outcome) -> None:
    for owner in owners:
        if owner.user is not None:
            continue
        user = user_create_inactive(
            username=owner.username,
            email=owner.email,
            last_name=owner.last_name,
            first_name=owner.first_name,
            role=Role.REP,
        )
        owner.user = user
        outcome.created_owner_ids.append(user.pk)


def _process(
    job: ImportJob, *, write: bool, progress: Callable[[int], None] | None, errors: ErrorFile
) -> Outcome:
    outcome = Outcome(sink=errors.write)
    validator = RowValidator(job, lock=write)
    headers, rows = reader.read_rows(job_file(job), job.file_format, job.encoding)
    if headers != validator.headers:
        raise reader.FileError(reader.NO_HEADER)
    now = timezone.now()
    for batch in _batches(rows, BATCH_SIZE):
        parsed: list[ParsedRow] = []
        for number, cells in batch:
            row, errors = validator.parse_row(number, cells)
            for error in errors:
                outcome.add_error(error)
            if row is not None:
                parsed.append(row)
        creates, updates, unchanged = validator.resolve(parsed, outcome)
        outcome.unchanged += len(unchanged)
        outcome.end_batch()
        outcome.processed += len(batch)
        if write and not outcome.error_count:
            _create_owners(validator.owners_to_create(), outcome)
            validator.directory.write_pending()  # the new companies and contacts first: rows point at them
            for prospect in creates:
                new_owner = getattr(prospect, "_new_owner", None)
                if new_owner is not None:
                    prospect.owner = new_owner.user
                _link(prospect)
                outcome.owner_ids.add(prospect.owner_id)
            # Their ids set first (one query), for their next activities and the webhooks.
            copy_insert(Prospect, creates, set_pks=True)
            outcome.created += len(creates)
            outcome.created_ids += [p.pk for p in creates]
            _write_updates(updates, now, outcome)
            # Batch by batch, so the run keeps no row's objects to its end.
            _plan_next_activities([*creates, *(p for p, _c in updates), *unchanged])
        elif not write:
            outcome.created += len(creates)
            outcome.updated += len(updates)
        if progress is not None:
            progress(outcome.processed)
    outcome.new_owners = [o.raw for o in validator.owners_to_create()]
    return outcome


def _announce(outcome: Outcome) -> None:
    """prospect.created, and prospect.updated (won / lost for a row that closed its deal) for the rows
    written (webhooks)."""
    prospects_created_send(prospect_ids=outcome.created_ids)
    for change, ids in outcome.updated_ids.items():
        prospects_updated_send(prospect_ids=ids, change=change)


def _plan_next_activities(prospects: list[Prospect]) -> None:
    """A "next action" column plans each row's next activity (activities app), once the row is written."""
    planned_for_import(
        rows=[
            (p.pk, p.owner_id, text or "", day, p.status == "open")
            for p in prospects
            if p._next_activity
            for text, day in [p._next_activity]
        ]
    )


def _write_updates(updates: list[tuple[Prospect, list[str]]], now: dt.datetime, outcome: Outcome) -> None:
    if not updates:
        return
    fields: set[str] = set()
    for prospect, changed in updates:
        new_owner = getattr(prospect, "_new_owner", None)
        if new_owner is not None:
            prospect.owner = new_owner.user
        # The rows are locked (select_for_update) for the whole transaction, so +1 is exact.
        _link(prospect)
        prospect.version += 1
        prospect.updated_at = now
        outcome.owner_ids.add(prospect.owner_id)
        fields.update(changed)
    fields.update({"version", "updated_at"})
    # One statement for the batch; a row's unchanged fields are written with their own values.
    copy_update(Prospect, [p for p, _c in updates], sorted(fields))
    outcome.updated += len(updates)
    for prospect, changed in updates:
        closed = "status" in changed and prospect.status in (Status.WON, Status.LOST)
        outcome.updated_ids.setdefault(prospect.status if closed else "updated", []).append(prospect.pk)


def _link(prospect: Prospect) -> None:
    """The prospect's company and contact as 名寄せ resolved them (written by now)."""
    link = getattr(prospect, "_link", None)
    if link is not None and link.company is not None:
        prospect.company_id = link.company.record.pk
    if link is not None and link.contact is not None:
        prospect.contact_id = link.contact.record.pk


def _store_outcome(job: ImportJob, outcome: Outcome) -> None:
    job.directory = outcome.directory
    job.errors = outcome.errors
    job.error_count = outcome.error_count
    job.error_rows = len(outcome.error_rows)
    job.lost_reason_defaults = outcome.lost_reason_defaults
    job.preview = outcome.preview
    job.new_owners = outcome.new_owners
    job.processed_rows = min(outcome.processed, job.total_rows)


class _Rollback(Exception):
    """Raised inside the import's transaction to roll every row back."""


def import_job_preview(*, job: ImportJob, progress: Callable[[int], None] | None = None) -> ImportJob:
    """The dry run: every row validated, nothing written; errors and a preview are kept on the job."""
    with translation.override(job.options.get("language")), ErrorFile(job) as errors:
        try:
            outcome = _process(job, write=False, progress=progress, errors=errors)
        except reader.FileError as exc:
            return fail(job, str(exc.reason))
        errors.keep()
    _store_outcome(job, outcome)
    job.created_count, job.updated_count = outcome.created, outcome.updated
    job.unchanged_count = outcome.unchanged
    job.status = JobStatus.PREVIEWED
    job.phase = JobPhase.PREVIEW
    job.message = ""
    job.finished_at = timezone.now()
    job.save()
    return job


def import_job_run(*, job: ImportJob, progress: Callable[[int], None] | None = None) -> ImportJob:
    """The import, all rows or none: any error row (found again now, as data may have changed since
    the dry run) rolls everything back."""
    outcome = Outcome()
    with translation.override(job.options.get("language")), ErrorFile(job) as errors:
        try:
            with transaction.atomic():
                with pghistory.context(user=job.created_by_id, import_job=job.pk):
                    outcome = _process(job, write=True, progress=progress, errors=errors)
                if outcome.error_count:
                    raise _Rollback
                job.created_owners.set(outcome.created_owner_ids)
                pipeline_changed_send(owner_ids=outcome.owner_ids)
                _announce(outcome)
        except _Rollback:
            errors.keep()
            _store_outcome(job, outcome)
            job.created_count = job.updated_count = job.unchanged_count = 0
            return fail(
                job,
                ngettext(
                    "Nothing was imported: %(count)s row has errors.",
                    "Nothing was imported: %(count)s rows have errors.",
                    len(outcome.error_rows),
                )
                % {"count": len(outcome.error_rows)},
            )
        except reader.FileError as exc:
            return fail(job, str(exc.reason))
        except IntegrityError as exc:
            return fail(job, str(DATABASE_REFUSED % {"error": str(exc).splitlines()[0]}))
        errors.keep()  # none: the previous run's report goes
    _store_outcome(job, outcome)
    job.created_count, job.updated_count = outcome.created, outcome.updated
    job.unchanged_count = outcome.unchanged
    job.status = JobStatus.DONE
    job.message = ""
    job.finished_at = timezone.now()
    job.save()
    # The rows are in the database now (with their history); the upload is no longer needed.
    job_file(job).unlink(missing_ok=True)
    job_error_file(job).unlink(missing_ok=True)
    return job


def fail(job: ImportJob, message: str) -> ImportJob:
    job.status = JobStatus.FAILED
    job.message = message
    job.finished_at = timezone.now()
    job.save()
    return job
