"""`townhall send_digests`: the daily notification digests, for cron."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from townhall.activity import emails


class Command(BaseCommand):
    help = (
        "Email each person who chose a daily digest their notifications not yet emailed, "
        "at most once a day. Run it every few minutes or hourly (cron: "
        "*/5 * * * * townhall send_digests); a digest goes out when a person's last one is "
        "a day old. It is idempotent: running it again, or twice at the same time, sends "
        "nothing twice."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        sent = emails.send_digests()
        self.stdout.write(f"{sent} digest(s) sent.")
