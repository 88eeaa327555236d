"""Benchmark of the Okta sync against the fake Okta on PostgreSQL.

    .venv/bin/python bench/okta_sync.py [--users 100000 --groups 5000 --memberships 300000]

The fake Okta runs in its own process; each sync runs in a fresh child process so its peak
memory (ru_maxrss) is the sync's alone. The database (okta_sync_bench) is dropped, created and
migrated by this script. Targets: full sync <= 60 s, peak memory <= 300 MB, re-sync with no
change <= 25 s with zero row writes.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import socket
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TOKEN = "bench-okta-token"
DB_NAME = "okta_sync_bench"
SERVER = "postgres://postgres@127.0.0.1:5432"
LIMITS = {"full": 60.0, "resync": 25.0, "rss_mb": 300.0}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_fake(args: argparse.Namespace, port: int) -> tuple[subprocess.Popen, str]:
    command = [sys.executable, "-m", "fake_okta", "--users", str(args.users), "--groups",
               str(args.groups), "--memberships", str(args.memberships), "--port", str(port),
               "--token", TOKEN, "--rate-limit", "100000000"]  # fmt: skip
    fake = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, text=True)
    app_id = ""
    for line in fake.stdout:
        app_id = line.split(":", 1)[1].strip() if line.startswith("Application ID") else app_id
        if line.startswith("Serving"):
            return fake, app_id
    raise SystemExit("the fake Okta did not start")


def recreate_database(server: str) -> str:
    import psycopg

    with psycopg.connect(f"{server}/postgres", autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {DB_NAME}")
        conn.execute(f"CREATE DATABASE {DB_NAME}")
    url = f"{server}/{DB_NAME}"
    env = {**os.environ, "DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "querypie_admin.settings"}
    subprocess.run([sys.executable, "manage.py", "migrate", "--noinput"], cwd=ROOT, env=env,
                   check=True, capture_output=True)  # fmt: skip
    return url


def run_child(db_url: str, okta_url: str, label: str) -> dict:
    env = {
        **os.environ,
        "DATABASE_URL": db_url,
        "DJANGO_SETTINGS_MODULE": "querypie_admin.settings",
        "OKTA_API_ALLOW_LOOPBACK": "1",  # the fake Okta listens on 127.0.0.1
    }
    out = subprocess.run([sys.executable, __file__, "--child", label, "--okta-url", okta_url],
                         cwd=ROOT, env=env, check=True, capture_output=True, text=True)  # fmt: skip
    return json.loads(out.stdout.strip().splitlines()[-1])


def child(label: str, okta_url: str) -> None:
    """One sync in this process; prints its figures as JSON."""
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.conf import settings
    from django.db import connection

    from querypie_admin.models import AuditEvent, DirectoryLink, GroupMembership, LinkSource, User
    from sync.engine.runs import execute_run, start_saved_run
    from sync.models import Scope, SyncSettings
    from sync.token_crypto import encrypt_token

    settings.OKTA_SYNC_CLIENT = {"jitter_seconds": 0.0}
    s = SyncSettings.load()
    s.enabled, s.api_url, s.scope = True, okta_url, Scope.DIRECTORY
    s.api_token_encrypted, s.api_token_last4 = encrypt_token(TOKEN), TOKEN[-4:]
    s.save()
    writes = []
    pattern = re.compile(r'^\s*(INSERT INTO|UPDATE|DELETE FROM)\s+"(querypie_admin_\w+)"', re.I)

    def count_writes(execute, sql, params, many, context):
        # The audit entry recording the run itself is not a change to the directory.
        if pattern.match(sql) and "okta_sync.run_finished" not in str(params):
            writes.append(sql[:40])
        return execute(sql, params, many, context)

    phases: dict[str, float] = {}

    def note_phase(phase: str, values: dict) -> None:
        phases.setdefault(phase.split(" (")[0], round(time.perf_counter() - started, 1))

    started = time.perf_counter()
    with connection.execute_wrapper(count_writes):
        run = execute_run(start_saved_run("manual", label=f"bench {label}").pk, note_phase)
    elapsed = time.perf_counter() - started
    figures = {
        "label": label,
        "status": run.status,
        "error": run.error,
        "seconds": round(elapsed, 1),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "row_write_statements": len(writes),
        "counts": run.counts,
        "pages": run.progress.get("pages"),
        "phase_started_at_seconds": phases,
        "users": User.objects.filter(auth_provider="okta").count(),
        "sync_links": DirectoryLink.objects.filter(source=LinkSource.OKTA_SYNC).count(),
        "memberships": GroupMembership.objects.count(),
        "audit_events": AuditEvent.objects.count(),
    }
    print(json.dumps(figures))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int, default=100_000)
    parser.add_argument("--groups", type=int, default=5_000)
    parser.add_argument("--memberships", type=int, default=300_000)
    parser.add_argument("--postgres", default=SERVER, help="server URL, without database")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--okta-url", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child, args.okta_url)
        return
    port = free_port()
    print(f"Generating the fake Okta org: {args.users} users, {args.groups} groups, "
          f"{args.memberships} memberships…", flush=True)  # fmt: skip
    fake, _ = start_fake(args, port)
    try:
        db_url = recreate_database(args.postgres)
        okta_url = f"http://127.0.0.1:{port}"
        full = run_child(db_url, okta_url, "full sync")
        resync = run_child(db_url, okta_url, "re-sync, no change")
    finally:
        fake.terminate()
        fake.wait(timeout=30)
    report(full, resync)


def report(full: dict, resync: dict) -> None:
    for figures in (full, resync):
        print(json.dumps(figures))
    checks = [
        ("full sync seconds", full["seconds"], LIMITS["full"]),
        ("full sync peak RSS MB", full["peak_rss_mb"], LIMITS["rss_mb"]),
        ("re-sync seconds", resync["seconds"], LIMITS["resync"]),
        ("re-sync peak RSS MB", resync["peak_rss_mb"], LIMITS["rss_mb"]),
        ("re-sync row writes", resync["row_write_statements"], 0),
    ]
    failed = False
    for name, value, limit in checks:
        ok = value <= limit and full["status"] == resync["status"] == "succeeded"
        failed |= not ok
        print(f"{'PASS' if ok else 'FAIL'}  {name}: {value} (limit {limit})")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
