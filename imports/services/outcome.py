"""What one pass over a file of prospects found: its counts, its errors (the first ones kept for the
page, every one passed to the error file) and its preview."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from imports.services.fields import MAX_STORED_ERRORS


@dataclass
class Outcome:
    errors: list[dict[str, Any]] = field(default_factory=list)
    error_count: int = 0
    preview: list[dict[str, Any]] = field(default_factory=list)
    created: int = 0
    updated: int = 0
    # Rows of prospects that exist and that the row would leave as they are: not written.
    unchanged: int = 0
    processed: int = 0
    new_owners: list[str] = field(default_factory=list)
    created_owner_ids: list[int] = field(default_factory=list)
    # The prospects a run created (webhooks).
    created_ids: list[int] = field(default_factory=list)
    # The prospects a run wrote changes to, by change: updated, won or lost (a row that closed its deal).
    updated_ids: dict[str, list[int]] = field(default_factory=dict)
    owner_ids: set[int] = field(default_factory=set)
    error_rows: set[int] = field(default_factory=set)
    directory: dict[str, Any] = field(default_factory=dict)
    # Lost rows given the mapping's default lost reason.
    lost_reason_defaults: int = 0
    # Receives every error (the job keeps only the first MAX_STORED_ERRORS): the error file.
    sink: Callable[[dict[str, Any]], None] | None = None
    _pending: list[dict[str, Any]] = field(default_factory=list)

    def add_error(self, error: dict[str, Any]) -> None:
        self.error_count += 1
        self.error_rows.add(error["row"])
        self._pending.append(error)

    def end_batch(self) -> None:
        """A batch's errors in row order, a row's own in the order they were found (its cells, then
        its match, then the outcome rules): the first MAX_STORED_ERRORS kept for the page, all of them
        passed to the sink."""
        self._pending.sort(key=lambda error: error["row"])
        for error in self._pending:
            if len(self.errors) < MAX_STORED_ERRORS:
                self.errors.append(error)
            if self.sink is not None:
                self.sink(error)
        self._pending.clear()
