"""`townhall check_commitments`: the scheduled check of commitments, for cron."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from townhall.commitments import actions


class Command(BaseCommand):
    help = (
        "Flag open commitments due within one working day (once each, for staff) and mark "
        "every open commitment past its due time as broken (once each, in public when the "
        "commitment is public). A site runs this every few minutes, for example from cron "
        "(*/5 * * * * townhall check_commitments) or a systemd timer. It is idempotent: "
        "running it again, or twice at the same time, changes and logs nothing twice."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        at_risk = actions.flag_at_risk_commitments()
        broken = actions.mark_broken_commitments()
        self.stdout.write(f"{at_risk} commitment(s) at risk, {broken} commitment(s) broken.")
