from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from townhall.privacy import actions


class Command(BaseCommand):
    help = "Delete data archives past their download date (run it daily, e.g. from cron)."

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write(f"{actions.expire_exports()} archives expired")
