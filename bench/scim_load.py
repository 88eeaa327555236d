"""Load benchmark of the SCIM endpoints under gunicorn on PostgreSQL.

    .venv/bin/python bench/scim_load.py [--creates 3000 --clients 8 --patches 1000
                                         --lookups 2000 --users 100000 --workers 4]

The database (scim_bench) is dropped, created and migrated by this script; provisioning is
enabled and a token issued through `manage.py provisioning`. Set-up rows (the 10,000-member
group, the 100,000 users) are bulk-inserted through the ORM and not measured.
Targets: creates >= 300/s with 8 clients on 2 cores; userName eq p99 < 15 ms at 100,000 users;
GET /Groups?startIndex=1&count=100 well under 600 ms (Okta's spec test) with 5,000 groups.
"""

from __future__ import annotations

import argparse
import os
import random
import socket
import statistics
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[1]
DB_NAME = "scim_bench"
SERVER = "postgres://postgres@127.0.0.1:5432"
USER_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:User"
PATCH_SCHEMA = "urn:ietf:params:scim:api:messages:2.0:PatchOp"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def manage(env: dict, *args: str) -> str:
    command = [sys.executable, "manage.py", *args]
    done = subprocess.run(command, cwd=ROOT, env=env, check=True, capture_output=True, text=True)
    return done.stdout


def prepare_database(env: dict) -> str:
    """A fresh migrated database with provisioning on; returns a SCIM token."""
    import psycopg

    with psycopg.connect(f"{SERVER}/postgres", autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {DB_NAME}")
        conn.execute(f"CREATE DATABASE {DB_NAME}")
    manage(env, "migrate", "--noinput")
    manage(env, "provisioning", "enable")
    return manage(env, "provisioning", "token", "create").strip().splitlines()[-1]


def start_gunicorn(env: dict, port: int, workers: int) -> subprocess.Popen:
    command = [str(ROOT / ".venv/bin/gunicorn"), "querypie_admin.wsgi", "-b", f"127.0.0.1:{port}",
               "-w", str(workers), "--worker-class", "gthread", "--threads", "2",
               "--keep-alive", "5", "--log-level", "warning"]  # fmt: skip
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

    def session(self) -> requests.Session:
        if not hasattr(self.local, "session"):
            self.local.session = requests.Session()
        return self.local.session

    def call(self, method: str, path: str, **kwargs) -> requests.Response:
        response = self.session().request(
            method, f"{self.base}{path}", headers=self.headers, timeout=30, **kwargs
        )
        if response.status_code >= 400:
            raise SystemExit(f"{method} {path}: {response.status_code} {response.text[:200]}")
        return response


def timed_parallel(clients: int, jobs: list, work) -> float:
    """Run work(job) for every job on `clients` threads; returns requests per second."""
    started = time.perf_counter()
    with ThreadPoolExecutor(clients) as pool:
        list(pool.map(work, jobs))
    return len(jobs) / (time.perf_counter() - started)


def bench_creates(scim: Scim, count: int, clients: int) -> float:
    def create(i: int) -> None:
        login = f"bench.create{i}@corp.example"
        scim.call("POST", "/Users", json={
            "schemas": [USER_SCHEMA], "userName": login, "active": True,
            "name": {"givenName": "Bench", "familyName": f"User{i}"},
            "emails": [{"primary": True, "value": login, "type": "work"}],
            "externalId": f"00ubench{i}", "password": "placeholder", "groups": [],
        })  # fmt: skip

    scim.call("GET", "/Users?count=1")  # warm every connection path once
    return timed_parallel(clients, list(range(count)), create)


def setup_rows(users: int, members: int) -> tuple[int, list[int]]:
    """Bulk-insert users and a group holding `members` of them; returns (group id, non-members)."""
    import django

    django.setup()
    from querypie_admin.models import Group, GroupMembership, User

    batch = [User(login_id=f"bulk{i}@corp.example", email=f"bulk{i}@corp.example",
                  first_name="Bulk", last_name=str(i), password="!", auth_provider="okta")
             for i in range(users)]  # fmt: skip
    User.objects.bulk_create(batch, batch_size=5000)
    ids = list(User.objects.filter(login_id__startswith="bulk").values_list("pk", flat=True))
    group = Group.objects.create(name="bench-10k", auth_provider="okta")
    rows = [GroupMembership(group=group, user_id=pk) for pk in ids[:members]]
    GroupMembership.objects.bulk_create(rows, batch_size=5000)
    from django.db import connection

    with connection.cursor() as cursor:  # fresh statistics, and no autovacuum mid-measure
        cursor.execute("VACUUM ANALYZE")
    return group.pk, ids[members:]


def setup_groups(groups: int, per_group: int, user_ids: list[int]) -> None:
    """Bulk-insert `groups` groups of `per_group` members each (not measured)."""
    from django.db import connection

    from querypie_admin.models import Group, GroupMembership

    made = Group.objects.bulk_create(
        [Group(name=f"bench-group-{i}", auth_provider="okta") for i in range(groups)],
        batch_size=5000,
    )
    rows = [GroupMembership(group=g, user_id=user_ids[(i * per_group + j) % len(user_ids)])
            for i, g in enumerate(made) for j in range(per_group)]  # fmt: skip
    GroupMembership.objects.bulk_create(rows, batch_size=5000)
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")


def bench_group_listing(scim: Scim, count: int, params: dict) -> tuple[float, float]:
    """GET /Groups as Okta's spec test asks it; returns p50, p99 in ms."""
    latencies = []
    for _ in range(5):  # warm-up, not measured
        scim.call("GET", "/Groups", params=params)
    for _ in range(count):
        started = time.perf_counter()
        body = scim.call("GET", "/Groups", params=params).json()
        latencies.append((time.perf_counter() - started) * 1000)
        assert body["itemsPerPage"] == min(100, body["totalResults"])
    cuts = statistics.quantiles(latencies, n=100)
    return cuts[49], cuts[98]


def bench_patches(scim: Scim, group_id: int, candidates: list[int], count: int, clients: int):
    def add(user_id: int) -> None:
        scim.call("PATCH", f"/Groups/{group_id}", json={"schemas": [PATCH_SCHEMA], "Operations": [
            {"op": "add", "path": "members", "value": [{"value": str(user_id)}]}]})  # fmt: skip

    return timed_parallel(clients, candidates[:count], add)


def bench_lookups(scim: Scim, users: int, count: int) -> tuple[float, float]:
    """userName eq from one client, as Okta does before each create; returns p50, p99 in ms."""
    latencies = []
    for i in range(50):  # warm-up, not measured
        scim.call("GET", "/Users", params={"filter": f'userName eq "bulk{i}@corp.example"'})
    for _ in range(count):
        login = f"BULK{random.randrange(users)}@corp.example"
        started = time.perf_counter()
        body = scim.call("GET", "/Users", params={"filter": f'userName eq "{login}"'}).json()
        latencies.append((time.perf_counter() - started) * 1000)
        assert body["totalResults"] == 1
    cuts = statistics.quantiles(latencies, n=100)
    return cuts[49], cuts[98]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--creates", type=int, default=3000)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--patches", type=int, default=1000)
    parser.add_argument("--lookups", type=int, default=2000)
    parser.add_argument("--users", type=int, default=100_000)
    parser.add_argument("--members", type=int, default=10_000)
    parser.add_argument("--groups", type=int, default=5_000)
    parser.add_argument("--group-members", type=int, default=20)
    parser.add_argument("--listings", type=int, default=100)
    parser.add_argument("--workers", type=int, default=2 * (os.cpu_count() or 1))
    args = parser.parse_args()

    port = free_port()
    env = {
        **os.environ,
        "DATABASE_URL": f"{SERVER}/{DB_NAME}",
        "LOG_LEVEL": "WARNING",
        "DJANGO_SETTINGS_MODULE": "querypie_admin.settings",
        "DEBUG": "0",
        "CONSOLE_BASE_URL": f"http://127.0.0.1:{port}",
        "ALLOWED_HOSTS": "127.0.0.1",
    }
    os.environ.update(env)
    sys.path.insert(0, str(ROOT))
    token = prepare_database(env)
    server = start_gunicorn(env, port, args.workers)
    try:
        scim = Scim(f"http://127.0.0.1:{port}/api/scim/v2", token)
        creates = bench_creates(scim, args.creates, args.clients)
        group_id, outsiders = setup_rows(args.users, args.members)
        patches = bench_patches(scim, group_id, outsiders, args.patches, args.clients)
        p50, p99 = bench_lookups(scim, args.users, args.lookups)
        setup_groups(args.groups, args.group_members, outsiders)
        page = {"startIndex": "1", "count": "100"}
        listing = bench_group_listing(scim, args.listings, page)
        slim = bench_group_listing(scim, args.listings, {**page, "excludedAttributes": "members"})
    finally:
        server.terminate()
        server.wait(timeout=30)
    print(f"CPU cores: {os.cpu_count()}, gunicorn workers: {args.workers}")
    print(f"POST /Users with {args.clients} clients: {creates:.0f} creates/s (target >= 300)")
    print(f"PATCH add member, group of {args.members:,} members, {args.clients} clients: "
          f"{patches:.0f} PATCH/s")  # fmt: skip
    print(f"GET /Users?filter=userName eq, {args.users + args.creates:,} users: "
          f"p50 {p50:.1f} ms, p99 {p99:.1f} ms (target p99 < 15)")  # fmt: skip
    print(f"GET /Groups?startIndex=1&count=100, {args.groups + 1:,} groups "
          f"({args.group_members} members each, the first one {args.members:,}): "
          f"p50 {listing[0]:.0f} ms, p99 {listing[1]:.0f} ms (target < 600)")  # fmt: skip
    print(f"  same with excludedAttributes=members: p50 {slim[0]:.0f} ms, p99 {slim[1]:.0f} ms")


if __name__ == "__main__":
    main()
