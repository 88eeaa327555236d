"""Benchmark of the Audit Log page by action on PostgreSQL: how long a page takes when the
log holds big actions (sync runs of many events) and single events, against a floor in the
same run: the 50 newest events read as the page read them before it grouped by action.

    .venv/bin/python bench/audit_log.py [--runs 4 --per-run 50000 --singles 20000]

The database (audit_log_bench) is emptied by this script. Each figure is the median of 5
requests through Django's test client, signed in as an Owner (the first is not counted).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
import uuid
from pathlib import Path

from bench_database import recreate_database

ROOT = Path(__file__).resolve().parents[1]
DB_NAME = "audit_log_bench"
TIMES = 5


def fill(runs: int, per_run: int, singles: int) -> None:
    from querypie_admin.models import AuditEvent

    def event(action: str, label: str, action_id: str = "") -> AuditEvent:
        detail = {"source": "okta_sync", "fields": ["email"]}
        return AuditEvent(
            actor_label="Okta sync", action=action, target_label=label, detail=detail,
            action_id=action_id,
        )  # fmt: skip

    for run in range(runs):
        action_id = uuid.uuid4().hex
        rows = [event("user.updated", f"u{n}@corp.example", action_id) for n in range(per_run)]
        AuditEvent.objects.bulk_create(rows, batch_size=5000)
        AuditEvent.objects.bulk_create(
            [event("auth.signin", f"s{run}-{n}") for n in range(singles // runs)], batch_size=5000
        )


def timed(get) -> float:
    seconds = []
    for _ in range(TIMES + 1):
        started = time.perf_counter()
        get()
        seconds.append(time.perf_counter() - started)
    return statistics.median(seconds[1:])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=4)
    parser.add_argument("--per-run", type=int, default=50_000)
    parser.add_argument("--singles", type=int, default=20_000)
    args = parser.parse_args()
    os.environ["DATABASE_URL"] = recreate_database(DB_NAME)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "querypie_admin.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client

    from querypie_admin.models import AuditEvent, Role, User

    call_command("migrate", verbosity=0)
    fill(args.runs, args.per_run, args.singles)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    owner = User.objects.create(login_id="bench-owner", role=Role.OWNER)
    client = Client(SERVER_NAME="127.0.0.1")
    client.force_login(owner)
    total = AuditEvent.objects.count()

    def page(number: int):
        def get():
            assert client.get("/administrator/audit-log/", {"page": number}).status_code == 200

        return get

    def floor():
        list(AuditEvent.objects.order_by("-created_at", "-id")[:50])
        AuditEvent.objects.count()

    shape = f"{args.runs} actions of {args.per_run:,}, {args.singles:,} single"
    print(f"{total:,} audit events: {shape}")
    print(f"floor (50 newest events and the count, no page): {timed(floor) * 1000:8.1f} ms")
    print(f"Audit Log page 1 by action:                      {timed(page(1)) * 1000:8.1f} ms")
    print(f"Audit Log page 100 by action:                    {timed(page(100)) * 1000:8.1f} ms")


if __name__ == "__main__":
    main()
