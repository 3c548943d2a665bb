"""`townhall demo`: fill an empty database with the demo city of Springfield, Illinois.

Everything is created through the same actions the site uses, inside one transaction, so
the activity log reads like the city's real first day. All demo accounts share the
password below and are marked `is_demo`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from allauth.account.models import EmailAddress
from django.contrib.auth.hashers import make_password
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.utils.text import slugify

from townhall.agencies import actions
from townhall.agencies.management.demo_services import STANDARDS
from townhall.agencies.models import Agency, GoalMetric, StaffRole
from townhall.identity import actions as identity_actions
from townhall.identity.models import AssuranceLevel, AssuranceMethod, DocumentType, User

DEMO_PASSWORD = "townhall-demo-password"
JURISDICTION = "US-IL"
TIME_ZONE = "America/Chicago"
STAFF_EMAIL_DOMAIN = "staff.springfield.example"


@dataclass(frozen=True)
class Person:
    name: str
    job_title: str
    bio: str
    teams: tuple[str, ...] = ()
    role: str = StaffRole.STAFF
    email: str = ""  # a fixed demo account; otherwise first.last@STAFF_EMAIL_DOMAIN

    @property
    def account_email(self) -> str:
        return self.email or f"{slugify(self.name).replace('-', '.')}@{STAFF_EMAIL_DOMAIN}"

    @property
    def personal_name(self) -> str:
        """The display name of the person's own account, apart from their work name."""
        words = [word for word in self.name.split() if not word.endswith(".")]
        return f"{words[0]} {words[-1][0]}."


@dataclass(frozen=True)
class AgencyPlan:
    name: str
    purpose: str
    email: str
    phone: str
    # title, description, how it is measured; optionally the dashboard figure and its target
    goals: tuple[tuple[str, str, str] | tuple[str, str, str, GoalMetric, int], ...]
    teams: tuple[tuple[str, str], ...]  # name, what it handles
    people: tuple[Person, ...]
    services: tuple[tuple[str, str, str], ...]  # code, name, description (more in STANDARDS)
    parent: str = ""


# The fixed accounts people sign in with to try the demo (email, display name, extras).
CITIZENS = (
    ("citizen@example.org", "Jordan Citizen"),
    ("citizen2@example.org", "Casey Neighbor"),
)
ADMIN = ("admin@example.org", "Springfield Site Administrator")

CITY = (
    AgencyPlan(
        name="City Clerk",
        purpose=(
            "The City Clerk keeps Springfield's official record: City Council agendas, "
            "minutes and ordinances, business and pet licences, and the city's public "
            "notices. If the city decided it, the Clerk can show you where it is written down."
        ),
        email="clerk@springfield.example",
        phone="(217) 555-0110",
        goals=(
            (
                "Publish every council record promptly",
                "Agendas go out before the meeting and minutes soon after, so residents can "
                "follow and take part in decisions.",
                "Share of council minutes published within 5 working days of the meeting",
            ),
            (
                "Make licensing quick and predictable",
                "Complete licence applications are decided without a second trip.",
                "Median working days from complete application to licence issued",
            ),
            (
                "Reply to every question within a day",
                "A named person acknowledges each question or request the same working day.",
                "Median hours from a request to its first reply: 24 at most",
                GoalMetric.MEDIAN_HOURS_TO_ACKNOWLEDGE,
                24,
            ),
        ),
        teams=(
            ("Council Records", "Agendas, minutes, ordinances and resolutions."),
            ("Licensing", "Business, liquor and pet licences."),
        ),
        people=(
            Person(
                "Patricia Nguyen",
                "City Clerk",
                "Patricia has kept Springfield's records for twelve years and chairs the "
                "records retention committee.",
                ("Council Records",),
                StaffRole.MANAGER,
            ),
            Person(
                "Ben Adler",
                "Deputy Clerk for Licensing",
                "Ben answers questions about business and pet licences and can tell you "
                "what an application still needs.",
                ("Licensing",),
            ),
        ),
        services=(
            (
                "council-records",
                "Council records question",
                "Ask for an agenda, minutes, an ordinance or a resolution of the City Council.",
            ),
            (
                "business-license",
                "Business licence question",
                "Ask about applying for or renewing a business licence.",
            ),
            (
                "service-complaint",
                "Complaint about a city service",
                "Tell us when a city service or member of staff let you down. The Clerk "
                "makes sure the right office answers.",
            ),
        ),
    ),
    AgencyPlan(
        name="Office of Public Records",
        parent="City Clerk",
        purpose=(
            "The Office of Public Records answers requests under the Illinois Freedom of "
            "Information Act. Public records belong to the public: we find them, release "
            "them, and explain in writing anything we must withhold."
        ),
        email="foi@springfield.example",
        phone="(217) 555-0115",
        goals=(
            (
                "Answer every FOI request on time",
                "We promise an answer within 20 working days, extended at most once by 10 "
                "working days with the reason given in writing.",
                "Share of FOI requests answered within the statutory deadline: 95% at least",
                GoalMetric.FOI_ON_TIME_SHARE,
                95,
            ),
            (
                "Release as much as the law allows",
                "Withhold only what an exemption truly covers, and say which one.",
                "Share of requests answered in full, without redactions",
            ),
            (
                "Publish what people ask for most",
                "Frequently requested records go online so nobody has to ask again.",
                "Number of records sets published proactively each quarter",
            ),
        ),
        teams=(("FOI Requests", "Freedom of Information Act requests and appeals."),),
        people=(
            Person(
                "Renee Castillo",
                "Freedom of Information Officer",
                "Renee handles FOI requests from start to finish and is happy to help you "
                "word a request so it finds the records you want.",
                ("FOI Requests",),
                email="foi@example.org",
            ),
            Person(
                "David Kim",
                "Records Manager",
                "David looks after the city's archives and retention schedules.",
                ("FOI Requests",),
            ),
        ),
        services=(
            (
                "foi-request",
                "Freedom of Information request",
                "Ask for copies of public records held by any city agency.",
            ),
            (
                "records-inspection",
                "Inspect records in person",
                "Book a time to look at public records at City Hall before deciding what to copy.",
            ),
        ),
    ),
    AgencyPlan(
        name="Public Works",
        purpose=(
            "Public Works keeps Springfield's streets, streetlights, sewers and trash "
            "collection working every day, and fixes what breaks as quickly as it safely can."
        ),
        email="publicworks@springfield.example",
        phone="(217) 555-0140",
        goals=(
            (
                "Repair potholes quickly",
                "A reported pothole on a city street is made safe and patched.",
                "Share of reports answered within their service standard (5 working days "
                "for a pothole): 90% at least",
                GoalMetric.ANSWERED_ON_TIME_SHARE,
                90,
            ),
            (
                "Keep the streetlights on",
                "Dark streets are unsafe; outages are fixed or handed to the utility fast.",
                "Median working days from streetlight report to repair",
            ),
            (
                "Collect every scheduled pickup",
                "Trash and recycling are picked up on the scheduled day.",
                "Missed pickups per 10,000 scheduled collections",
            ),
        ),
        teams=(
            ("Road Maintenance", "Potholes, street repairs and snow removal."),
            ("Streetlights and Signals", "Streetlight outages and damaged poles."),
            ("Solid Waste", "Trash, recycling and yard waste collection."),
        ),
        people=(
            Person(
                "Sam Rivera",
                "Road Maintenance Supervisor",
                "Sam runs the road crews that patch potholes and plough snow, and has worked "
                "on Springfield's streets for fifteen years.",
                ("Road Maintenance",),
                email="staff@example.org",
            ),
            Person(
                "Morgan Ellis",
                "Deputy Director of Public Works",
                "Morgan oversees the department's crews and budget and answers for how "
                "quickly we fix things.",
                ("Road Maintenance", "Solid Waste"),
                StaffRole.MANAGER,
                email="manager@example.org",
            ),
            Person(
                "Luis Ortega",
                "Streetlight Technician",
                "Luis repairs streetlights across the city and works with the utility on "
                "poles it owns.",
                ("Streetlights and Signals",),
            ),
            Person(
                "Keisha Brown",
                "Solid Waste Coordinator",
                "Keisha plans the collection routes and follows up on every missed pickup.",
                ("Solid Waste",),
            ),
        ),
        services=(
            ("pothole", "Pothole", "Report a pothole on a city street or alley."),
            (
                "streetlight-out",
                "Streetlight out",
                "Report a streetlight that is dark, flickering or on during the day.",
            ),
            (
                "missed-trash-pickup",
                "Missed trash pickup",
                "Report trash, recycling or yard waste that was not collected on your day.",
            ),
            (
                "graffiti-removal",
                "Graffiti removal",
                "Report graffiti on public property such as walls, signs or bridges.",
            ),
        ),
    ),
    AgencyPlan(
        name="Parks and Recreation",
        purpose=(
            "Parks and Recreation looks after Springfield's parks, playgrounds and street "
            "trees, and runs programmes so that everyone has a green place to play and rest "
            "within a short walk of home."
        ),
        email="parks@springfield.example",
        phone="(217) 555-0160",
        goals=(
            (
                "A park within a ten-minute walk of every home",
                "",
                "Share of residents living within half a mile of a public park",
            ),
            (
                "Keep street trees healthy and safe",
                "Dead or dangerous trees are dealt with before they fall.",
                "Median working days from hazardous-tree report to trimming or removal",
            ),
            (
                "Do what we say we will",
                "When a member of staff promises something, it happens by the date given.",
                "Share of promises kept rather than broken or renegotiated: 90% at least",
                GoalMetric.PROMISES_KEPT_SHARE,
                90,
            ),
        ),
        teams=(
            ("Forestry", "Street trees: trimming, removal and planting."),
            ("Park Operations", "Mowing, playgrounds, restrooms and park facilities."),
        ),
        people=(
            Person(
                "Priya Shah",
                "City Forester",
                "Priya is a certified arborist who decides which trees to trim, treat or replace.",
                ("Forestry",),
            ),
            Person(
                "Tom Becker",
                "Park Operations Manager",
                "Tom manages the crews who keep the parks and playgrounds clean and safe.",
                ("Park Operations",),
                StaffRole.MANAGER,
            ),
        ),
        services=(
            (
                "tree-trimming",
                "Tree trimming",
                "Ask for a city street tree to be trimmed, or report a dead or leaning tree.",
            ),
            (
                "park-maintenance",
                "Park maintenance",
                "Report a broken playground, a damaged bench or a park that needs cleaning.",
            ),
        ),
    ),
    AgencyPlan(
        name="Housing and Community Development",
        purpose=(
            "Housing and Community Development makes sure rental homes in Springfield are "
            "safe and decent, and helps residents repair and keep their homes."
        ),
        email="housing@springfield.example",
        phone="(217) 555-0175",
        goals=(
            (
                "Inspect unsafe housing promptly",
                "A tenant's report of unsafe conditions leads to an inspection.",
                "Median working days from complaint to inspection",
            ),
            (
                "Keep people in their homes",
                "Repair grants go to owners who could not otherwise fix their homes.",
                "Number of homes repaired with city grants each year",
            ),
            (
                "No report waits long for a person",
                "Every report of unsafe housing is acknowledged by a named inspector.",
                "Hours within which nine in ten requests get their first reply: 48 at most",
                GoalMetric.P90_HOURS_TO_ACKNOWLEDGE,
                48,
            ),
        ),
        teams=(
            ("Code Enforcement", "Housing inspections and code violations."),
            ("Housing Assistance", "Home repair grants and rental assistance."),
        ),
        people=(
            Person(
                "Angela Foster",
                "Housing Inspector",
                "Angela inspects rental homes and explains to owners and tenants what must "
                "be fixed, and by when.",
                ("Code Enforcement",),
            ),
            Person(
                "Marcus Hill",
                "Community Development Manager",
                "Marcus runs the home repair grant programme.",
                ("Housing Assistance",),
                StaffRole.MANAGER,
            ),
            Person(
                "Sofia Alvarez",
                "Housing Counselor",
                "Sofia helps renters and owners find the assistance they qualify for. "
                "Hablo español.",
                ("Housing Assistance",),
            ),
        ),
        services=(
            (
                "housing-inspection",
                "Housing inspection",
                "Ask for an inspection of a rental home with unsafe or unhealthy conditions.",
            ),
            (
                "home-repair-grant",
                "Home repair grant question",
                "Ask whether you qualify for help with essential home repairs.",
            ),
            (
                "rental-registration",
                "Rental registration certificate",
                "Register a rental property and get the certificate every Springfield "
                "landlord needs. Only the owner or their agent can apply.",
            ),
        ),
    ),
    AgencyPlan(
        name="Transportation",
        purpose=(
            "Transportation plans and runs Springfield's traffic signals, signs, sidewalks "
            "and bike lanes so that people can get around safely, whether they walk, cycle, "
            "take the bus or drive."
        ),
        email="transportation@springfield.example",
        phone="(217) 555-0180",
        goals=(
            (
                "Fix broken traffic signals the same day",
                "A dark or stuck signal is an emergency.",
                "Share of signal malfunctions fixed within 24 hours",
            ),
            (
                "Make sidewalks usable by everyone",
                "Broken sidewalks and missing curb ramps are repaired on a published plan.",
                "Blocks of sidewalk repaired or made accessible each year",
            ),
            (
                "Acknowledge every report on time",
                "Each report gets a reply from a person within the service's standard.",
                "Share of requests acknowledged within their service standard: 95% at least",
                GoalMetric.ACKNOWLEDGED_ON_TIME_SHARE,
                95,
            ),
        ),
        teams=(
            ("Traffic Engineering", "Signals, signs, road markings and speed studies."),
            ("Sidewalks", "Sidewalk repairs and curb ramps."),
        ),
        people=(
            Person(
                "Nadia Petrovic",
                "Traffic Engineer",
                "Nadia times the city's traffic signals and reviews requests for new signs "
                "and crossings.",
                ("Traffic Engineering",),
            ),
            Person(
                "James O'Connor",
                "Sidewalk Program Coordinator",
                "James schedules sidewalk repairs and new curb ramps across the city.",
                ("Sidewalks",),
            ),
        ),
        services=(
            (
                "traffic-signal",
                "Traffic signal problem",
                "Report a traffic signal that is dark, stuck or timed badly.",
            ),
            (
                "sidewalk-repair",
                "Sidewalk repair",
                "Report a broken, raised or missing sidewalk or curb ramp.",
            ),
            (
                "street-sign",
                "Damaged street sign",
                "Report a missing, bent or unreadable street or traffic sign.",
            ),
        ),
    ),
    AgencyPlan(
        name="Health",
        purpose=(
            "The Health Department protects the health of everyone in Springfield: it "
            "inspects restaurants, controls mosquitoes and other disease carriers, and "
            "offers vaccinations."
        ),
        email="health@springfield.example",
        phone="(217) 555-0190",
        goals=(
            (
                "Safe food wherever you eat",
                "Every food business is inspected and the results are published.",
                "Share of food businesses inspected at least twice a year",
            ),
            (
                "Act fast on health hazards",
                "Complaints about food safety or disease carriers are investigated quickly.",
                "Median working days from complaint to investigation",
            ),
            (
                "Answer within three days",
                "Half of all questions and complaints are answered within three days.",
                "Median hours from a request to its answer: 72 at most",
                GoalMetric.MEDIAN_HOURS_TO_RESPOND,
                72,
            ),
        ),
        teams=(("Environmental Health", "Food safety, mosquito control and health hazards."),),
        people=(
            Person(
                "Dr. Lena Hoffman",
                "Public Health Director",
                "Dr. Hoffman leads the department and its response to outbreaks.",
                (),
                StaffRole.MANAGER,
            ),
            Person(
                "Carlos Mendoza",
                "Environmental Health Inspector",
                "Carlos inspects restaurants and follows up on food safety complaints.",
                ("Environmental Health",),
            ),
        ),
        services=(
            (
                "food-safety-complaint",
                "Food safety complaint",
                "Report unsafe food handling or unsanitary conditions at a food business.",
            ),
            (
                "mosquito-concern",
                "Mosquito concern",
                "Report standing water or heavy mosquito activity.",
            ),
        ),
    ),
)

DEMO_ACCOUNT_EMAILS = (
    *(email for email, _ in CITIZENS),
    "staff@example.org",
    "foi@example.org",
    "manager@example.org",
    ADMIN[0],
)


class Command(BaseCommand):
    help = "Create the demo city of Springfield, Illinois, with its demo accounts."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="Do nothing (and say so) when the database already has an agency.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if Agency.objects.exists():
            if options["if_empty"]:
                self.stdout.write("The database already has agencies; the demo city was not added.")
                return
            raise CommandError(
                "The database already has agencies. The demo city only goes into an empty "
                "database (use --if-empty to skip quietly)."
            )
        taken = list(
            User.objects.filter(email__in=DEMO_ACCOUNT_EMAILS).values_list("email", flat=True)
        )
        if taken:
            raise CommandError(
                f"Demo accounts already exist ({', '.join(sorted(taken))}); "
                "the demo city only goes into an empty database."
            )
        with transaction.atomic():
            counts = self.build_city()
        self.stdout.write(
            self.style.SUCCESS(
                f"Created the demo city of Springfield: {counts['agencies']} agencies, "
                f"{counts['people']} staff members, {counts['services']} services."
            )
        )
        self.stdout.write(
            f"Sign in as {', '.join(DEMO_ACCOUNT_EMAILS)} with the password {DEMO_PASSWORD}"
        )

    def build_city(self) -> dict[str, int]:
        # One hash for every demo account: hashing is deliberately slow, and the demo
        # password is public anyway.
        password_hash = make_password(DEMO_PASSWORD)
        accounts: list[User] = []

        def account(email: str, display_name: str, **extra: Any) -> User:
            user = User.objects.create_user(
                email=email, password=None, display_name=display_name, is_demo=True, **extra
            )
            accounts.append(user)
            return user

        for email, display_name in CITIZENS:
            account(email, display_name)
        admin = account(ADMIN[0], ADMIN[1], is_superuser=True, is_staff=True)

        counts = {"agencies": 0, "people": 0, "services": 0}
        agencies: dict[str, Agency] = {}
        sam = None
        for plan in CITY:
            agency = actions.create_agency(
                by=admin,
                name=plan.name,
                purpose=plan.purpose,
                jurisdiction=JURISDICTION,
                time_zone=TIME_ZONE,
                parent=agencies[plan.parent] if plan.parent else None,
                email=plan.email,
                phone=plan.phone,
            )
            agencies[plan.name] = agency
            counts["agencies"] += 1
            for goal in plan.goals:
                metric, target = (goal[3], goal[4]) if len(goal) == 5 else ("", None)
                actions.add_goal(
                    by=admin,
                    agency=agency,
                    title=goal[0],
                    description=goal[1],
                    measure=goal[2],
                    metric=metric,
                    target=target,
                )
            teams = {
                name: actions.create_team(by=admin, agency=agency, name=name, description=about)
                for name, about in plan.teams
            }
            for person in plan.people:
                user = account(person.account_email, person.personal_name)
                membership = actions.add_staff_member(
                    by=admin,
                    agency=agency,
                    user=user,
                    public_name=person.name,
                    job_title=person.job_title,
                    role=person.role,
                    teams=[teams[name] for name in person.teams],
                    bio=person.bio,
                )
                counts["people"] += 1
                if person.email == "staff@example.org":
                    sam = (user, membership)
            for code, name, description in plan.services:
                standard = STANDARDS[code]
                service = actions.add_service(
                    by=admin,
                    agency=agency,
                    code=code,
                    name=name,
                    description=description,
                    **standard.as_kwargs(),
                )
                for question in standard.questions:
                    actions.add_service_attribute(by=admin, service=service, **question.as_kwargs())
                counts["services"] += 1

        User.objects.filter(pk__in=[user.pk for user in accounts]).update(password=password_hash)
        EmailAddress.objects.bulk_create(
            EmailAddress(user=user, email=user.email, primary=True, verified=True)
            for user in accounts
        )
        for user in accounts:
            identity_actions.mark_email_verified(user=user)
        # citizen@ stays at "Email verified"; citizen2@ showed a passport at the city's
        # service desk, so can use services that need "Identity verified".
        identity_actions.raise_assurance(
            by=admin,
            user=User.objects.get(email=CITIZENS[1][0]),
            level=AssuranceLevel.IDENTITY_VERIFIED,
            method=AssuranceMethod.IN_PERSON,
            document_type=DocumentType.PASSPORT,
        )

        if sam is not None:
            # A first edit made as a work persona, so the log shows one from the start.
            user, membership = sam
            actions.update_staff_profile(
                by=user,
                membership=membership,
                bio=membership.bio + " Ask me about the spring pothole blitz.",
                is_public_profile=True,
            )
            # Sam also moderates Public Works' conversations and discussions.
            actions.update_staff_membership(
                by=admin, membership=membership, changes={"is_moderator": True}
            )
            # ... and verifies people in person at the service desk (/account/verify/).
            identity_actions.set_in_person_verifier(by=admin, user=user, allowed=True)
        return counts
