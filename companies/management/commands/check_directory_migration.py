"""Run the data migration companies 0002 again on this database and prove it loses nothing (#19).

It unapplies companies 0002 (its reverse empties the directory and unlinks every prospect) and applies
it again, then compares every prospect's text values with its company and contact
(companies.conversion_check). It rewrites the directory: run it on a copy only, as
bin/check-directory-migration does (a copy of the benchmark's M data set, say).
"""

from __future__ import annotations

import time

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from companies.conversion_check import prospect_texts, verify

BEFORE = "0001_directory"


class Command(BaseCommand):
    help = "Re-run companies 0002 (prospect text -> companies and contacts) on a COPY and check every value."

    def add_arguments(self, parser):
        parser.add_argument(
            "--on-copy",
            action="store_true",
            help="confirm that this database is a disposable copy (its directory is rebuilt)",
        )

    def handle(self, *args, on_copy: bool, **options):
        if not on_copy:
            raise CommandError(
                f"This rebuilds the companies and contacts of {connection.settings_dict['NAME']!r}. "
                "Run it on a copy (bin/check-directory-migration makes one), with --on-copy."
            )
        started = time.monotonic()
        before = prospect_texts()
        self.stdout.write(f"{len(before)} prospects read ({time.monotonic() - started:.1f}s)")
        call_command("migrate", "companies", BEFORE, verbosity=1, stdout=self.stdout)
        call_command("migrate", verbosity=1, stdout=self.stdout)
        self.stdout.write(f"conversion re-run ({time.monotonic() - started:.1f}s)")
        report = verify(before)
        for line in report.lines():
            self.stdout.write(line)
        self.stdout.write(f"checked in {time.monotonic() - started:.1f}s")
        if not report.ok:
            raise CommandError(f"{report.problem_count} problems: see above")
        self.stdout.write(self.style.SUCCESS("every prospect text value is accounted for"))
