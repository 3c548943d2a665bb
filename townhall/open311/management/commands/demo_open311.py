"""`townhall demo_open311`: the demo city's Open311 application, key `demo-open311-key`."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from townhall.identity.models import User
from townhall.open311 import actions
from townhall.open311.models import Open311Application

DEMO_KEY = "demo-open311-key"
DEMO_APPLICATION = "Springfield 311 demo app"


class Command(BaseCommand):
    help = f"Give the demo city an Open311 application whose API key is {DEMO_KEY}."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="Do nothing (and say so) when an Open311 application already exists.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if Open311Application.objects.exists():
            if options["if_empty"]:
                self.stdout.write("Open311 applications exist already; none was added.")
                return
            raise CommandError("Open311 applications exist already (use --if-empty).")
        admin = User.objects.filter(is_superuser=True, is_demo=True).order_by("pk").first()
        if admin is None:
            raise CommandError("Load the demo city first: townhall demo")
        with transaction.atomic():
            actions.issue_application(
                by=admin,
                name=DEMO_APPLICATION,
                contact_email="open311@springfield.example",
                key=DEMO_KEY,
            )
        self.stdout.write(
            self.style.SUCCESS(
                f"Open311: the application “{DEMO_APPLICATION}” has the key {DEMO_KEY}."
            )
        )
