"""Benchmark data: fill the configured database with a synthetic city of service requests.

Builds on the demo city (`townhall migrate` and `townhall demo --if-empty` are run first:
its agencies, services, teams and staff), then adds citizens and service requests filed
over the last few years, with everything a real request leaves behind: its thread and a
few messages (staff replies signed by a named person, clarifications, internal notes,
answers), its acknowledge and respond commitments (and FOI extensions, custom promises),
"me too" supporters, and the Activity rows of its public timeline. The states agree with
one another and with the clock: a commitment is kept when the work was done by its due
time, broken when it was not (or is past due and still open), open otherwise; a request's
status is where its events up to now left it.

Rows go in fast: PostgreSQL through COPY, SQLite through executemany in big transactions
(journal in DELETE mode, synchronous off, foreign keys checked at the end); the secondary
indexes of the filled tables are dropped for the load and built again afterwards. It
prints the rows per second.

Point it at a throw-away database: SQLite under TOWNHALL_VAR_DIR by default, PostgreSQL
with DATABASE_URL.

    TOWNHALL_VAR_DIR=/tmp/townhall-bench .venv/bin/python bench/requests_generate.py
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/townhall_bench \\
        .venv/bin/python bench/requests_generate.py --requests 1000000
"""

from __future__ import annotations

import argparse
import bisect
import itertools
import json
import os
import queue
import random
import sys
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, date, datetime, timedelta
from operator import itemgetter
from pathlib import Path
from typing import Any

DAY = 86_400.0
HOUR = 3_600.0
NEVER = float("inf")
# Requests handled per batch: one transaction, one COPY per table.
BATCH = 25_000

# How often each demo service is used, relative to one another (unknown services: 2).
SERVICE_WEIGHTS = {
    "pothole": 18,
    "missed-trash-pickup": 15,
    "streetlight-out": 10,
    "graffiti-removal": 6,
    "tree-trimming": 6,
    "park-maintenance": 5,
    "sidewalk-repair": 5,
    "housing-inspection": 5,
    "traffic-signal": 4,
    "foi-request": 4,
    "street-sign": 3,
    "food-safety-complaint": 3,
    "mosquito-concern": 3,
    "council-records": 3,
    "business-license": 3,
    "service-complaint": 3,
    "home-repair-grant": 2,
    "rental-registration": 2,
    "records-inspection": 1,
}

FIRST_NAMES = [
    "Alex",
    "Jordan",
    "Casey",
    "Riley",
    "Morgan",
    "Taylor",
    "Jamie",
    "Avery",
    "Quinn",
    "Rowan",
    "Maria",
    "Jose",
    "Wei",
    "Fatima",
    "Aisha",
    "Omar",
    "Liam",
    "Noah",
    "Emma",
    "Olivia",
    "Ava",
    "Sophia",
    "Mia",
    "Lucas",
    "Mateo",
    "Elena",
    "Hannah",
    "Grace",
    "Chloe",
    "Daniel",
    "Samuel",
    "David",
    "Priya",
    "Arjun",
    "Mei",
    "Hiroshi",
    "Kwame",
    "Amara",
    "Nia",
    "Tariq",
    "Leila",
    "Ivan",
    "Olga",
    "Sven",
    "Ingrid",
    "Pablo",
    "Lucia",
    "Diego",
    "Camila",
    "Tom",
    "Ruth",
    "Ellen",
    "Frank",
    "Gloria",
    "Henry",
    "Irene",
]
LAST_INITIALS = "ABCDEFGHIJKLMNOPRSTVWY"
STREETS = [
    "N 5th St",
    "S 6th St",
    "E Monroe St",
    "W Jefferson St",
    "S Grand Ave",
    "N Grand Ave",
    "Washington St",
    "Adams St",
    "Capitol Ave",
    "Wabash Ave",
    "Chatham Rd",
    "MacArthur Blvd",
    "Stevenson Dr",
    "Sangamon Ave",
    "Clear Lake Ave",
    "Cook St",
    "Lawrence Ave",
    "Walnut St",
    "Pasfield St",
    "Lincoln Ave",
    "Dirksen Pkwy",
    "Peoria Rd",
    "Old Jacksonville Rd",
    "Iles Ave",
    "Ash St",
    "Laurel St",
    "Enos Ave",
    "Converse Ave",
]

DESCRIPTIONS = {
    "pothole": (
        "Deep pothole in the right lane outside number {n}; cars swerve around it.",
        "A pothole about a foot wide has opened up near the corner of {street}.",
        "Several potholes along this block of {street}, one is very deep after the rain.",
    ),
    "missed-trash-pickup": (
        "Our trash was not collected on {street} this week; the bins were out by 6 am.",
        "Recycling was skipped on our side of the street again.",
        "Yard waste bags left behind at number {n}, everything else was picked up.",
    ),
    "streetlight-out": (
        "The streetlight in front of number {n} has been dark for a week.",
        "Streetlight flickers all night near {street}; the corner is very dark.",
        "Two lights out in a row on {street}, pole numbers on the back of the poles.",
    ),
    "foi-request": (
        "Please send me the contracts for street resurfacing signed in {year}.",
        "I request copies of all emails about the {street} redevelopment from {year}.",
        "Please provide the police overtime figures by month for {year}.",
    ),
}
GENERIC_DESCRIPTIONS = (
    "Could you look into this? It has been going on for a while near {street}.",
    "Reporting this for my neighbours too: the problem at number {n} is back.",
    "I would like to know what the city can do about this; see the details above.",
    "First time reporting this. It is on {street}, close to the bus stop.",
)
ACK_REPLIES = (
    "Thank you for your report. I have passed it to the crew and will update you here.",
    "Thanks for letting us know. I am looking into this and will reply with an answer.",
    "Got it. I have added this to this week's schedule.",
)
PROMISES = ("I will call you by Friday", "I will send you the schedule", "I will visit the site")
CLARIFICATIONS = (
    "Could you tell us the nearest house number or cross street?",
    "Can you send a photo, or describe where exactly it is?",
    "Which dates does your request cover? That helps us find the records.",
)
CITIZEN_REPLIES = (
    "It is right in front of number {n}, by the fire hydrant.",
    "The records I need are from January to March.",
    "Yes, it is still there today.",
)
ANSWERS = (
    "The crew repaired this today. Thank you for reporting it.",
    "This is fixed. If it happens again, reply here and I will reopen it.",
    "The records are attached. Nothing was withheld.",
    "We inspected the site and scheduled the work; it is now done.",
)
THANKS = ("Thank you, that was quick!", "Thanks for the update.", "Much appreciated.")
NOTES = (
    "Crew 3 has the truck this week; scheduled for Thursday.",
    "Checked with the utility: the pole is ours.",
    "Same location as an earlier report; linked in the work order.",
)
DECLINE_REASONS = (
    "This street belongs to the state, not the city; we passed your report to IDOT.",
    "We cannot act on private property; the owner has been told.",
)
CLOSE_NOTES = ("No reply from the citizen for 20 days.",)
EXTENSION_REASON = "The records are held in two offices; we need more time to search both."


def timestamp_formatter(vendor: str) -> Callable[[float], str]:
    """UTC seconds → what each backend's Django stores (SQLite: naive UTC text)."""
    epoch = datetime(1970, 1, 1)
    if vendor == "sqlite":
        return lambda ts: (epoch + timedelta(seconds=ts)).isoformat(" ")
    return lambda ts: (epoch + timedelta(seconds=ts)).isoformat(" ") + "+00"


# --- the database side ----------------------------------------------------------------------


class Table:
    """Rows for one model, given as tuples in `columns` order (attnames). Columns the model
    does not have (yet) are dropped; model fields not given get their default."""

    def __init__(self, model: Any, columns: Sequence[str], connection: Any) -> None:
        fields = {f.attname: f for f in model._meta.concrete_fields}
        self.name = model._meta.db_table
        keep = [i for i, column in enumerate(columns) if column in fields]
        self.pick = itemgetter(*keep) if len(keep) != len(columns) else None
        given = [columns[i] for i in keep]
        tail_fields = [f for f in model._meta.concrete_fields if f.attname not in given]
        for field in tail_fields:
            if not field.null and not field.has_default() and field.is_relation:
                raise SystemExit(f"{self.name}.{field.column} needs a value: update the generator.")
        self.tail = tuple(
            field.get_db_prep_save(field.get_default(), connection) for field in tail_fields
        )
        self.columns = [fields[c].column for c in given] + [f.column for f in tail_fields]
        self.rows: list[tuple] = []
        self.count = 0

    def ready(self) -> list[tuple]:
        rows, self.rows = self.rows, []
        if self.pick is not None:
            pick = self.pick
            rows = [pick(row) for row in rows]
        if self.tail:
            tail = self.tail
            rows = [row + tail for row in rows]
        self.count += len(rows)
        return rows


class Loader:
    """Writes batches in a thread of its own, so making rows and storing them overlap
    (SQLite's engine and PostgreSQL's server both run outside the GIL)."""

    def __init__(self, connection: Any) -> None:
        self.connection = connection
        self.vendor = connection.vendor
        connection.ensure_connection()
        self.raw = connection.connection
        self.queue: queue.Queue[list[tuple[Table, list[tuple]]] | None] = queue.Queue(maxsize=2)
        self.error: BaseException | None = None
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def put(self, tables: Iterable[Table]) -> None:
        if self.error is not None:
            raise self.error
        self.queue.put([(table, table.ready()) for table in tables])

    def close(self) -> None:
        self.queue.put(None)
        self.thread.join()
        if self.error is not None:
            raise self.error

    def _run(self) -> None:
        while (batch := self.queue.get()) is not None:
            if self.error is not None:
                continue
            try:
                self._write(batch)
            except BaseException as error:  # handed to the main thread
                self.error = error

    def _write(self, batch: list[tuple[Table, list[tuple]]]) -> None:
        if self.vendor == "postgresql":
            with self.raw.transaction(), self.raw.cursor() as cursor:
                for table, rows in batch:
                    if not rows:
                        continue
                    columns = ", ".join(f'"{c}"' for c in table.columns)
                    with cursor.copy(f'COPY "{table.name}" ({columns}) FROM STDIN') as copy:
                        write = copy.write_row
                        for row in rows:
                            write(row)
        else:
            cursor = self.raw.cursor()
            cursor.execute("BEGIN")
            for table, rows in batch:
                if rows:
                    marks = ", ".join("?" * len(table.columns))
                    columns = ", ".join(f'"{c}"' for c in table.columns)
                    cursor.executemany(
                        f'INSERT INTO "{table.name}" ({columns}) VALUES ({marks})',  # noqa: S608
                        rows,
                    )
            cursor.execute("COMMIT")
            cursor.close()


def secondary_indexes(connection: Any, tables: Sequence[str]) -> list[tuple[str, str]]:
    """(name, CREATE statement) of the indexes that no constraint needs, on these tables."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                """
                SELECT c.relname, pg_get_indexdef(i.indexrelid)
                FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
                JOIN pg_class t ON t.oid = i.indrelid
                WHERE t.relname = ANY(%s) AND NOT i.indisprimary
                  AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = i.indexrelid)
                """,
                [list(tables)],
            )
        else:
            cursor.execute(
                "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL"
                " AND tbl_name IN (SELECT value FROM json_each(%s))",
                [json.dumps(list(tables))],
            )
        return list(cursor.fetchall())


def prepare_for_load(connection: Any) -> None:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET synchronous_commit = off")
            cursor.execute("SET maintenance_work_mem = '512MB'")
            cursor.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
            if cursor.fetchone()[0]:
                # Like pg_restore --disable-triggers: no per-row foreign key triggers; the
                # references are checked once, at the end (check_references).
                cursor.execute("SET session_replication_role = replica")
        else:
            cursor.execute("PRAGMA foreign_keys = OFF")
            cursor.execute("PRAGMA journal_mode = DELETE")
            cursor.execute("PRAGMA synchronous = OFF")
            cursor.execute("PRAGMA cache_size = -1000000")  # 1 GB
            cursor.execute("PRAGMA temp_store = MEMORY")


def check_references(connection: Any, tables: Sequence[str]) -> int:
    """Problems with foreign keys among the loaded rows (0 when all is well)."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            problems = 0
            for table in tables:
                cursor.execute(f'PRAGMA foreign_key_check("{table}")')
                problems += len(cursor.fetchall())
            return problems
        cursor.execute("SET session_replication_role = DEFAULT")
        cursor.execute(
            """
            SELECT c.conrelid::regclass::text, a.attname, c.confrelid::regclass::text,
                   af.attname
            FROM pg_constraint c
            JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1]
            JOIN pg_attribute af ON af.attrelid = c.confrelid AND af.attnum = c.confkey[1]
            WHERE c.contype = 'f' AND c.conrelid::regclass::text = ANY(%s)
            """,
            [list(tables)],
        )
        problems = 0
        for table, column, target, target_column in cursor.fetchall():
            cursor.execute(
                # Names from the catalogue, not from anyone's input.
                f'SELECT count(*) FROM "{table}" x WHERE x."{column}" IS NOT NULL AND NOT '  # noqa: S608
                f'EXISTS (SELECT 1 FROM {target} y WHERE y."{target_column}" = x."{column}")'
            )
            problems += cursor.fetchone()[0]
        return problems


def finish_load(connection: Any, models: Sequence[Any]) -> None:
    from django.core.management.color import no_style

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            for statement in connection.ops.sequence_reset_sql(no_style(), models):
                cursor.execute(statement)
            for model in models:
                cursor.execute(f'VACUUM (ANALYZE) "{model._meta.db_table}"')
        else:
            cursor.execute("PRAGMA journal_mode = WAL")
            cursor.execute("PRAGMA synchronous = NORMAL")
            cursor.execute("PRAGMA foreign_keys = ON")
            cursor.execute("ANALYZE")


# --- the city -------------------------------------------------------------------------------


class City:
    """What the demo city already has: services, agencies' calendars, teams and staff."""

    def __init__(self) -> None:
        from django.conf import settings

        from townhall.agencies.models import Agency, Service, StaffMembership
        from townhall.commitments.queries import calendar_for

        self.service_area = settings.SERVICE_AREA
        self.agencies = {agency.pk: agency for agency in Agency.objects.all()}
        self.calendars = {pk: calendar_for(agency) for pk, agency in self.agencies.items()}
        self.services = list(
            Service.objects.filter(is_active=True)
            .select_related("agency")
            .prefetch_related("attributes")
            .order_by("pk")
        )
        if not self.services:
            raise SystemExit("The demo city has no services: run `townhall demo` first.")
        self.weights = [SERVICE_WEIGHTS.get(service.code, 2) for service in self.services]
        memberships = list(
            StaffMembership.objects.active()
            .select_related("agency")
            .prefetch_related("teams")
            .order_by("pk")
        )
        self.staff_by_agency: dict[int, list[Any]] = {}
        self.staff_by_team: dict[int, list[Any]] = {}
        for membership in memberships:
            self.staff_by_agency.setdefault(membership.agency_id, []).append(membership)
            for team in membership.teams.all():
                self.staff_by_team.setdefault(team.pk, []).append(membership)
        self.teams_by_agency: dict[int, list[int]] = {}
        for team_id, members in sorted(self.staff_by_team.items()):
            self.teams_by_agency.setdefault(members[0].agency_id, []).append(team_id)
        missing = [s.code for s in self.services if not self.staff_by_agency.get(s.agency_id)]
        if missing:
            raise SystemExit(f"Services of agencies without staff: {', '.join(missing)}")

    def answer_variants(self, service: Any, rng: random.Random) -> list[str]:
        """A few valid answer sets for the service's questions, as JSON."""
        variants = []
        for _ in range(6):
            raw: dict[str, Any] = {}
            for question in service.attributes.all():
                if not question.variable:
                    continue
                keys = [value["key"] for value in question.values or []]
                kind = question.datatype
                if kind == "singlevaluelist" and keys:
                    raw[question.code] = rng.choice(keys)
                elif kind == "multivaluelist" and keys:
                    raw[question.code] = rng.sample(keys, rng.randint(1, len(keys)))
                elif kind == "number":
                    raw[question.code] = rng.randint(1, 6)
                elif kind == "date":
                    raw[question.code] = f"2026-0{rng.randint(1, 9)}-1{rng.randint(0, 9)}"
                elif kind == "datetime":
                    raw[question.code] = f"2026-0{rng.randint(1, 9)}-12T10:00:00-05:00"
                elif question.required or rng.random() < 0.5:
                    raw[question.code] = rng.choice(("Near the school", "Since last week", "Yes"))
            variants.append(json.dumps(service.validate_answers(raw), ensure_ascii=False))
        return variants


def render(text: str) -> str:
    try:
        from townhall.conversations.rendering import render_markdown
    except ImportError:  # pragma: no cover - the renderer is part of the project
        from django.utils.html import escape

        return f"<p>{escape(text)}</p>"
    return str(render_markdown(text))


def submitted_times(count: int, start: float, end: float, rng: random.Random) -> list[float]:
    """Filing times, sorted: more recent years busier, weekdays and office hours busiest
    (local time roughly UTC-6)."""
    hour_weights = [1, 1, 1, 1, 1, 2, 4, 7, 10, 12, 12, 11, 10, 11, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2]
    hours = list(itertools.accumulate(hour_weights))
    start = start // DAY * DAY  # midnight UTC, so whole days are whole days
    span_days = (end - start) / DAY
    times: list[float] = []
    random_ = rng.random
    while len(times) < count:
        # Linear growth: density 0.6 + 0.8x over the span (x from 0 to 1), inverted.
        u = random_()
        x = (-0.6 + (0.36 + 1.6 * u) ** 0.5) / 0.8
        day_start = start + int(x * span_days) * DAY
        weekday = int((day_start / DAY + 3) % 7)  # 1970-01-01 was a Thursday (3)
        if weekday >= 5 and random_() < 0.55:
            continue
        hour = bisect.bisect_right(hours, random_() * hours[-1])
        moment = day_start + (hour + 6) * HOUR + random_() * HOUR
        if moment < end:
            times.append(moment)
    times.sort()
    return times


class Generator:
    def __init__(self, args: argparse.Namespace) -> None:
        from allauth.account.models import EmailAddress
        from django.contrib.contenttypes.models import ContentType
        from django.db import connection

        from townhall.activity.models import Activity
        from townhall.commitments.models import Commitment
        from townhall.conversations.models import Message, Thread
        from townhall.identity.models import User
        from townhall.service_requests.models import ServiceRequest, Support

        self.args = args
        self.connection = connection
        self.rng = random.Random(args.seed)
        self.city = City()
        self.now = time.time()
        self.ts = timestamp_formatter(connection.vendor)
        self.yes: Any = True
        self.no: Any = False
        self.models = [
            User,
            EmailAddress,
            Thread,
            ServiceRequest,
            Commitment,
            Message,
            Support,
            Activity,
        ]
        self.request_type = ContentType.objects.get_for_model(ServiceRequest).pk
        self.commitment_type = ContentType.objects.get_for_model(Commitment).pk

        def table(model: Any, columns: str) -> Table:
            return Table(model, columns.split(), connection)

        self.users = table(
            User,
            "id password email display_name assurance_level assurance_changed_at date_joined "
            "is_active",
        )
        self.emails = table(EmailAddress, "id user_id email verified primary")
        self.threads = table(Thread, "id kind agency_id title created_at is_locked")
        self.requests = table(
            ServiceRequest,
            "id reference service_id agency_id requester_id description answers latitude "
            "longitude address is_public status submitted_at status_changed_at team_id "
            "assignee_id thread_id duplicate_of_id status_reason expected_at paused_at "
            "answered_at closed_at is_extended supporter_count idempotency_key "
            "idempotency_fingerprint",
        )
        self.commitments = table(
            Commitment,
            "id agency_id made_by_id made_by_persona_id team_id holder_id made_to_id "
            "subject_type_id subject_id kind description due_at state is_public made_at "
            "kept_at broken_at done_at closed_reason replaced_by_id at_risk_notified paused_at",
        )
        self.messages = table(
            Message, "id thread_id author_id persona_id body body_html is_internal created_at"
        )
        self.supports = table(Support, "id request_id user_id created_at")
        self.activity = table(
            Activity,
            "id occurred_at actor_id persona_id verb agency_id citizen_id target_type_id "
            "target_id visibility summary",
        )
        self.tables = [
            self.users,
            self.emails,
            self.threads,
            self.requests,
            self.commitments,
            self.messages,
            self.supports,
            self.activity,
        ]
        self.next_id = {}
        for model in self.models:
            last = model._default_manager.order_by("-pk").values_list("pk", flat=True).first()
            self.next_id[model._meta.db_table] = (last or 0) + 1
        self.due_cache: dict[tuple[int, date, int], float] = {}
        self.when_cache: dict[tuple[int, float], str] = {}
        self.html = {text: render(text) for text in self._all_message_texts()}
        self.names: dict[int, str] = {}
        self.format_reference = ServiceRequest.format_reference
        # Computed before the loader's thread starts: it then owns the connection.
        self.answers = {s.pk: self.city.answer_variants(s, self.rng) for s in self.city.services}

    @staticmethod
    def _all_message_texts() -> list[str]:
        texts = [*ACK_REPLIES, *CLARIFICATIONS, *ANSWERS, *THANKS, *NOTES]
        texts += [f"{reply}\n\n{promise}." for reply in ACK_REPLIES for promise in PROMISES]
        texts += [reply.replace("{n}", "12") for reply in CITIZEN_REPLIES]
        return texts

    # --- working days ----------------------------------------------------------------------

    def local_date(self, agency_id: int, ts: float) -> date:
        calendar = self.city.calendars[agency_id]
        return datetime.fromtimestamp(ts, calendar.time_zone).date()

    def due(self, agency_id: int, ts: float, working_days: int) -> float:
        """End (23:59:59 local) of the Nth working day after the local date of `ts`."""
        day = self.local_date(agency_id, ts)
        key = (agency_id, day, working_days)
        cached = self.due_cache.get(key)
        if cached is None:
            calendar = self.city.calendars[agency_id]
            cached = calendar.end_of_day(calendar.add_working_days(day, working_days)).timestamp()
            self.due_cache[key] = cached
        return cached

    def pause_days(self, agency_id: int, start: float, end: float) -> int:
        calendar = self.city.calendars[agency_id]
        return calendar.pause_working_days(
            datetime.fromtimestamp(start, UTC), datetime.fromtimestamp(end, UTC)
        )

    def when(self, agency_id: int, ts: float) -> str:
        key = (agency_id, ts)
        text = self.when_cache.get(key)
        if text is None:
            zone = self.city.calendars[agency_id].time_zone
            text = datetime.fromtimestamp(ts, zone).strftime("%Y-%m-%d %H:%M %Z").strip()
            self.when_cache[key] = text
        return text

    # --- ids --------------------------------------------------------------------------------

    def ids(self, table: Table, count: int) -> int:
        first = self.next_id[table.name]
        self.next_id[table.name] = first + count
        return first

    # --- citizens ---------------------------------------------------------------------------

    def make_citizens(self, count: int) -> list[int]:
        rng = self.rng
        first = self.ids(self.users, count)
        first_email = self.ids(self.emails, count)
        joined_from = self.now - (self.args.years + 1) * 365 * DAY
        ts = self.ts
        yes = self.yes
        ids = []
        for i in range(count):
            pk = first + i
            email = f"citizen{pk}@bench.example"
            joined = ts(joined_from + rng.random() * 365 * DAY)
            name = f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_INITIALS)}."
            self.names[pk] = name
            self.users.rows.append(
                (pk, "!bench", email, name, "email_verified", joined, joined, yes)
            )
            self.emails.rows.append((first_email + i, pk, email, yes, yes))
            ids.append(pk)
            if len(self.users.rows) >= BATCH * 4:
                self.loader.put([self.users, self.emails])
        self.loader.put([self.users, self.emails])
        return ids

    # --- requests ---------------------------------------------------------------------------

    def run(self) -> None:
        args = self.args
        rng = self.rng
        city = self.city
        from django.db import connection

        self.loader = Loader(connection)
        citizens = self.make_citizens(args.citizens)
        start = self.now - args.years * 365 * DAY
        times = submitted_times(args.requests, start, self.now - 60, rng)
        answers = self.answers
        last_of_service: dict[int, tuple[int, str]] = {}
        first_id = self.next_id[self.requests.name]
        for made, submitted in enumerate(times, start=1):
            service = rng.choices(city.services, city.weights)[0]
            requester = citizens[int(len(citizens) * rng.random() ** 2)]
            self.make_request(
                first_id + made - 1,
                submitted,
                service,
                requester,
                answers,
                last_of_service,
                citizens,
            )
            if made % BATCH == 0:
                self.loader.put(self.tables[2:])
                print(f"  {made:>10,} requests", file=sys.stderr, flush=True)
        self.loader.put(self.tables[2:])
        self.loader.close()

    def make_request(
        self,
        pk: int,
        submitted: float,
        service: Any,
        requester: int,
        answers: dict[int, list[str]],
        last_of_service: dict[int, tuple[int, str]],
        citizens: list[int],
    ) -> None:
        rng = self.rng
        random_ = rng.random
        city = self.city
        now = self.now
        ts = self.ts
        yes, no = self.yes, self.no
        agency_id = service.agency_id
        request_type = self.request_type
        target = str(pk)

        # Who: routing picks a team (most of the time), a member of it takes the request.
        teams = city.teams_by_agency.get(agency_id, [])
        team_id = teams[(service.pk + (random_() < 0.2)) % len(teams)] if teams else None
        if team_id is not None and random_() < 0.08:
            team_id = None
        staff_pool = (team_id and city.staff_by_team.get(team_id)) or city.staff_by_agency[
            agency_id
        ]
        staff = staff_pool[int(random_() * len(staff_pool))]
        signer = f"{staff.public_name}, {staff.job_title},"  # as the actions name staff

        if service.public_by_default:
            public = not (service.allows_private and random_() < 0.08)
        else:
            public = random_() < 0.25
        visibility = "public" if public else "participants"
        year = datetime.fromtimestamp(submitted, city.calendars[agency_id].time_zone).year
        reference = self.format_reference(year, pk)

        # The story, in request time: each event happens only if it is before now.
        ack_days, respond_days = service.acknowledge_working_days, service.respond_working_days
        ack_due = self.due(agency_id, submitted, ack_days)
        respond_due = original_due = self.due(agency_id, submitted, respond_days)
        roll = random_()
        outcome = "normal"
        if roll < 0.03:
            outcome = "declined"
        elif roll < 0.05 and service.pk in last_of_service:
            outcome = "duplicate"
        # A few are never answered: lost in a backlog (some never even taken), or waiting
        # for a citizen who never replies. They pile up over the years, as in a real city.
        stalled = outcome == "normal" and random_() < 0.015
        waits_forever = False
        late_ack = random_() < 0.08
        ack_window = ack_due - submitted
        if late_ack:
            t_ack = ack_due + random_() * 2 * DAY + 600
        else:
            t_ack = submitted + ack_window * (0.05 + 0.9 * random_() ** 1.5)
        t_take = submitted + (t_ack - submitted) * (0.2 + 0.7 * random_())

        # Clarification (clock paused) and FOI extension, then the answer and the closure.
        # The clock stops while the agency waits for the citizen: the respond commitment is
        # paused, and when the pause ends (a reply, or staff closing it unanswered) its due
        # time moves by the working days the pause lasted.
        t_clar = t_resume = pause_end = None
        if outcome == "normal" and random_() < 0.08:
            t_clar = t_ack + max(respond_due - t_ack, HOUR) * random_() * 0.5 + 60
            if random_() < 0.15:
                waits_forever = random_() < 0.5
                if not waits_forever:
                    pause_end = t_clar + 20 * DAY  # staff close it unanswered
            else:
                t_resume = pause_end = t_clar + min(rng.expovariate(1 / (3 * DAY)), 30 * DAY) + 600
            if pause_end is not None:
                paused = self.pause_days(agency_id, t_clar, pause_end)
                if paused:
                    day = self.local_date(agency_id, respond_due)
                    calendar = city.calendars[agency_id]
                    respond_due = calendar.end_of_day(
                        calendar.add_working_days(day, paused)
                    ).timestamp()
        waiting_now = t_clar is not None and t_clar <= now and (pause_end or NEVER) > now
        t_ext = ext_due = None
        if (
            outcome == "normal"
            and service.extension_working_days
            and (t_clar is None or t_resume is not None)
            and random_() < 0.25
        ):
            t_ext = max(t_ack, respond_due - 3 * DAY) + 60
            if t_resume is not None:
                t_ext = max(t_ext, t_resume + 60)
            day = self.local_date(agency_id, respond_due)
            calendar = city.calendars[agency_id]
            ext_due = calendar.end_of_day(
                calendar.add_working_days(day, service.extension_working_days)
            ).timestamp()
        # The respond commitment's due time as it stands now: moved once the pause ended.
        respond_due_now = respond_due if pause_end is None or pause_end <= now else original_due
        answer_due = ext_due if ext_due is not None else respond_due
        late_answer = random_() < 0.12
        if late_answer:
            mean_delay = 60 * DAY if random_() < 0.25 else 5 * DAY
            t_ans = answer_due + rng.expovariate(1 / mean_delay) + 600
        else:
            t_ans = submitted + (answer_due - submitted) * (0.15 + 0.8 * random_() ** 0.8)
        floor = max(t_ack, t_resume or 0, t_ext or 0) + HOUR * (0.5 + random_())
        t_ans = max(t_ans, floor)
        t_close = t_ans + rng.expovariate(1 / (4 * DAY)) + 600 if random_() < 0.9 else None
        if stalled or waits_forever:
            t_ans, t_close = NEVER, None
            if stalled and random_() < 0.3:
                t_take = NEVER
        t_end: Any = None  # declined / duplicate / closed without an answer
        if outcome != "normal":
            t_end = submitted + ack_window * (0.1 + 0.8 * random_())
            t_take = min(t_take, t_end - 60)
        elif t_clar is not None and t_resume is None and not waits_forever:
            t_end = pause_end  # the citizen never answered: staff close it

        # The request's status now, from its events up to now.
        status, changed = "submitted", submitted
        assignee = staff.pk if t_take <= now else None
        answered_at = closed_at = paused_at = None
        status_reason = original = ""
        duplicate_of = None
        if outcome != "normal":
            if t_end <= now:  # type: ignore[operator]
                status, changed, closed_at = outcome, t_end, t_end
                if outcome == "declined":
                    status_reason = rng.choice(DECLINE_REASONS)
                else:
                    duplicate_of, original = last_of_service[service.pk]
                    status_reason = f"Duplicate of {original}"
        else:
            for moment, new in (
                (t_ack, "acknowledged"),
                (t_clar, "waiting_for_citizen"),
                (t_resume, "in_progress"),
                (t_ans if t_end is None else None, "answered"),
                (t_close if t_end is None else t_end, "closed"),
            ):
                if moment is not None and moment <= now:
                    status, changed = new, moment
            if status == "waiting_for_citizen":
                paused_at = t_clar
            if t_end is None and t_ans <= now:
                answered_at = t_ans
            if status == "closed":
                closed_at = changed
                if t_end is not None:
                    status_reason = CLOSE_NOTES[0]
        last_of_service[service.pk] = (pk, reference)

        thread_id = self.ids(self.threads, 1)
        self.threads.rows.append((thread_id, "request", agency_id, "", ts(submitted), no))
        location = self.location(service, rng)
        n = rng.randint(1, 2999)
        street = rng.choice(STREETS)
        templates = DESCRIPTIONS.get(service.code, GENERIC_DESCRIPTIONS)
        description = rng.choice(templates).format(n=n, street=street, year=year - 1)
        supporters = []
        if public and random_() < 0.04:
            supporters = [c for c in rng.sample(citizens, 4)[: rng.randint(1, 4)] if c != requester]

        # Filing: the request, its two standard commitments, three timeline entries.
        requester_name = self.names[requester]
        self.act(
            submitted, requester, None, "request.filed", agency_id, requester, request_type,
            target, visibility, f"{requester_name} filed {reference}: {service.name}",
        )  # fmt: skip
        self.commitment(
            agency_id, team_id, assignee, requester, pk, "acknowledge", "", submitted,
            ack_due, public, done=t_ack if outcome == "normal" else None,
            stopped=t_end if outcome != "normal" else None,
            stop_reason=status_reason, stop_by=staff,
        )  # fmt: skip
        respond_end = t_ans if t_end is None else t_end
        self.commitment(
            agency_id, team_id, assignee, requester, pk, "respond", "", submitted,
            self.due(agency_id, submitted, respond_days), public,
            done=respond_end if outcome == "normal" and t_ext is None else None,
            stopped=t_end if outcome != "normal" else None, stop_reason=status_reason,
            stop_by=staff, renegotiated=t_ext, moved_due=respond_due_now, ext_due=ext_due,
            ext_done=respond_end, ext_made_by=staff, paused=t_clar if waiting_now else None,
        )  # fmt: skip

        if t_take <= now:
            self.act(
                t_take, staff.user_id, staff.pk, "request.taken", agency_id, requester,
                request_type, target, visibility, f"{signer} took this request",
            )  # fmt: skip
        if outcome != "normal":
            if t_end <= now:  # type: ignore[operator]
                if outcome == "declined":
                    verb, summary = "request.declined", f"{signer} declined this request: "
                    summary += status_reason
                else:
                    verb = "request.duplicate"
                    summary = f"{signer} marked this request as a duplicate of {original}"
                self.act(
                    t_end, staff.user_id, staff.pk, verb, agency_id, requester, request_type,
                    target, visibility, summary,
                )  # fmt: skip
        else:
            if t_ack <= now:
                promise = rng.choice(PROMISES) if random_() < 0.06 else None
                reply = rng.choice(ACK_REPLIES)
                body = f"{reply}\n\n{promise}." if promise else reply
                self.message(thread_id, staff.user_id, staff.pk, body, False, t_ack)
                self.act(
                    t_ack, staff.user_id, staff.pk, "request.replied", agency_id, requester,
                    request_type, target, visibility, f"{signer} replied",
                )  # fmt: skip
                if promise:
                    self.commitment(
                        agency_id, team_id, assignee, requester, pk, "custom", promise, t_ack,
                        self.due(agency_id, t_ack, 2), public,
                        done=t_ack + DAY * (0.5 + 2.5 * random_()), made_by=staff,
                    )  # fmt: skip
            if random_() < 0.15:
                t_note = t_take + (min(t_ans, now) - t_take) * random_()
                if t_note <= now:
                    self.message(
                        thread_id, staff.user_id, staff.pk, rng.choice(NOTES), True, t_note
                    )
                    self.act(
                        t_note, staff.user_id, staff.pk, "request.noted", agency_id,
                        requester, request_type, target, "staff",
                        f"{signer} added an internal note",
                    )  # fmt: skip
            if t_clar is not None and t_clar <= now:
                self.message(
                    thread_id, staff.user_id, staff.pk, rng.choice(CLARIFICATIONS), False, t_clar
                )
                self.act(
                    t_clar, staff.user_id, staff.pk, "request.clarification_requested",
                    agency_id, requester, request_type, target, visibility,
                    f"{signer} asked the requester for more information; the clock is paused "
                    "until they reply",
                )  # fmt: skip
                if t_resume is not None and t_resume <= now:
                    text = rng.choice(CITIZEN_REPLIES).replace("{n}", "12")
                    self.message(thread_id, requester, None, text, False, t_resume)
                    self.act(
                        t_resume, requester, None, "request.replied", agency_id,
                        requester, request_type, target, visibility,
                        f"{requester_name} replied; the request is in progress again",
                    )  # fmt: skip
            if t_ext is not None and t_ext <= now:
                self.act(
                    t_ext, staff.user_id, staff.pk, "request.extended", agency_id, requester,
                    request_type, target, visibility,
                    f"{signer} extended the deadline by {service.extension_working_days} "
                    f"working days: {EXTENSION_REASON}",
                )  # fmt: skip
            if t_end is None and t_ans <= now:
                self.message(thread_id, staff.user_id, staff.pk, rng.choice(ANSWERS), False, t_ans)
                self.act(
                    t_ans, staff.user_id, staff.pk, "request.answered", agency_id, requester,
                    request_type, target, visibility, f"{signer} answered this request",
                )  # fmt: skip
                if random_() < 0.1 and t_ans + 2 * HOUR <= min(t_close or now, now):
                    t_thanks = t_ans + 2 * HOUR
                    self.message(thread_id, requester, None, rng.choice(THANKS), False, t_thanks)
                    self.act(
                        t_thanks, requester, None, "request.replied", agency_id, requester,
                        request_type, target, visibility, f"{requester_name} replied",
                    )  # fmt: skip
            closing = t_end if t_end is not None else t_close
            if closing is not None and closing <= now:
                self.act(
                    closing, staff.user_id, staff.pk, "request.closed", agency_id, requester,
                    request_type, target, visibility,
                    f"{signer} closed this request"
                    + (f": {CLOSE_NOTES[0]}" if t_end is not None else ""),
                )  # fmt: skip

        supports = self.supports.rows
        until = min(closed_at or now, now)
        for supporter in supporters:
            moment = submitted + (until - submitted) * random_()
            supports.append((self.ids(self.supports, 1), pk, supporter, ts(moment)))
            self.act(
                moment, supporter, None, "request.supported", agency_id, requester,
                request_type, target, "public", f"{self.names[supporter]} said “me too”",
            )  # fmt: skip

        extended = t_ext is not None and t_ext <= now
        expected: Any = ext_due if extended else respond_due_now
        self.requests.rows.append(
            (
                pk, reference, service.pk, agency_id, requester, description,
                rng.choice(answers[service.pk]), location[0], location[1], location[2],
                yes if public else no, status, ts(submitted), ts(changed), team_id, assignee,
                thread_id, duplicate_of, status_reason, ts(expected),
                ts(paused_at) if paused_at else None, ts(answered_at) if answered_at else None,
                ts(closed_at) if closed_at else None,
                yes if extended else no, len(supporters), "", "",
            )
        )  # fmt: skip

    def location(self, service: Any, rng: random.Random) -> tuple[Any, Any, str]:
        if not service.location_required and rng.random() < 0.7:
            return None, None, ""
        south, west, north, east = self.city.service_area
        address = f"{rng.randint(1, 2999)} {rng.choice(STREETS)}"
        if rng.random() < 0.2:
            return None, None, address
        lat = south + (north - south) * (0.1 + 0.8 * rng.random())
        lon = west + (east - west) * (0.1 + 0.8 * rng.random())
        return f"{lat:.6f}", f"{lon:.6f}", address

    def message(
        self, thread: int, author: int, persona: int | None, body: str, internal: bool, at: float
    ) -> None:
        html = self.html.get(body)
        if html is None:
            html = self.html[body] = render(body)
        self.messages.rows.append(
            (
                self.ids(self.messages, 1), thread, author, persona, body, html,
                self.yes if internal else self.no, self.ts(at),
            )
        )  # fmt: skip

    def act(
        self,
        at: float,
        actor: int | None,
        persona: int | None,
        verb: str,
        agency: int,
        citizen: int,
        target_type: int,
        target: str,
        visibility: str,
        summary: str,
    ) -> None:
        self.activity.rows.append(
            (
                self.ids(self.activity, 1), self.ts(at), actor, persona, verb, agency, citizen,
                target_type, target, visibility, summary[:500],
            )
        )  # fmt: skip

    def commitment(
        self,
        agency_id: int,
        team_id: int | None,
        holder: int | None,
        made_to: int,
        request_pk: int,
        kind: str,
        description: str,
        made_at: float,
        due_at: float,
        public: bool,
        *,
        done: float | None = None,
        stopped: float | None = None,
        stop_reason: str = "",
        stop_by: Any = None,
        made_by: Any = None,
        renegotiated: float | None = None,
        moved_due: float | None = None,
        ext_due: float | None = None,
        ext_done: float | None = None,
        ext_made_by: Any = None,
        paused: float | None = None,
    ) -> int:
        """One commitment (and, for an FOI extension, the one replacing it) with its state
        now and the timeline entries of what happened to it up to now."""
        now = self.now
        ts = self.ts
        pk = self.ids(self.commitments, 1)
        target = str(pk)
        ctype = self.commitment_type
        visibility = "public" if public else "participants"
        what = f"“{description}”" if kind == "custom" else {
            "acknowledge": "to acknowledge", "respond": "to respond"
        }[kind]  # fmt: skip
        agency_name = self.city.agencies[agency_id].name
        self.act(
            made_at, made_by.user_id if made_by else None, made_by.pk if made_by else None,
            "commitment.made", agency_id, made_to, ctype, target, visibility,
            f"{agency_name} promised {what} by {self.when(agency_id, due_at)}",
        )  # fmt: skip
        if moved_due is not None:  # a pause ended: the due time moved by its working days
            due_at = moved_due
        state, kept_at, broken_at, done_at, reason, replaced_by = "open", None, None, None, "", None
        paused_at = None
        if renegotiated is not None and renegotiated <= now:
            state, reason = "renegotiated", EXTENSION_REASON
            replaced_by = self.ids(self.commitments, 1)
            new_target = str(replaced_by)
            self.act(
                renegotiated, ext_made_by.user_id, ext_made_by.pk, "commitment.renegotiated",
                agency_id, made_to, ctype, new_target, visibility,
                f"The promise {what} by {self.when(agency_id, due_at)} is now due by "
                f"{self.when(agency_id, ext_due)}: {reason}",  # type: ignore[arg-type]
            )  # fmt: skip
            e_state, e_kept, e_broken, e_done = self.outcome(ext_due, ext_done)  # type: ignore[arg-type]
            self.state_entries(
                agency_id, made_to, ctype, new_target, visibility,
                "to respond within the extension", ext_due, e_state, e_done, ext_made_by,  # type: ignore[arg-type]
            )  # fmt: skip
            self.commitments.rows.append(
                (
                    replaced_by, agency_id, ext_made_by.user_id, ext_made_by.pk, team_id,
                    holder, made_to, self.request_type, str(request_pk), "extension", "",
                    ts(ext_due), e_state, public, ts(renegotiated),  # type: ignore[arg-type]
                    ts(e_kept) if e_kept else None, ts(e_broken) if e_broken else None,
                    ts(e_done) if e_done else None, "", None, self.no, None,
                )
            )  # fmt: skip
        elif stopped is not None and stopped <= now:
            state, reason = "cancelled", stop_reason
            if due_at < stopped:
                broken_at = due_at + 300
                self.act(
                    broken_at, None, None, "commitment.broken", agency_id, made_to, ctype,
                    target, visibility,
                    f"The promise {what} by {self.when(agency_id, due_at)} was broken",
                )  # fmt: skip
            self.act(
                stopped, stop_by.user_id, stop_by.pk, "commitment.cancelled", agency_id,
                made_to, ctype, target, visibility,
                f"The promise {what} was cancelled: {stop_reason}",
            )  # fmt: skip
        elif paused is not None and due_at > paused:
            paused_at = paused  # open while the agency waits: neither at risk nor broken
        else:
            state, kept_at, broken_at, done_at = self.outcome(due_at, done)
            self.state_entries(
                agency_id, made_to, ctype, target, visibility, what, due_at, state, done_at,
                stop_by,
            )  # fmt: skip
        self.commitments.rows.append(
            (
                pk, agency_id, made_by.user_id if made_by else None,
                made_by.pk if made_by else None, team_id, holder, made_to, self.request_type,
                str(request_pk), kind, description, ts(due_at), state,
                self.yes if public else self.no, ts(made_at), ts(kept_at) if kept_at else None,
                ts(broken_at) if broken_at else None, ts(done_at) if done_at else None, reason,
                replaced_by, self.no, ts(paused_at) if paused_at else None,
            )
        )  # fmt: skip
        return pk

    def outcome(
        self, due_at: float, done: float | None
    ) -> tuple[str, float | None, float | None, float | None]:
        """(state, kept_at, broken_at, done_at) now."""
        now = self.now
        if done is not None and done <= now:
            if done <= due_at:
                return "kept", done, None, done
            return "broken", None, min(due_at + 300, done), done
        if due_at < now:
            return "broken", None, due_at + 300, None
        return "open", None, None, None

    def state_entries(
        self,
        agency_id: int,
        made_to: int,
        ctype: int,
        target: str,
        visibility: str,
        what: str,
        due_at: float,
        state: str,
        done_at: float | None,
        by: Any,
    ) -> None:
        by_user, by_persona = (by.user_id, by.pk) if by is not None else (None, None)
        if state == "kept":
            self.act(
                done_at, by_user, by_persona, "commitment.kept", agency_id, made_to, ctype,  # type: ignore[arg-type]
                target, visibility, f"The promise {what} was kept",
            )  # fmt: skip
        elif state == "broken":
            when = self.when(agency_id, due_at)
            if done_at is None or done_at > due_at + 300:
                self.act(
                    due_at + 300, None, None, "commitment.broken", agency_id, made_to, ctype,
                    target, visibility, f"The promise {what} by {when} was broken",
                )  # fmt: skip
            if done_at is not None:
                self.act(
                    done_at, by_user, by_persona, "commitment.done_late", agency_id, made_to,
                    ctype, target, visibility,
                    f"The promise {what} by {when} was broken; the work was done late",
                )  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=1_000_000)
    parser.add_argument(
        "--citizens", type=int, help="how many citizens file them (default: a quarter as many)"
    )
    parser.add_argument("--years", type=int, default=3, help="filed over this many years")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument(
        "--keep-indexes", action="store_true", help="load with the indexes in place (slower)"
    )
    args = parser.parse_args()
    args.citizens = args.citizens or max(100, args.requests // 4)

    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "townhall.settings")
    import django
    from django.core.management import call_command

    django.setup()
    from django.db import connection

    call_command("migrate", verbosity=0)
    call_command("demo", if_empty=True, verbosity=0)
    where = connection.settings_dict["NAME"]
    print(f"Filling {connection.vendor} database {where}: {args.requests:,} requests, "
          f"{args.citizens:,} citizens")  # fmt: skip

    generator = Generator(args)
    tables = [table.name for table in generator.tables]
    indexes = [] if args.keep_indexes else secondary_indexes(connection, tables)
    started = time.perf_counter()
    prepare_for_load(connection)
    try:
        with connection.cursor() as cursor:
            for name, _ in indexes:
                cursor.execute(f'DROP INDEX "{name}"')
        generator.run()
        loaded = time.perf_counter()
    finally:
        with connection.cursor() as cursor:
            for _, statement in indexes:
                cursor.execute(statement)
    indexed = time.perf_counter()
    problems = check_references(connection, tables)
    finish_load(connection, generator.models)
    finished = time.perf_counter()

    rows = sum(table.count for table in generator.tables)
    print(f"\n{'table':40} {'rows':>12}")
    for table in generator.tables:
        print(f"{table.name:40} {table.count:12,}")
    print(f"{'total':40} {rows:12,}")
    print(
        f"\nloading     {loaded - started:8.1f} s  {rows / (loaded - started):10,.0f} rows/s\n"
        f"+ indexes   {indexed - started:8.1f} s  {rows / (indexed - started):10,.0f} rows/s\n"
        f"+ checks, analyze {finished - started:6.1f} s  "
        f"{rows / (finished - started):10,.0f} rows/s overall"
    )
    if problems:
        raise SystemExit(f"{problems} rows refer to rows that do not exist")
    print("Every reference points to an existing row.")


if __name__ == "__main__":
    main()
