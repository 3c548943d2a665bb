"""`townhall deliver_webhooks`: attempt the webhook deliveries that are due, for cron."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from townhall.open311 import tasks


class Command(BaseCommand):
    help = (
        "Attempt every webhook delivery whose next attempt is due (a failed delivery waits "
        "1 min, 5 min, 30 min, 2 h, then 12 h; it is given up after 6 attempts). Run it "
        "every few minutes; it is idempotent: nothing delivered is sent again."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        delivered = tasks.deliver_due_webhooks.call()
        self.stdout.write(f"{delivered} webhook delivery(ies) made.")
