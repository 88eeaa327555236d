"""Load benchmark of the SCIM endpoints under gunicorn on PostgreSQL, against a no-work request.

    .venv/bin/python bench/scim_load.py [--users 100000 --clients 8 --workers 4 --rounds 3
                                         --creates 600 --patches 2000 --lookups 1200
                                         --listings 300 --profile]

The database (scim_bench) is dropped, created and migrated by this script; provisioning is
enabled and a token issued through `manage.py provisioning`. The directory the Okta sync
would have loaded (users, users / 20 groups, users × 3 memberships, each user and group with
its sync link) is bulk-inserted through the ORM, then `VACUUM ANALYZE` and `CHECKPOINT`: not
measured.

Every measure runs side by side with the no-work request, `GET /ServiceProviderConfig` (the
SCIM token checked, a constant body), at the same concurrency, in alternating rounds, so the
ratio compares like with like on a shared, noisy machine. Targets (issue 21): a create and a
member-add each within 1.5× the no-work request's cost (requests per second, inverted); the
`userName eq` look-up p99 within 1.25× the no-work p99; `GET /Groups` page p99 under 50 ms.
`--profile` adds, per request kind, its statements with their plans and the Python time.
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import random
import socket
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from itertools import count
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[1]
DB_NAME = "scim_bench"
SERVER = "postgres://postgres@127.0.0.1:5432"
SQLITE_FILE = ROOT / "var" / "bench" / "scim_bench.sqlite3"
USER_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:User"
GROUP_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:Group"
PATCH_SCHEMA = "urn:ietf:params:scim:api:messages:2.0:PatchOp"
NO_WORK = ("GET", "/ServiceProviderConfig", {})
REPEATS = 50  # in-process requests per kind whose median --profile prints


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def manage(env: dict, *args: str) -> str:
    command = [sys.executable, "manage.py", *args]
    done = subprocess.run(command, cwd=ROOT, env=env, check=True, capture_output=True, text=True)
    return done.stdout


def database_url(kind: str) -> str:
    return f"{SERVER}/{DB_NAME}" if kind == "postgresql" else f"sqlite:///{SQLITE_FILE}"


def prepare_database(env: dict, kind: str) -> str:
    """A fresh migrated database with provisioning on; returns a SCIM token."""
    if kind == "postgresql":
        import psycopg

        with psycopg.connect(f"{SERVER}/postgres", autocommit=True) as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {DB_NAME}")
            conn.execute(f"CREATE DATABASE {DB_NAME}")
    else:
        SQLITE_FILE.parent.mkdir(parents=True, exist_ok=True)
        for leftover in SQLITE_FILE.parent.glob(f"{SQLITE_FILE.name}*"):  # -wal, -shm
            leftover.unlink()
    manage(env, "migrate", "--noinput")
    manage(env, "provisioning", "enable")
    return manage(env, "provisioning", "token", "create").strip().splitlines()[-1]


def load_directory(users: int, groups: int, memberships: int) -> None:
    """What the Okta sync leaves: Okta users and groups with their sync links, memberships."""
    import django

    django.setup()
    from django.db import connection

    from querypie_admin.models import DirectoryLink, Group, GroupMembership, User

    made = User.objects.bulk_create(
        (User(login_id=f"bulk{i}@corp.example", email=f"bulk{i}@corp.example",
              first_name="Bulk", last_name=str(i), password="!", auth_provider="okta")
         for i in range(users)), batch_size=5000,
    )  # fmt: skip
    teams = Group.objects.bulk_create(
        (Group(name=f"team-{i}", auth_provider="okta") for i in range(groups)), batch_size=5000
    )
    links = [DirectoryLink(source="okta_sync", user=u, external_id=f"00u{u.pk}") for u in made]
    links += [DirectoryLink(source="okta_sync", group=g, external_id=f"00g{g.pk}") for g in teams]
    DirectoryLink.objects.bulk_create(links, batch_size=5000)
    per_user = max(1, memberships // users)
    rows = (GroupMembership(group=teams[(i * per_user + k) % groups], user=u)
            for i, u in enumerate(made) for k in range(per_user))  # fmt: skip
    GroupMembership.objects.bulk_create(rows, batch_size=5000)
    with connection.cursor() as cursor:  # fresh statistics, and no autovacuum mid-measure
        if connection.vendor == "sqlite":
            cursor.execute("ANALYZE")
            cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        else:
            cursor.execute("VACUUM ANALYZE")
            # The load's WAL written out now: a checkpoint during the first measure (the
            # creates) made their commits wait on it, 2.0-3.6x the no-work request by run.
            cursor.execute("CHECKPOINT")
    connection.close()


def start_gunicorn(env: dict, port: int, workers: int) -> subprocess.Popen:
    """README's production line: gthread workers of 2 threads, keep-alive on."""
    command = [str(Path(sys.executable).parent / "gunicorn"), "querypie_admin.wsgi:application",
               "--bind", f"127.0.0.1:{port}", "--workers", str(workers),
               "--worker-class", "gthread", "--threads", "2", "--keep-alive", "5",
               "--log-level", "warning"]  # fmt: skip
    server = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL)
    for _ in range(300):
        try:
            requests.get(f"http://127.0.0.1:{port}/healthz", timeout=5)
            return server
        except requests.RequestException:
            time.sleep(0.1)
    server.terminate()
    raise SystemExit("gunicorn did not start")


class Scim:
    """One HTTP session per client thread, with the bearer token."""

    def __init__(self, base: str, token: str) -> None:
        self.base = base
        self.headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/scim+json"}
        self.local = threading.local()

    def call(self, method: str, path: str, **kwargs) -> requests.Response:
        if not hasattr(self.local, "session"):
            self.local.session = requests.Session()
        response = self.local.session.request(
            method, f"{self.base}{path}", headers=self.headers, timeout=30, **kwargs
        )
        if response.status_code >= 400:
            raise SystemExit(f"{method} {path}: {response.status_code} {response.text[:200]}")
        return response


Request = tuple[str, str, dict]  # method, path, requests keyword arguments


@dataclass
class Figures:
    """One request kind over all rounds: requests per second and latencies (ms)."""

    rate: float
    latencies: list[float]

    @property
    def p50(self) -> float:
        return statistics.quantiles(self.latencies, n=100)[49]

    @property
    def p99(self) -> float:
        return statistics.quantiles(self.latencies, n=100)[98]


def burst(scim: Scim, clients: int, jobs: list[Request]) -> tuple[float, list[float]]:
    """Send `jobs` from `clients` threads; returns (seconds, latencies in ms)."""

    def send(job: Request) -> float:
        method, path, kwargs = job
        started = time.perf_counter()
        scim.call(method, path, **kwargs)
        return (time.perf_counter() - started) * 1000

    started = time.perf_counter()
    with ThreadPoolExecutor(clients) as pool:
        latencies = list(pool.map(send, jobs))
    return time.perf_counter() - started, latencies


def side_by_side(
    scim: Scim, clients: int, rounds: int, total: int, make: Callable[[], Request]
) -> tuple[Figures, Figures]:
    """The measured kind and the no-work request in alternating rounds of equal size."""
    per_round = max(1, total // rounds)
    burst(scim, clients, [NO_WORK] * 2 * clients)  # every connection path warm
    seconds = {"work": 0.0, "none": 0.0}
    latencies: dict[str, list[float]] = {"work": [], "none": []}
    for _ in range(rounds):
        pair = (("none", [NO_WORK] * per_round), ("work", [make() for _ in range(per_round)]))
        for kind, jobs in pair:
            took, lat = burst(scim, clients, jobs)
            seconds[kind] += took
            latencies[kind] += lat
    done = per_round * rounds
    return tuple(Figures(done / seconds[k], latencies[k]) for k in ("work", "none"))  # type: ignore[return-value]


def user_body(login: str, external_id: str) -> dict:
    """POST /Users as Okta sends it."""
    return {"schemas": [USER_SCHEMA], "userName": login, "active": True,
            "name": {"givenName": "Bench", "familyName": login.split("@")[0]},
            "emails": [{"primary": True, "value": login, "type": "work"}],
            "externalId": external_id, "password": "placeholder", "groups": []}  # fmt: skip


def request_kinds(scim: Scim, users: int, sent: dict[str, int]) -> dict[str, Callable[[], Request]]:
    """Each measured request kind as a maker of fresh requests (new users, new members);
    `sent` counts the creates and member-adds made."""
    created = count()
    group = {"schemas": [GROUP_SCHEMA], "displayName": "Okta push", "members": []}
    group_id = scim.call("POST", "/Groups", json=group).json()["id"]
    first = int(scim.call("GET", "/Users", params={"count": "1"}).json()["Resources"][0]["id"])
    newcomers = iter(range(first, first + users))  # bulk users in id order, each added once

    def create() -> Request:
        i = next(created)
        sent["create"] += 1
        return ("POST", "/Users", {"json": user_body(f"pushed{i}@corp.example", f"00upush{i}")})

    def member_add() -> Request:
        sent["member_add"] += 1
        value = [{"value": str(next(newcomers))}]
        op = {"op": "add", "path": "members", "value": value}
        body = {"schemas": [PATCH_SCHEMA], "Operations": [op]}
        return ("PATCH", f"/Groups/{group_id}", {"json": body})

    def lookup() -> Request:
        login = f"BULK{random.randrange(users)}@corp.example"
        return ("GET", "/Users", {"params": {"filter": f'userName eq "{login}"'}})

    def groups_page() -> Request:
        params = {"startIndex": "1", "count": "100", "excludedAttributes": "members"}
        return ("GET", "/Groups", {"params": params})

    def groups_page_with_members() -> Request:
        return ("GET", "/Groups", {"params": {"startIndex": "1", "count": "100"}})

    return {
        "create": create,
        "member_add": member_add,
        "lookup": lookup,
        "groups_page": groups_page,
        "groups_page_with_members": groups_page_with_members,
    }


class StatementTimer:
    """A database execute wrapper that keeps each statement with its time in ms."""

    def __init__(self) -> None:
        self.statements: list[tuple[float, str]] = []

    def __call__(self, execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.statements.append(((time.perf_counter() - started) * 1000, sql))


def profile(kinds: dict[str, Callable[[], Request]], token: str) -> None:
    """Each kind in this process through Django's test client (no HTTP): the median time of
    REPEATS requests against the no-work request's, its statements with
    their time and the top node of their plan, and the Python time by package (cProfile's own
    time, which the profiler inflates: compare the shares, not the milliseconds)."""
    from django.db import connection
    from django.test import Client

    client = Client()
    auth = {"HTTP_AUTHORIZATION": f"Bearer {token}", "content_type": "application/scim+json"}
    medians: dict[str, float] = {}
    for name, make in {"no_work": lambda: NO_WORK, **kinds}.items():
        for _ in range(5):  # warm caches and the token's last use of the minute
            _send(client, make(), auth)
        walls = []
        for _ in range(REPEATS):  # one request is noise on a shared machine: the median
            started = time.perf_counter()
            _send(client, make(), auth)
            walls.append((time.perf_counter() - started) * 1000)
        medians[name] = statistics.median(walls)
        timer = StatementTimer()
        job = make()
        started = time.perf_counter()
        with connection.execute_wrapper(timer):
            _send(client, job, auth)
        wall = (time.perf_counter() - started) * 1000
        statements = timer.statements
        sql_ms = sum(ms for ms, _ in statements)
        print(f"\n{name}: {len(statements)} statements, median of {REPEATS} "
              f"{medians[name]:.1f} ms = {medians[name] / medians['no_work']:.2f}× the no-work "
              f"request; this one {wall:.1f} ms, {sql_ms:.1f} ms of it waiting for "
              "PostgreSQL")  # fmt: skip
        for ms, sql in statements:
            print(f"  {ms:6.2f} ms  {' '.join(sql.split())[:110]}")
        profiler = cProfile.Profile()
        profiler.runcall(_send, client, make(), auth)
        by_package: dict[str, float] = {}
        for (path, _, _), (_, _, own, _, _) in pstats.Stats(profiler).stats.items():
            package = _package(path)
            by_package[package] = by_package.get(package, 0.0) + own * 1000
        shares = sorted(by_package.items(), key=lambda kv: -kv[1])[:6]
        print("  Python own time (profiled): " + ", ".join(f"{k} {v:.1f} ms" for k, v in shares))
    _plans(kinds, client, auth)


def _package(path: str) -> str:
    for package in ("django_scim", "django", "psycopg", "scim2_filter_parser", "sly", "json"):
        if f"/{package}/" in path:
            return package
    for package in ("scim", "querypie_admin"):
        if f"/{package}/" in path:
            return f"console {package}"
    return "other"


def _plans(kinds: dict[str, Callable[[], Request]], client, auth: dict) -> None:
    """EXPLAIN ANALYZE of each kind's reads (its SELECTs, replayed), top node only."""
    from django.db import connection

    print("\nPlans of the reads (EXPLAIN ANALYZE, replayed after the request):")
    for name, make in kinds.items():
        reads: list[str] = []

        def keep(execute, sql, params, many, context, reads=reads):
            reads.append(connection.ops.compose_sql(sql, params))  # prepared ones too
            return execute(sql, params, many, context)

        with connection.execute_wrapper(keep):
            _send(client, make(), auth)
        for sql in reads:
            if not sql.lstrip().startswith("SELECT") or "scim_scimtoken" in sql:
                continue
            with connection.cursor() as cursor:
                cursor.execute(f"EXPLAIN ANALYZE {sql}")  # the executed SQL, bench only
                plan = [row[0] for row in cursor.fetchall()]
            nodes = [line.strip() for line in plan if "Scan" in line or "Join" in line][:2]
            print(f"  {name}: {' | '.join(nodes)[:160]} ({plan[-1].strip()})")


def _send(client, job: Request, auth: dict) -> None:
    method, path, kwargs = job
    url = f"/api/scim/v2{path}"
    if method == "GET":
        response = client.get(url, kwargs.get("params"), **auth)
    else:
        import json

        response = getattr(client, method.lower())(url, json.dumps(kwargs.get("json")), **auth)
    assert response.status_code < 400, (path, response.status_code, response.content[:200])


def check_nothing_lost(sent: dict[str, int]) -> None:
    """Every create a user, every member-add a member: each answered 2xx (a 4xx or 5xx stops
    the bench), and each must be in the database."""
    from querypie_admin.models import Group, User

    users = User.objects.filter(login_id__startswith="pushed").count()
    members = Group.objects.get(name="Okta push").memberships.count()
    print(f"\nNothing lost: {sent['create']:,} creates, {users:,} users; "
          f"{sent['member_add']:,} member-adds, {members:,} members")  # fmt: skip
    if (users, members) != (sent["create"], sent["member_add"]):
        raise SystemExit("Requests answered 2xx are missing from the database")


def report(name: str, work: Figures, none: Figures, target: str) -> None:
    cost = none.rate / work.rate
    print(f"| {name} | {work.rate:.0f}/s, p50 {work.p50:.1f} ms, p99 {work.p99:.1f} ms | "
          f"{none.rate:.0f}/s, p50 {none.p50:.1f} ms, p99 {none.p99:.1f} ms | "
          f"{cost:.2f}× | {work.p99 / none.p99:.2f}× | {target} |")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=100_000)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--creates", type=int, default=3000)
    parser.add_argument("--patches", type=int, default=2000)
    parser.add_argument("--lookups", type=int, default=3000)
    parser.add_argument("--listings", type=int, default=900)
    parser.add_argument("--profile", action="store_true", help="PostgreSQL only")
    parser.add_argument("--database", choices=("postgresql", "sqlite"), default="postgresql")
    parser.add_argument("--kinds", default="", help="comma-separated kinds to measure (all)")
    args = parser.parse_args()

    port = free_port()
    env = {
        **os.environ,
        "DATABASE_URL": database_url(args.database),
        "LOG_LEVEL": "WARNING",
        "DJANGO_SETTINGS_MODULE": "querypie_admin.settings",
        "DEBUG": "0",
        "CONSOLE_BASE_URL": f"http://127.0.0.1:{port}",
        "ALLOWED_HOSTS": "127.0.0.1,testserver",
    }
    os.environ.update(env)
    sys.path.insert(0, str(ROOT))
    token = prepare_database(env, args.database)
    started = time.perf_counter()
    load_directory(args.users, max(1, args.users // 20), args.users * 3)
    took = time.perf_counter() - started
    print(f"Directory loaded in {took:.0f} s (not measured): {args.users:,} users, "
          f"{args.users // 20:,} groups, {args.users * 3:,} memberships")  # fmt: skip
    server = start_gunicorn(env, port, args.workers)
    try:
        scim = Scim(f"http://127.0.0.1:{port}/api/scim/v2", token)
        sent = {"create": 0, "member_add": 0}
        kinds = request_kinds(scim, args.users, sent)
        totals = {
            "create": args.creates,
            "member_add": args.patches,
            "lookup": args.lookups,
            "groups_page": args.listings,
            "groups_page_with_members": args.listings,
        }
        chosen = args.kinds.split(",") if args.kinds else list(kinds)
        measured = {
            name: side_by_side(scim, args.clients, args.rounds, totals[name], kinds[name])
            for name in chosen
        }
        for name in {"lookup", "groups_page"} & set(chosen):  # without queueing behind 8 clients
            alone = side_by_side(scim, 1, args.rounds, totals[name] // 2, kinds[name])
            measured[f"{name}, one client"] = alone
    finally:
        server.terminate()
        server.wait(timeout=30)
    print(f"\nCPU cores: {os.cpu_count()}, gunicorn {args.workers} workers × 2 threads, "
          f"{args.clients} clients, {args.rounds} alternating rounds")  # fmt: skip
    print("| Request | Measured | No-work request, same rounds | Cost (rate) | p99 | Target |")
    print("|---|---|---|---|---|---|")
    targets = {
        "create": "cost ≤ 1.5×",
        "member_add": f"cost ≤ 1.5× (one group, to {args.patches:,} members)",
        "lookup": "p99 ≤ 1.25×",
        "groups_page": "p99 < 50 ms (excludedAttributes=members)",
        "groups_page_with_members": "—",
    }
    for name, (work, none) in measured.items():
        report(name, work, none, targets.get(name, "—"))
    check_nothing_lost(sent)
    if args.profile and args.database == "postgresql":
        profile(kinds, token)


if __name__ == "__main__":
    main()
