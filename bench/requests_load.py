"""Benchmark: how the request pages and the filing API hold up under load, against a
minimal Django view measured in the same run.

Run it on a database filled by `bench/requests_generate.py` (the same DATABASE_URL or
TOWNHALL_VAR_DIR). It starts the site with gunicorn on a free local port (DEBUG off,
STATIC_MANIFEST=false, settings `bench.settings`, which add the baseline view
`/bench/one-row/`: one row read by primary key), then, with concurrent clients on
keep-alive connections, measures in turn:

- the baseline, `/bench/one-row/?id=<random>`;
- a reference, `/bench/layout/?id=<random>`: the same row shown in the site's layout, the
  least any page of the site costs (not a target; it says how much of a page's distance
  from the baseline is the layout every page shares);
- the public status page of random public requests, `/requests/<reference>/` (each
  read about once: mostly rendered afresh), then of 50 of them read again and again (the
  page kept rendered for anonymous visitors, when the cache is shared);
- "My requests", `/requests/mine/`, as random citizens signed in (a session cookie made
  with the site's session engine);
- the staff queues `/inbox/?queue=all` and `?queue=team`, as a staff member signed in with
  a second factor (an authenticator, and the session's record of the MFA step);
- filing, `POST /api/v1/requests/`, from 32 citizens at once with their own tokens,
  counting errors, "database is locked" above all (in replies and in the server's log).

It prints requests per second, p50 and p99 latency, and each as a ratio to the baseline
(measured first and last; the ratios use the mean of the two), then the issue's targets.
The sessions, tokens and authenticators it made are removed at the end; the requests it
filed stay (it is a benchmark database).

    .venv/bin/python bench/requests_load.py [--seconds 15] [--clients 8] [--writers 32]
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
LOCKED = b"database is locked"


@dataclass
class Target:
    """What the clients of one scenario request: `make()` gives (method, path, body,
    headers) for the next request."""

    name: str
    make: Callable[[random.Random, int], tuple[str, str, bytes | None, dict[str, str]]]
    clients: int
    ok: frozenset[int] = frozenset({200})


@dataclass
class Result:
    name: str
    seconds: float
    latencies: list[float] = field(default_factory=list)
    statuses: Counter[int] = field(default_factory=Counter)
    locked: int = 0
    failures: int = 0  # connection errors

    @property
    def done(self) -> int:
        return len(self.latencies)

    @property
    def rate(self) -> float:
        return self.done / self.seconds if self.seconds else 0.0

    def quantile(self, q: float) -> float:
        if not self.latencies:
            return float("nan")
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(q * len(ordered)))]

    def errors(self, ok: frozenset[int]) -> int:
        return sum(n for status, n in self.statuses.items() if status not in ok) + self.failures


# --- preparing the accounts and samples ------------------------------------------------------


class Fixture:
    """Samples of the data, and the sessions and tokens the clients use. Made with the ORM
    in this process; removed by `clean()`."""

    def __init__(self, args: argparse.Namespace) -> None:
        from django.conf import settings
        from django.db.models import Max, Min

        from townhall.service_requests.models import ServiceRequest

        self.settings = settings
        self.rng = random.Random(args.seed)
        bounds = ServiceRequest.objects.aggregate(low=Min("pk"), high=Max("pk"))
        if bounds["high"] is None:
            raise SystemExit("No service requests: run bench/requests_generate.py first.")
        self.count = ServiceRequest.objects.count()
        low, high = bounds["low"], bounds["high"]
        self.ids = [self.rng.randint(low, high) for _ in range(20_000)]
        rows = ServiceRequest.objects.filter(pk__in=self.ids).values_list(
            "reference", "is_public", "requester_id"
        )
        self.public_references = [reference for reference, public, _ in rows if public]
        requesters = sorted({requester for _, _, requester in rows})
        self.rng.shuffle(requesters)
        self.session_keys: list[str] = []
        self.authenticators: list[int] = []
        self.tokens: list[int] = []
        self.citizen_cookies = [self.session_cookie(pk) for pk in requesters[: args.citizens]]
        self.staff, self.staff_cookies = self.staff_sessions(args.clients)
        self.writer_tokens = self.tokens_for(requesters[-args.writers :])
        self.filing = self.filing_payload()

    # sessions, as `login()` leaves them --------------------------------------------------------

    def session_cookie(self, user_pk: int, mfa: int | None = None) -> str:
        from importlib import import_module

        from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY

        from townhall.identity.models import User

        user = User.objects.get(pk=user_pk)
        store = import_module(self.settings.SESSION_ENGINE).SessionStore()
        store[SESSION_KEY] = str(user.pk)
        store[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
        store[HASH_SESSION_KEY] = user.get_session_auth_hash()
        # What allauth records of each authentication step; staff also passed the second
        # factor (allauth.account.internal.flows.login.record_authentication).
        now = time.time()
        steps: list[dict[str, Any]] = [{"method": "password", "at": now, "email": user.email}]
        if mfa is not None:
            steps.append({"method": "mfa", "at": now, "id": mfa, "type": "totp"})
        store["account_authentication_methods"] = steps
        store["account_authentication_methods_user"] = str(user.pk)
        store.create()
        self.session_keys.append(store.session_key)
        return f"{self.settings.SESSION_COOKIE_NAME}={store.session_key}"

    def staff_sessions(self, count: int) -> tuple[Any, list[str]]:
        """The demo's staff@example.org (Public Works, the busiest agency), or the member
        of the agency with the most requests; with an authenticator app, as the site
        requires of staff."""
        from allauth.mfa.models import Authenticator
        from django.db.models import Count

        from townhall.agencies.models import Agency, StaffMembership

        membership = (
            StaffMembership.objects.active()
            .filter(user__email="staff@example.org")
            .select_related("user", "agency")
            .first()
        )
        if membership is None:
            busiest = Agency.objects.annotate(n=Count("requests")).order_by("-n").first()
            membership = (
                StaffMembership.objects.active()
                .filter(agency=busiest)
                .select_related("user", "agency")
                .first()
            )
        if membership is None:
            raise SystemExit("No staff member to sign in: run `townhall demo` first.")
        authenticator = Authenticator.objects.filter(
            user=membership.user, type=Authenticator.Type.WEBAUTHN
        ).first()
        if authenticator is None:  # a stand-in security key (decision 0016)
            authenticator = Authenticator.objects.create(
                user=membership.user, type=Authenticator.Type.WEBAUTHN, data={}
            )
            self.authenticators.append(authenticator.pk)
        cookies = [self.session_cookie(membership.user_id, authenticator.pk) for _ in range(count)]
        return membership, cookies

    def tokens_for(self, user_pks: list[int]) -> list[str]:
        from townhall.identity.actions import issue_api_token
        from townhall.identity.models import User

        keys = []
        for user in User.objects.filter(pk__in=user_pks):
            token, key = issue_api_token(by=user, user=user, name="Benchmark", via="benchmark")
            self.tokens.append(token.pk)
            keys.append(key)
        return keys

    def filing_payload(self) -> dict[str, Any]:
        """A pothole report (or the first service anyone can file), with valid answers."""
        from townhall.agencies.models import Service

        services = Service.objects.active().prefetch_related("attributes")
        service = services.filter(code="pothole").first() or services.order_by("pk").first()
        if service is None:
            raise SystemExit("No service to file: run `townhall demo` first.")
        answers: dict[str, Any] = {}
        for question in service.attributes.all():
            if not question.required:
                continue
            keys = [value["key"] for value in question.values or []]
            answers[question.code] = {
                "singlevaluelist": keys[0] if keys else "",
                "multivaluelist": keys[:1],
                "number": 1,
                "date": "2026-01-15",
                "datetime": "2026-01-15T10:00:00-06:00",
            }.get(question.datatype, "Benchmark answer")
        south, west, north, east = self.settings.SERVICE_AREA
        return {
            "service": service.code,
            "attributes": answers,
            "location": {
                "lat": round((south + north) / 2, 6),
                "long": round((west + east) / 2, 6),
                "address": "100 N 5th St",
            },
            "public": True,
        }

    def clean(self) -> None:
        from allauth.mfa.models import Authenticator
        from django.contrib.sessions.models import Session

        from townhall.identity.models import ApiToken

        if self.settings.SESSION_ENGINE == "django.contrib.sessions.backends.db":
            Session.objects.filter(session_key__in=self.session_keys).delete()
        else:
            from importlib import import_module

            store = import_module(self.settings.SESSION_ENGINE).SessionStore
            for key in self.session_keys:
                store(session_key=key).delete()
        ApiToken.objects.filter(pk__in=self.tokens).delete()
        Authenticator.objects.filter(pk__in=self.authenticators).delete()


# --- the server ------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def start_server(args: argparse.Namespace, port: int, log: Path) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "bench.settings",
        "DEBUG": "false",
        "STATIC_MANIFEST": "false",
        "LOG_LEVEL": "WARNING",
    }
    command = [
        sys.executable,
        "-m",
        "gunicorn",
        "townhall.wsgi:application",
        "--bind",
        f"127.0.0.1:{port}",
        "--chdir",
        str(ROOT),
        "--worker-class",
        "gthread",
        "--workers",
        str(args.workers),
        "--threads",
        str(args.threads),
        "--keep-alive",
        "30",
        "--timeout",
        "120",
        "--log-level",
        "warning",
    ]
    # The server's output (gunicorn's and Django's error log) goes to `log`, where
    # "database is locked" is counted.
    with log.open("ab") as output:
        server = subprocess.Popen(command, env=env, cwd=ROOT, stdout=output, stderr=output)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"gunicorn stopped at start (see {log}).")
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            connection.request("GET", "/healthz")
            if connection.getresponse().status == 200:
                connection.close()
                return server
        except OSError:
            time.sleep(0.2)
    stop_server(server)
    raise SystemExit(f"gunicorn did not answer within a minute (see {log}).")


def stop_server(server: subprocess.Popen[bytes]) -> None:
    if server.poll() is None:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


# --- the clients -----------------------------------------------------------------------------


def run(target: Target, port: int, seconds: float, warmup: float, seed: int) -> Result:
    """`target.clients` threads, each on its own keep-alive connection, for `warmup`
    seconds (not counted) and then `seconds` (at most MAX_REQUESTS per client). Requests
    started in the measured window count, even when they end after it (slow pages); the
    rate is over the time from the window's start to the end of the last one."""
    result = Result(target.name, seconds)
    lock = threading.Lock()
    start = time.monotonic() + warmup
    stop = start + seconds
    last_end = [start]

    def client(number: int) -> None:
        rng = random.Random(seed * 1000 + number)
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        latencies: list[float] = []
        statuses: Counter[int] = Counter()
        locked = failures = 0
        while (now := time.monotonic()) < stop and len(latencies) < MAX_REQUESTS:
            method, path, body, headers = target.make(rng, number)
            began = time.perf_counter()
            try:
                connection.request(method, path, body=body, headers=headers)
                response = connection.getresponse()
                data = response.read()
            except (OSError, http.client.HTTPException):
                failures += now >= start
                connection.close()
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
                continue
            elapsed = time.perf_counter() - began
            ended = time.monotonic()
            if response.getheader("connection", "").lower() == "close":
                connection.close()
            if now >= start:
                latencies.append(elapsed)
                statuses[response.status] += 1
                locked += LOCKED in data
        connection.close()
        with lock:
            if latencies:
                last_end[0] = max(last_end[0], ended)
            result.latencies.extend(latencies)
            result.statuses.update(statuses)
            result.locked += locked
            result.failures += failures

    threads = [threading.Thread(target=client, args=(n,)) for n in range(target.clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    result.seconds = max(last_end[0] - start, seconds)
    return result


MAX_REQUESTS = 200_000  # per client: a bound on the loop whatever the speed


def targets(fixture: Fixture, args: argparse.Namespace) -> list[Target]:
    ids = fixture.ids
    public = fixture.public_references
    citizens = fixture.citizen_cookies
    staff = fixture.staff_cookies
    tokens = fixture.writer_tokens
    payload = fixture.filing

    def one_row(rng: random.Random, _: int) -> tuple[str, str, None, dict[str, str]]:
        return "GET", f"/bench/one-row/?id={rng.choice(ids)}", None, {}

    def layout(rng: random.Random, _: int) -> tuple[str, str, None, dict[str, str]]:
        return "GET", f"/bench/layout/?id={rng.choice(ids)}", None, {}

    def status_page(rng: random.Random, _: int) -> tuple[str, str, None, dict[str, str]]:
        return "GET", f"/requests/{rng.choice(public)}/", None, {}

    popular = public[:50]

    def popular_page(rng: random.Random, _: int) -> tuple[str, str, None, dict[str, str]]:
        return "GET", f"/requests/{rng.choice(popular)}/", None, {}

    def my_requests(rng: random.Random, _: int) -> tuple[str, str, None, dict[str, str]]:
        return "GET", "/requests/mine/", None, {"Cookie": rng.choice(citizens)}

    def queue(name: str) -> Callable[..., tuple[str, str, None, dict[str, str]]]:
        def make(rng: random.Random, number: int) -> tuple[str, str, None, dict[str, str]]:
            return "GET", f"/inbox/?queue={name}", None, {"Cookie": staff[number % len(staff)]}

        return make

    def filing(rng: random.Random, number: int) -> tuple[str, str, bytes, dict[str, str]]:
        body = dict(payload, description=f"Benchmark pothole {uuid.uuid4().hex[:12]}.")
        return (
            "POST",
            "/api/v1/requests/",
            json.dumps(body).encode(),
            {
                "Authorization": f"Bearer {tokens[number % len(tokens)]}",
                "Content-Type": "application/json",
                "Idempotency-Key": str(uuid.uuid4()),
            },
        )

    return [
        Target("baseline: one row", one_row, args.clients),
        Target("reference: layout", layout, args.clients),
        Target("status page", status_page, args.clients),
        Target("status page: 50 popular", popular_page, args.clients),
        Target("my requests", my_requests, args.clients),
        Target("staff queue: all", queue("all"), args.clients),
        Target("staff queue: team", queue("team"), args.clients),
        Target(f"filing ({args.writers} writers)", filing, args.writers, frozenset({201})),
    ]


def locked_in_log(log: Path) -> int:
    try:
        return log.read_bytes().count(LOCKED)
    except FileNotFoundError:
        return 0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=15, help="measured per scenario")
    parser.add_argument("--warmup", type=float, default=3, help="not counted, per scenario")
    parser.add_argument("--clients", type=int, default=8, help="concurrent readers")
    parser.add_argument("--writers", type=int, default=32, help="concurrent filers")
    parser.add_argument("--citizens", type=int, default=200, help="citizens signed in")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn worker processes")
    parser.add_argument("--threads", type=int, default=8, help="threads per worker")
    parser.add_argument("--only", help="run only the scenarios whose name contains this")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument(
        "--redis-url",
        default=os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/15"),
        help="REDIS_URL for the server (shared cache and sessions, as in production); "
        "'' for the per-process cache",
    )
    args = parser.parse_args()

    # The server (and this process, which makes the sessions) use Redis as production
    # does: one cache for every worker (queue counts, kept status pages, sessions).
    os.environ["REDIS_URL"] = args.redis_url
    sys.path.insert(0, str(ROOT))
    os.environ["DJANGO_SETTINGS_MODULE"] = "bench.settings"
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)  # a database filled by an older checkout
    fixture = Fixture(args)
    vendor = connection.vendor
    connection.close()  # the server has the database to itself while it is measured
    log = Path(tempfile.mkstemp(prefix="townhall-bench-gunicorn-", suffix=".log")[1])
    port = free_port()
    print(
        f"{vendor}, {fixture.count:,} requests; gunicorn {args.workers} workers × "
        f"{args.threads} threads on port {port}; {args.seconds:g} s per scenario; "
        f"{args.clients} readers, {args.writers} writers; cache "
        f"{'Redis ' + args.redis_url if args.redis_url else 'per process'}",
        flush=True,
    )
    server = start_server(args, port, log)
    results: list[tuple[Target, Result, int]] = []
    try:
        chosen = targets(fixture, args)
        baseline = chosen[0]
        plan = [t for t in chosen[1:] if not args.only or args.only in t.name]
        for target in [baseline, *plan, baseline]:
            before = locked_in_log(log)
            result = run(target, port, args.seconds, args.warmup, args.seed)
            results.append((target, result, locked_in_log(log) - before))
            print(
                f"  {target.name:24} {result.rate:8.1f} req/s  p50 "
                f"{result.quantile(0.5) * 1000:7.1f} ms  p99 {result.quantile(0.99) * 1000:7.1f} ms",
                flush=True,
            )
    finally:
        stop_server(server)
        fixture.clean()
    report(results, vendor)
    print(f"(server log: {log})")


def report(results: list[tuple[Target, Result, int]], vendor: str) -> None:
    first, last = results[0][1], results[-1][1]
    base_rate = (first.rate + last.rate) / 2
    base_p50 = statistics.mean([first.quantile(0.5), last.quantile(0.5)])
    base_p99 = statistics.mean([first.quantile(0.99), last.quantile(0.99)])
    print(
        f"\n{'scenario':26} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'errors':>7} "
        f"{'locked':>7} {'rate/base':>10} {'p50/base':>9} {'p99/base':>9}"
    )
    for target, result, locked_logged in results:
        print(
            f"{target.name:26} {result.rate:8.1f} {result.quantile(0.5) * 1000:8.1f} "
            f"{result.quantile(0.99) * 1000:8.1f} {result.errors(target.ok):7d} "
            f"{result.locked + locked_logged:7d} {result.rate / base_rate:10.2f} "
            f"{result.quantile(0.5) / base_p50:9.1f} {result.quantile(0.99) / base_p99:9.1f}"
        )
        other = {s: n for s, n in result.statuses.items() if s not in target.ok}
        if other or result.failures:
            print(f"{'':26} statuses {dict(sorted(other.items()))}, failures {result.failures}")
    print(f"baseline drift: {first.rate:.0f} → {last.rate:.0f} req/s")

    by_name = {target.name: (target, result, logged) for target, result, logged in results}
    print("\nissue 3 targets:")
    status = by_name.get("status page")
    if status:
        ratio = status[1].rate / base_rate
        print(f"  status page ≥ 0.5 × baseline throughput: {ratio:.2f} × {_verdict(ratio >= 0.5)}")
    for name in ("staff queue: all", "staff queue: team"):
        if name in by_name:
            p99 = by_name[name][1].quantile(0.99) * 1000
            print(f"  {name} p99 ≤ 300 ms: {p99:.0f} ms {_verdict(p99 <= 300)}")
    filing = next((v for k, v in by_name.items() if k.startswith("filing")), None)
    if filing:
        target, result, logged = filing
        goal = 100 if vendor == "sqlite" else 200
        good = result.done - result.errors(target.ok)
        locked = result.locked + logged
        print(
            f"  filing ≥ {goal}/s on {vendor}: {good / result.seconds:.0f}/s "
            f"{_verdict(good / result.seconds >= goal)}; “database is locked”: {locked} "
            f"{_verdict(locked == 0)}"
        )


def _verdict(met: bool) -> str:
    return "(met)" if met else "(NOT met)"


if __name__ == "__main__":
    main()
