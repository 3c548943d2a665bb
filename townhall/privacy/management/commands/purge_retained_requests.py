from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from townhall.privacy import actions


class Command(BaseCommand):
    help = (
        "Delete the private requests of erased accounts that a retention rule kept, once "
        "their time is up (run it daily, e.g. from cron)."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write(f"{actions.purge_retained_requests()} requests deleted")
