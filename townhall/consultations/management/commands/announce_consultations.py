"""`townhall announce_consultations`: tell the public about the consultations whose
publication date has come (set when staff saved them for later). Run it every few minutes
with the other scheduled commands; running it twice announces nothing twice."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from townhall.consultations.actions import announce_due_consultations


class Command(BaseCommand):
    help = "Announce the consultations whose publication date has come."

    def handle(self, *args: Any, **options: Any) -> None:
        count = announce_due_consultations()
        self.stdout.write(f"Announced {count} consultation(s).")
