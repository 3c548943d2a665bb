"""`townhall demo_requests`: about twenty believable requests in the demo city.

Needs the demo city (`townhall demo`). Everything goes through the same actions the site
uses, with explicit times: requests were filed over the last weeks, some were taken,
answered, declined or marked as duplicates, one FOI deadline was extended, and a few were
left past their due date, so their promises show as broken.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.utils import timezone

from townhall.agencies.models import Service, StaffMembership
from townhall.commitments import actions as commitment_actions
from townhall.identity.models import User
from townhall.service_requests import actions
from townhall.service_requests.models import ServiceRequest

TIME_ZONE = ZoneInfo("America/Chicago")
CITIZENS = {"jordan": "citizen@example.org", "casey": "citizen2@example.org"}


@dataclass
class Filing:
    """One demo request: who files what, how many days ago (at 9:30 local), and what
    staff do next (`steps`, run in order; each gets the demo context and the request)."""

    service: str
    citizen: str
    days_ago: int
    description: str
    answers: dict[str, Any] = field(default_factory=dict)
    where: tuple[str, str, str] | None = None  # latitude, longitude, address
    is_public: bool | None = None
    steps: tuple[Callable[[Demo, ServiceRequest], Any], ...] = ()


class Demo:
    """Who is who in the demo city, and the moments the demo's steps happen at."""

    def __init__(self, now: datetime) -> None:
        self.now = now
        self.citizens = {key: _user(email) for key, email in CITIZENS.items()}
        self.filed: dict[str, ServiceRequest] = {}

    def staff(self, public_name: str) -> Any:
        membership = (
            StaffMembership.objects.active()
            .select_related("user")
            .filter(public_name=public_name)
            .first()
        )
        if membership is None:
            raise CommandError(f"The demo staff member {public_name} is missing.")
        return membership.user

    def days_ago(self, days: float, hour: int = 9, minute: int = 30) -> datetime:
        local = (self.now - timedelta(days=days)).astimezone(TIME_ZONE)
        moment = local.replace(hour=hour, minute=minute, second=0, microsecond=0)
        return min(moment, self.now)

    def in_days(self, days: int) -> datetime:
        local = (self.now + timedelta(days=days)).astimezone(TIME_ZONE)
        return local.replace(hour=17, minute=0, second=0, microsecond=0)


def _user(email: str) -> User:
    user = User.objects.filter(email=email).first()
    if user is None:
        raise CommandError(
            f"The demo account {email} is missing: run `townhall demo` first to create the "
            "demo city."
        )
    return user


# --- the steps staff and citizens take ------------------------------------------------------


def take(name: str) -> Callable[[Demo, ServiceRequest], Any]:
    return lambda demo, request: actions.take_request(by=demo.staff(name), request=request)


def reply(
    name: str, body: str, days_ago: float, promise: str = "", promise_in_days: int = 0
) -> Callable[[Demo, ServiceRequest], Any]:
    def step(demo: Demo, request: ServiceRequest) -> Any:
        return actions.reply_to_request(
            by=demo.staff(name),
            request=request,
            body=body,
            promise=promise or None,
            promise_due_at=demo.in_days(promise_in_days) if promise else None,
            at=demo.days_ago(days_ago, hour=11),
        )

    return step


def citizen_reply(body: str, days_ago: float) -> Callable[[Demo, ServiceRequest], Any]:
    return lambda demo, request: actions.reply_to_request(
        by=request.requester, request=request, body=body, at=demo.days_ago(days_ago, hour=18)
    )


def clarify(name: str, body: str, days_ago: float) -> Callable[[Demo, ServiceRequest], Any]:
    return lambda demo, request: actions.request_clarification(
        by=demo.staff(name), request=request, body=body, at=demo.days_ago(days_ago, hour=10)
    )


def answer(name: str, body: str, days_ago: float) -> Callable[[Demo, ServiceRequest], Any]:
    return lambda demo, request: actions.answer_request(
        by=demo.staff(name), request=request, body=body, at=demo.days_ago(days_ago, hour=15)
    )


def close(name: str, note: str, days_ago: float) -> Callable[[Demo, ServiceRequest], Any]:
    return lambda demo, request: actions.close_request(
        by=demo.staff(name), request=request, note=note, at=demo.days_ago(days_ago, hour=16)
    )


def note(name: str, body: str) -> Callable[[Demo, ServiceRequest], Any]:
    return lambda demo, request: actions.add_internal_note(
        by=demo.staff(name), request=request, body=body
    )


def decline(name: str, reason: str) -> Callable[[Demo, ServiceRequest], Any]:
    return lambda demo, request: actions.decline_request(
        by=demo.staff(name), request=request, reason=reason
    )


def duplicate_of(name: str, original: str) -> Callable[[Demo, ServiceRequest], Any]:
    return lambda demo, request: actions.mark_duplicate(
        by=demo.staff(name), request=request, original=demo.filed[original], note=""
    )


def extend(name: str, reason: str) -> Callable[[Demo, ServiceRequest], Any]:
    return lambda demo, request: actions.extend_deadline(
        by=demo.staff(name), request=request, reason=reason
    )


def me_too(citizen: str) -> Callable[[Demo, ServiceRequest], Any]:
    return lambda demo, request: actions.support_request(by=demo.citizens[citizen], request=request)


def remember(key: str) -> Callable[[Demo, ServiceRequest], Any]:
    def step(demo: Demo, request: ServiceRequest) -> None:
        demo.filed[key] = request

    return step


SAM, MORGAN, RENEE = "Sam Rivera", "Morgan Ellis", "Renee Castillo"

FILINGS = (
    Filing(
        "pothole",
        "jordan",
        12,
        "A deep pothole in the eastbound lane of Capitol Avenue just past 2nd Street. "
        "Cars swerve into the next lane to avoid it.",
        {"road-position": "lane", "size": "large", "traffic-hazard": "yes"},
        ("39.798300", "-89.654400", "Capitol Ave & 2nd St"),
        steps=(
            take(SAM),
            reply(SAM, "Thanks for the report. A crew is booked to patch it this week.", 11),
            answer(SAM, "We patched the hole this morning. Thank you for telling us.", 9),
            me_too("casey"),
        ),
    ),
    Filing(
        "pothole",
        "casey",
        1,
        "Pothole at the corner of Monroe and 7th, right where people cross to the bus stop.",
        {"road-position": "crosswalk", "size": "medium", "traffic-hazard": "yes"},
        ("39.800900", "-89.646800", "Monroe St & 7th St"),
        steps=(remember("monroe"),),
    ),
    Filing(
        "pothole",
        "jordan",
        1,
        "Hole in the crosswalk at 7th and Monroe, near the bus stop.",
        {"road-position": "crosswalk", "size": "medium", "traffic-hazard": "no"},
        ("39.800950", "-89.646750", "7th & Monroe"),
        steps=(duplicate_of(SAM, "monroe"),),
    ),
    Filing(
        "pothole",
        "casey",
        6,
        "Two potholes next to the curb on South Grand Avenue East near the school.",
        {"road-position": "shoulder", "size": "small", "traffic-hazard": "no"},
        ("39.784100", "-89.641000", "S Grand Ave E near Lincoln Elementary"),
        steps=(
            take(SAM),
            answer(SAM, "Both holes are filled. Thank you for your patience.", 0),
        ),
    ),
    Filing(
        "streetlight-out",
        "casey",
        15,
        "The streetlight outside 1420 South 5th Street has been dark for a week.",
        {"light-problem": "dark"},
        ("39.786000", "-89.650500", "1420 S 5th St"),
    ),
    Filing(
        "streetlight-out",
        "jordan",
        3,
        "The light at the entrance to Washington Park flickers all night.",
        {"light-problem": "flickering", "pole-number": "SL-20931"},
        ("39.789600", "-89.677300", "Washington Park, Chatham Rd entrance"),
        steps=(
            take("Luis Ortega"),
            reply(
                "Luis Ortega",
                "I will check the lamp and its sensor.",
                2,
                promise="I will check the lamp by Friday",
                promise_in_days=3,
            ),
        ),
    ),
    Filing(
        "missed-trash-pickup",
        "jordan",
        2,
        "Our recycling was not picked up on Monday; the rest of the street was.",
        {"scheduled-day": "", "missed-items": ["recycling"]},
        ("39.771200", "-89.660300", "2210 S Walnut St"),
        steps=(
            reply(
                "Keisha Brown", "The truck missed your side of the street. It is coming back.", 1
            ),
            answer("Keisha Brown", "Your recycling was collected this morning.", 0),
        ),
    ),
    Filing(
        "graffiti-removal",
        "casey",
        6,
        "Spray-painted tags on the underpass wall on North Grand Avenue.",
        {"offensive": "no"},
        ("39.818300", "-89.646500", "N Grand Ave underpass"),
        steps=(
            take(SAM),
            clarify(SAM, "Is it on the east or the west wall of the underpass?", 5),
            citizen_reply("The west wall, facing the road.", 4),
        ),
    ),
    Filing(
        "tree-trimming",
        "jordan",
        20,
        "The oak in front of 905 West Edwards Street has branches hanging over the sidewalk "
        "at head height.",
        {"tree-condition": "overgrown"},
        ("39.795600", "-89.661600", "905 W Edwards St"),
        steps=(
            reply(
                "Priya Shah", "I looked at the tree: trimming is scheduled with the next round.", 18
            ),
            me_too("casey"),
        ),
    ),
    Filing(
        "park-maintenance",
        "casey",
        4,
        "One of the swings in the Lincoln Park playground has a broken chain.",
        {"park-name": "Lincoln Park"},
        ("39.822400", "-89.650300", "Lincoln Park playground"),
        steps=(reply("Tom Becker", "The swing is taped off and a new chain is ordered.", 3),),
    ),
    Filing(
        "housing-inspection",
        "jordan",
        8,
        "The heating in my apartment has not worked for ten days and the landlord does not answer.",
        {"conditions": ["no-heat"], "landlord-told": "yes"},
        ("39.803200", "-89.642900", "Apartment 3B, 611 E Jackson St"),
        steps=(
            clarify(
                "Angela Foster",
                "Could you tell me two times next week when I can visit the apartment?",
                7,
            ),
        ),
    ),
    Filing(
        "traffic-signal",
        "casey",
        9,
        "The left-turn arrow at MacArthur and Wabash never turns green.",
        {"signal-problem": "timing"},
        ("39.767500", "-89.670000", "MacArthur Blvd & Wabash Ave"),
        steps=(
            take("Nadia Petrovic"),
            answer("Nadia Petrovic", "A detector loop had failed. It is replaced and working.", 8),
            close("Nadia Petrovic", "Repaired", 6),
        ),
    ),
    Filing(
        "sidewalk-repair",
        "jordan",
        30,
        "A raised slab on the sidewalk outside the library trips people up.",
        {"sidewalk-problem": ["raised"]},
        ("39.800400", "-89.649000", "326 S 7th St (Lincoln Library)"),
        steps=(
            reply(
                "James O'Connor",
                "Thank you. The slab is marked with paint and on this month's repair list.",
                29,
            ),
        ),
    ),
    Filing(
        "street-sign",
        "casey",
        11,
        "The speed limit sign on Veterans Parkway near the mall is bent over.",
        {},
        ("39.760300", "-89.706800", "Veterans Pkwy near White Oaks Mall"),
        steps=(
            decline(
                "Nadia Petrovic",
                "Veterans Parkway is a state route: the Illinois Department of Transportation "
                "looks after its signs. We passed your report on to them.",
            ),
        ),
    ),
    Filing(
        "foi-request",
        "jordan",
        25,
        "Please send the contracts the city signed for road resurfacing in 2025, with the "
        "amounts paid to each contractor.",
        {"records-period": "January to December 2025", "preferred-format": "electronic"},
        steps=(
            take(RENEE),
            reply(
                RENEE,
                "I have asked Public Works and Procurement for the contracts.",
                22,
            ),
            extend(
                RENEE,
                "Some of the contracts are in the off-site archive and must be retrieved and "
                "reviewed before release.",
            ),
        ),
    ),
    Filing(
        "foi-request",
        "casey",
        5,
        "How many potholes did the city repair in each ward in 2025?",
        {"preferred-format": "electronic"},
        steps=(take(RENEE),),
    ),
    Filing(
        "council-records",
        "jordan",
        7,
        "Where can I find the minutes of the City Council meeting on the new bike lanes?",
        {},
        steps=(
            answer(
                "Patricia Nguyen",
                "The minutes are on the Council records page under the meeting date; I have "
                "attached the link in this reply.",
                6,
            ),
        ),
    ),
    Filing(
        "food-safety-complaint",
        "casey",
        3,
        "The kitchen at a diner on Clear Lake Avenue looked dirty and the chicken was served pink.",
        {"business-name": "Clear Lake Diner", "visit-date": "", "fell-ill": "no"},
        ("39.801300", "-89.633000", "Clear Lake Ave"),
        steps=(
            take("Carlos Mendoza"),
            note("Carlos Mendoza", "Second complaint about this diner this year; inspect soon."),
        ),
    ),
    Filing(
        "mosquito-concern",
        "jordan",
        18,
        "A flooded vacant lot on North 9th Street is full of mosquitoes.",
        {},
        ("39.815000", "-89.643000", "North 9th St vacant lot"),
    ),
    Filing(
        "missed-trash-pickup",
        "casey",
        0,
        "Yard waste bags left out on Tuesday are still at the curb.",
        {"scheduled-day": "", "missed-items": ["yard-waste"]},
        ("39.781000", "-89.627000", "1800 E Cook St"),
    ),
    Filing(
        "home-repair-grant",
        "jordan",
        4,
        "Our furnace is 30 years old and failing. Could we get help replacing it?",
        {"household-size": 4},
        steps=(
            reply(
                "Sofia Alvarez",
                "You may well qualify. I would like to go through the form with you.",
                3,
                promise="I will call you to go through the application",
                promise_in_days=2,
            ),
        ),
    ),
)


class Command(BaseCommand):
    help = "File about twenty believable demo requests in the demo city (after `townhall demo`)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="Do nothing (and say so) when there are requests already.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if ServiceRequest.objects.exists():
            if options["if_empty"]:
                self.stdout.write("There are requests already; no demo requests were added.")
                return
            raise CommandError(
                "There are requests already. Demo requests only go into a city without "
                "requests (use --if-empty to skip quietly)."
            )
        with transaction.atomic():
            demo = Demo(timezone.now())
            filed = self.file_all(demo)
            broken = commitment_actions.mark_broken_commitments(now=demo.now)
        self.stdout.write(
            self.style.SUCCESS(
                f"Filed {filed} demo requests; {broken} promises were left past due and are "
                "shown as broken."
            )
        )

    def file_all(self, demo: Demo) -> int:
        services = {service.code: service for service in Service.objects.all()}
        filed = 0
        for filing in FILINGS:
            service = services.get(filing.service)
            if service is None:
                raise CommandError(
                    f"The demo service “{filing.service}” is missing: run `townhall demo` first."
                )
            at = demo.days_ago(filing.days_ago)
            answers = {
                code: (at.astimezone(TIME_ZONE).date().isoformat() if value == "" else value)
                for code, value in filing.answers.items()
            }
            latitude, longitude, address = filing.where or (None, None, "")
            request = actions.file_request(
                by=demo.citizens[filing.citizen],
                service=service,
                description=filing.description,
                answers=answers,
                latitude=latitude,
                longitude=longitude,
                address=address,
                is_public=filing.is_public,
                at=at,
            )
            for step in filing.steps:
                step(demo, request)
            filed += 1
        return filed
