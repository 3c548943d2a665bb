"""`townhall demo_consultations`: two consultations in the demo city.

Needs the demo city (`townhall demo`). Everything goes through the same actions the site
uses. Transportation's "Safer streets plan" is open, with a few dozen comments (some on
exact passages, some replies), supports, oppositions and amendments from demo residents,
and one document (a plain-text summary of injuries).
Public Works' "Yard waste collection rules" ran for a few seconds while the command
filled it, then closed; its staff grouped the comments into themes, answered them and the
amendment, and published the response.
"""

from __future__ import annotations

import datetime as dt
import time
from typing import Any

from allauth.account.models import EmailAddress
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.utils import timezone

from townhall.agencies.models import Agency, Goal, StaffMembership
from townhall.consultations import actions, documents
from townhall.consultations.models import Consultation, Outcome, Stance
from townhall.identity.actions import mark_email_verified
from townhall.identity.models import User

CITIZENS = ("citizen@example.org", "citizen2@example.org")
RESIDENTS = (
    "Ana Flores",
    "Ben Okafor",
    "Chloe Martin",
    "Dev Patel",
    "Erin Walsh",
    "Farah Haddad",
    "Gus Lindqvist",
    "Hana Kim",
    "Ivan Novak",
    "Jada Brooks",
)

SAFER_STREETS = [
    (
        "Purpose",
        "This plan makes every street in Springfield safe to walk, cycle and cross by 2030. "
        "It sets lower speed limits where people live, safer crossings near schools and "
        "parks, and a yearly report on serious injuries.",
    ),
    (
        "Speed limits",
        "The speed limit on residential streets drops from 25 mph to 20 mph. Main roads stay "
        "at 30 mph. Streets next to schools get 15 mph during school hours.",
    ),
    (
        "Crossings",
        "Every elementary school gets a raised crossing within two years. Crossings on main "
        "roads get a refuge island where the road is wide enough.",
    ),
    (
        "Reporting",
        "Transportation publishes every serious injury on a public map within a month, and "
        "a yearly report on what changed.",
    ),
]

# The document attached to the safer streets plan (plain text, made up for the demo).
INJURY_SUMMARY = """Injuries on Springfield streets, 2021 to 2025
=============================================

Serious injuries and deaths reported by the police, by year.

Year  People walking  People cycling  People driving  Total
2021              18               9              31     58
2022              21              11              29     61
2023              17              12              27     56
2024              23              10              30     63
2025              20              13              26     59

Two in three injuries to people walking happened on main roads; one in four within
300 yards of a school. Source: Springfield Transportation (demo data).
"""

# (who: a resident index or a demo citizen key, section index or None, passage, body)
COMMENTS: list[tuple[Any, int | None, str, str]] = [
    ("jordan", 1, "drops from 25 mph to 20 mph", "Twenty is plenty. Please enforce it, though."),
    (0, 1, "drops from 25 mph to 20 mph", "Without speed bumps nobody will slow down."),
    (1, 1, "Main roads stay at 30 mph", "Jefferson Street is a main road with a school on it."),
    (2, 2, "raised crossing", "Raised crossings work: the one on Walnut changed everything."),
    (3, 2, "within two years", "Two years is too slow for the schools on busy roads."),
    (4, 0, "", "Glad the city is doing this. Cycling to work feels dangerous today."),
    (5, 3, "on a public map", "Please include near misses reported by residents too."),
    (6, None, "", "How will this affect bus routes?"),
    (7, 1, "15 mph during school hours", "School hours should include after-school clubs."),
    (8, 2, "refuge island", "Refuge islands are great for older people who walk slowly."),
    (9, 1, "", "I drive for work; 20 mph everywhere adds a lot of time."),
    ("casey", 2, "raised crossing", "Do raised crossings slow down fire trucks?"),
    (0, 3, "yearly report", "A yearly report is not enough; quarterly please."),
    (1, None, "", "Thank you for asking before deciding."),
    (2, 1, "drops from 25 mph to 20 mph", "Cities that did this saw fewer serious injuries."),
    (3, 0, "safe to walk, cycle and cross by 2030", "2030 is ambitious; what is the budget?"),
    (4, 2, "", "Add crossings near the parks, not only schools."),
    (5, 1, "Main roads stay at 30 mph", "30 mph on main roads is fine where there are no shops."),
    (6, 3, "", "Publish the data as open data too, please."),
    (7, 2, "within two years", "Start with the schools that had accidents."),
    (8, 1, "", "Signs alone will not do it; narrow the lanes."),
    (9, 0, "", "This feels like a war on drivers."),
    ("jordan", 2, "refuge island", "Monroe Street is wide enough for islands."),
    (0, None, "", "Will there be public meetings as well?"),
    (1, 3, "within a month", "A month is slow; a week should be possible."),
    (2, 1, "15 mph during school hours", "Flashing signs help drivers know when it applies."),
    (3, 2, "", "Please fix the broken curb ramps at the same time."),
    (4, 1, "drops from 25 mph to 20 mph", "My street is already 20 in practice: traffic."),
]
# (who, reply to the comment at this index, body)
REPLIES = [
    (9, 0, "Enforcement costs money; design the streets so speeding is hard."),
    ("casey", 1, "Agreed, speed bumps on Cook Street made a big difference."),
    (4, 9, "It adds about a minute on a typical trip; worth it."),
    (0, 11, "Raised crossings are designed to be gentle at fire-truck speeds."),
    (5, 21, "It is about everyone being safe, drivers included."),
]
SUPPORTS = [(i, 1, Stance.SUPPORT if i % 4 else Stance.OPPOSE) for i in range(10)] + [
    (i, 2, Stance.SUPPORT) for i in range(8)
]

YARD_WASTE = [
    (
        "Collection season",
        "Yard waste is collected every week from the first Monday of April to the first "
        "Friday of December.",
    ),
    (
        "Bags and cans",
        "Put yard waste in paper bags or a can marked YARD WASTE. Plastic bags are not collected.",
    ),
    ("Brush", "Branches must be cut to 4 feet or shorter and tied in bundles."),
]


def _citizen(email: str) -> User:
    user = User.objects.filter(email=email).first()
    if user is None:
        raise CommandError(f"The demo account {email} is missing; run `townhall demo` first.")
    return user


def _resident(name: str) -> User:
    """A demo resident's account (email verified), made once."""
    email = name.lower().replace(" ", ".") + "@example.org"
    user = User.objects.filter(email=email).first()
    if user is None:
        user = User.objects.create_user(email=email, password=None, display_name=name, is_demo=True)
        user.set_unusable_password()
        user.save(update_fields=["password"])
        EmailAddress.objects.create(user=user, email=email, primary=True, verified=True)
        mark_email_verified(user=user)
    return user


def _staff(public_name: str) -> StaffMembership:
    membership = StaffMembership.objects.active().filter(public_name=public_name).first()
    if membership is None:
        raise CommandError(f"The demo staff member {public_name} is missing.")
    return membership


def _agency(slug: str) -> Agency:
    agency = Agency.objects.filter(slug=slug).first()
    if agency is None:
        raise CommandError(f"The demo agency {slug} is missing; run `townhall demo` first.")
    return agency


class Command(BaseCommand):
    help = "Add two consultations to the demo city (after `townhall demo`)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="Do nothing (and say so) when there already are consultations.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if Consultation.objects.exists():
            if options["if_empty"]:
                self.stdout.write("There already are consultations; the demo ones were not added.")
                return
            raise CommandError("There already are consultations (use --if-empty).")
        people: dict[Any, User] = {"jordan": _citizen(CITIZENS[0]), "casey": _citizen(CITIZENS[1])}
        people.update({index: _resident(name) for index, name in enumerate(RESIDENTS)})
        with transaction.atomic():
            self._safer_streets(people)
        self._yard_waste(people)
        self.stdout.write(self.style.SUCCESS("Added 2 consultations (one open, one answered)."))

    def _safer_streets(self, people: dict[Any, User]) -> None:
        agency = _agency("transportation")
        nadia = _staff("Nadia Petrovic")
        now = timezone.now()
        consultation = actions.create_consultation(
            by=nadia.user,
            agency=agency,
            title="Safer streets plan",
            summary=(
                "A draft plan for lower speeds and safer crossings across Springfield. Tell "
                "us which parts you support, what worries you, and what you would write "
                "instead."
            ),
            sections=SAFER_STREETS,
            published_at=now - dt.timedelta(days=3),
            opens_at=now - dt.timedelta(days=3),
            closes_at=now + dt.timedelta(days=25),
            goals=Goal.objects.filter(agency=agency),
            responsible=[nadia],
        )
        sections = list(consultation.current_version.sections.order_by("order"))  # type: ignore[union-attr]
        posted = []
        for who, section, passage, body in COMMENTS:
            posted.append(
                actions.post_comment(
                    by=people[who],
                    consultation=consultation,
                    section=sections[section] if section is not None else None,
                    passage=passage,
                    body=body,
                )
            )
        for who, index, body in REPLIES:
            actions.post_comment(
                by=people[who], consultation=consultation, parent=posted[index], body=body
            )
        actions.post_comment(
            by=nadia.user,
            consultation=consultation,
            parent=posted[7],
            body="Buses keep their routes; the main roads they use stay at 30 mph.",
        )
        for who, section, stance in SUPPORTS:
            actions.set_support(by=people[who], section=sections[section], stance=stance)
        actions.propose_amendment(
            by=people[3],
            section=sections[2],
            text=(
                "Every elementary school on a main road gets a raised crossing within one "
                "year, and every other school within two years. Crossings on main roads get "
                "a refuge island where the road is wide enough."
            ),
            reason="The schools on busy roads cannot wait two years.",
        )
        documents.attach_document(
            by=nadia.user,
            consultation=consultation,
            title="Injuries on Springfield streets, 2021 to 2025",
            upload=SimpleUploadedFile(
                "injury-summary.txt", INJURY_SUMMARY.encode(), content_type="text/plain"
            ),
        )

    def _yard_waste(self, people: dict[Any, User]) -> None:
        agency = _agency("public-works")
        keisha = _staff("Keisha Brown")
        now = timezone.now()
        # Open for a few seconds while residents comment, then closed: the response can
        # only be published after closing, and every step goes through the actions.
        closes_at = now + dt.timedelta(seconds=3)
        consultation = actions.create_consultation(
            by=keisha.user,
            agency=agency,
            title="Yard waste collection rules",
            summary="How yard waste is collected: the season, the bags and cans, and brush.",
            sections=YARD_WASTE,
            published_at=now,
            opens_at=now - dt.timedelta(days=1),
            closes_at=closes_at,
            responsible=[keisha],
        )
        sections = list(consultation.current_version.sections.order_by("order"))  # type: ignore[union-attr]
        season = [
            actions.post_comment(
                by=people[i],
                consultation=consultation,
                section=sections[0],
                passage="first Friday of December",
                body=body,
            )
            for i, body in (
                (0, "Leaves keep falling until mid-December here."),
                (1, "Please extend the season by two weeks."),
                ("jordan", "The oaks on my street drop leaves in December."),
            )
        ]
        bags = [
            actions.post_comment(
                by=people[i], consultation=consultation, section=sections[1], body=body
            )
            for i, body in (
                (2, "Paper bags tear in the rain."),
                (3, "Can we use compostable plastic bags?"),
            )
        ]
        amendment = actions.propose_amendment(
            by=people[4],
            section=sections[0],
            text=(
                "Yard waste is collected every week from the first Monday of April to the "
                "third Friday of December."
            ),
            reason="Leaves fall late in Springfield.",
        )
        actions.set_support(by=people[5], section=sections[1], stance=Stance.OPPOSE)
        time.sleep(max(0.0, (closes_at - timezone.now()).total_seconds()) + 0.2)
        with transaction.atomic():
            by = keisha.user
            season_theme = actions.create_theme(
                by=by, consultation=consultation, title="A longer season", comments=season
            )
            actions.answer_theme(
                by=by,
                theme=season_theme,
                outcome=Outcome.ACCEPTED,
                response="Collection now runs until the third Friday of December.",
            )
            bags_theme = actions.create_theme(
                by=by, consultation=consultation, title="Bags", comments=bags
            )
            actions.answer_theme(
                by=by,
                theme=bags_theme,
                outcome=Outcome.PARTLY_ACCEPTED,
                response=(
                    "Certified compostable bags are now accepted; plastic bags still are not, "
                    "because they jam the composting machines."
                ),
            )
            actions.answer_amendment(
                by=by,
                amendment=amendment,
                outcome=Outcome.ACCEPTED,
                response="Adopted as written.",
            )
            actions.publish_version(
                by=by,
                consultation=consultation,
                sections=[
                    (
                        "Collection season",
                        "Yard waste is collected every week from the first Monday of April "
                        "to the third Friday of December.",
                    ),
                    (
                        "Bags and cans",
                        "Put yard waste in paper bags, certified compostable bags or a can "
                        "marked YARD WASTE. Plastic bags are not collected.",
                    ),
                    YARD_WASTE[2],
                ],
                note="The final text: a longer season and compostable bags.",
            )
            actions.publish_response(
                by=by,
                consultation=consultation,
                summary=(
                    "Thank you to everyone who took part. **You said** the season ended too "
                    "early and paper bags tear; **we did**: the season runs three weeks "
                    "longer and certified compostable bags are accepted."
                ),
            )
