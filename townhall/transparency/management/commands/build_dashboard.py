from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from townhall.agencies.models import Agency
from townhall.transparency import rollups


class Command(BaseCommand):
    help = (
        "Rebuild the transparency dashboard's rollup tables (/transparency/) from the "
        "requests and commitments, for every day. Safe to run at any time."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--agency", action="append", help="Only this agency (its slug).")

    def handle(self, *args: Any, **options: Any) -> None:
        agencies = Agency.objects.order_by("pk")
        if options["agency"]:
            agencies = agencies.filter(slug__in=options["agency"])
        started = time.perf_counter()
        total = 0
        for agency in agencies:
            days = rollups.rebuild_agency(agency.pk)
            total += days
            self.stdout.write(f"{agency.slug}: {days} day rows")
        seconds = time.perf_counter() - started
        self.stdout.write(f"Built {total} day rows in {seconds:.1f} s.")
