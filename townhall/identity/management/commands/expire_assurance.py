"""`townhall expire_assurance`: the scheduled expiry of assurance levels, for cron."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from townhall.identity import actions


class Command(BaseCommand):
    help = (
        "Lower every account whose assurance level stands on a record that has expired "
        "(an identity provider's verification with an end date) and tell each person, "
        "once. Run it every hour or so, for example from cron "
        "(0 * * * * townhall expire_assurance). It is idempotent. People who sign in are "
        "also brought up to date as they come in."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        lowered = actions.expire_assurance()
        self.stdout.write(f"{lowered} account(s) lowered after their level expired.")
