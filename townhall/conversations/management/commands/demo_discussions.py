"""`townhall demo_discussions`: three believable public discussions in the demo city.

Needs the demo city (`townhall demo`). Everything goes through the same actions the site
uses: citizens start discussions and reply, staff answer as their work persona (one of
them as the official answer), people mark answers helpful and mention each other.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from townhall.agencies.models import Agency, StaffMembership
from townhall.conversations import discussions
from townhall.conversations.models import Thread
from townhall.identity.models import User

CITIZENS = {"jordan": "citizen@example.org", "casey": "citizen2@example.org"}


@dataclass
class Post:
    """One message: who writes (a citizen key or a staff member's public name), what, and
    whether it replies to the first message (`reply`) or is the official answer."""

    who: str
    body: str
    reply: bool = False
    official: bool = False
    helpful_from: tuple[str, ...] = ()


@dataclass
class Plan:
    agency: str  # slug
    title: str
    topic: str
    posts: tuple[Post, ...]


PLANS = (
    Plan(
        agency="public-works",
        title="Snow clearing on the east side",
        topic="Snow",
        posts=(
            Post(
                "jordan",
                "After Tuesday's storm the streets east of 11th Street were still not "
                "ploughed on Thursday morning. Is there a schedule for side streets?",
            ),
            Post(
                "casey",
                "Same on Cook Street. The bus route was clear but nothing else was.",
                reply=True,
            ),
            Post(
                "Sam Rivera",
                "Main roads and bus routes come first, then side streets in order of slope "
                "and school routes. The east side is on **tonight's** shift; I will post "
                "here when the crews are done.",
                reply=True,
                official=True,
                helpful_from=("jordan", "casey"),
            ),
        ),
    ),
    Plan(
        agency="public-works",
        title="Yard waste pickup in November",
        topic="Trash and recycling",
        posts=(
            Post("casey", "Is yard waste still collected every week in November?"),
            Post(
                "Keisha Brown",
                "Yes: every week until the first Friday of December, on your usual trash "
                "day. Put leaves in paper bags or a marked can, not plastic bags.",
                reply=True,
                official=True,
                helpful_from=("casey",),
            ),
            Post("jordan", "Thanks, @keisha-brown. Does that include branches?", reply=True),
        ),
    ),
    Plan(
        agency="parks-and-recreation",
        title="Lights on the Washington Park trail in winter",
        topic="Parks",
        posts=(
            Post(
                "jordan",
                "It is dark by five now. Could the trail lights stay on until 9 pm so we "
                "can walk after work?",
            ),
            Post("casey", "Yes please, the east loop is very dark.", reply=True),
            Post(
                "Tom Becker",
                "We are testing later hours on the east loop from next week and will "
                "count how many people use it. @[Casey Neighbor], thanks for the tip.",
                reply=True,
                helpful_from=("jordan",),
            ),
        ),
    ),
)


def _citizen(email: str) -> User:
    user = User.objects.filter(email=email).first()
    if user is None:
        raise CommandError(
            f"The demo account {email} is missing: run `townhall demo` first to create the "
            "demo city."
        )
    return user


def _staff(public_name: str) -> Any:
    membership = (
        StaffMembership.objects.active()
        .select_related("user")
        .filter(public_name=public_name)
        .first()
    )
    if membership is None:
        raise CommandError(f"The demo staff member {public_name} is missing.")
    return membership.user


class Command(BaseCommand):
    help = "Add three public discussions to the demo city (after `townhall demo`)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="Do nothing (and say so) when there already are public discussions.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if Thread.objects.discussions().exists():
            if options["if_empty"]:
                self.stdout.write("There already are discussions; the demo ones were not added.")
                return
            raise CommandError("There already are public discussions (use --if-empty).")
        people = {key: _citizen(email) for key, email in CITIZENS.items()}
        with transaction.atomic():
            for plan in PLANS:
                self._discuss(plan, people)
        self.stdout.write(self.style.SUCCESS(f"Added {len(PLANS)} public discussions."))

    def _discuss(self, plan: Plan, people: dict[str, User]) -> None:
        agency = Agency.objects.filter(slug=plan.agency).first()
        if agency is None:
            raise CommandError(f"The demo agency {plan.agency} is missing.")

        def who(name: str) -> Any:
            return people[name] if name in people else _staff(name)

        first, *rest = plan.posts
        thread = discussions.start_discussion(
            by=who(first.who), agency=agency, title=plan.title, topic=plan.topic, body=first.body
        )
        top = thread.messages.get()
        for post in rest:
            message = discussions.post_in_discussion(
                by=who(post.who),
                thread=thread,
                body=post.body,
                parent=top if post.reply else None,
                official=post.official,
            )
            for name in post.helpful_from:
                discussions.toggle_helpful(by=who(name), message=message)
