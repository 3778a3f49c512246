"""Check the trigger-kept open alert counts (the bell's) against a real count, and mend them."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from targets import alert_counts


class Command(BaseCommand):
    help = (
        "Compare each user's kept open alert count (targets.OpenAlertCount, the bell) with a real count "
        "and rewrite the ones that differ (what the 00:25 beat job does); run it after restoring the "
        "alert, team or user tables on their own, or a load made with their triggers disabled."
    )

    def handle(self, *args, **options) -> None:
        drifted = alert_counts.reconcile()
        self.stdout.write(f"{drifted} users' open alert counts differed and were rewritten")
