from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from townhall.transparency import actions


class Command(BaseCommand):
    help = "Refresh the open-data catalogue (/data/, /data.json): row counts and build times."

    def handle(self, *args: Any, **options: Any) -> None:
        for build in actions.build_open_data():
            self.stdout.write(f"{build.dataset}: {build.row_count} rows")
