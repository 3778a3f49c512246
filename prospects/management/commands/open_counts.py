"""Check the trigger-kept open counts against a real count (and mend them), or rebuild them."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from prospects import counts


class Command(BaseCommand):
    help = (
        "Compare the kept open counts and sums (prospects.OpenCount) with the prospects and rewrite them "
        "on any difference, then compact them, and the lead activities' lead counts likewise; --rebuild rewrites them from the prospects at once "
        "(after a restore of the prospect table alone, or a load with its triggers disabled)."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--rebuild", action="store_true", help="rewrite every row from the prospects")

    def handle(self, *args, rebuild: bool = False, **options) -> None:
        if rebuild:
            rows, leads = counts.rebuild(), counts.rebuild_lead_counts()
            self.stdout.write(f"rebuilt: {rows} rows; {leads} lead counts rewritten")
            return
        drifted = counts.reconcile()
        rows = counts.compact()
        self.stdout.write(f"{drifted} (owner, horizon) pairs differed and were rewritten; {rows} rows kept")
        self.stdout.write(f"{counts.reconcile_lead_counts()} lead counts differed and were rewritten")
