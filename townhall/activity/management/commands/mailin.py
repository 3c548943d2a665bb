"""`townhall mailin`: the SMTP server that takes replies to notification emails."""

from __future__ import annotations

import signal
import threading
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser

from townhall.activity import mailin


class Command(BaseCommand):
    help = (
        "Run the inbound SMTP server for replies by email on MAILIN_HOST:MAILIN_PORT "
        "(127.0.0.1:2525 by default). A reply to a notification email lands in its thread "
        "as a message from the person it was sent to; anything else is refused and logged."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default=settings.MAILIN_HOST)
        parser.add_argument("--port", type=int, default=settings.MAILIN_PORT)

    def handle(self, *args: Any, **options: Any) -> None:
        server = mailin.controller(options["host"], options["port"])
        stop = threading.Event()
        signal.signal(signal.SIGTERM, lambda *_: stop.set())
        server.start()
        self.stdout.write(
            f"Inbound mail: SMTP on {options['host']}:{options['port']} "
            f"(reply+...@{settings.MAILIN_DOMAIN})"
        )
        try:
            stop.wait()
        except KeyboardInterrupt:
            pass
        finally:
            server.stop()
