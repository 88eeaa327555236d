"""Benchmark of the Okta visibility collection, reports and activity search on PostgreSQL.

    .venv/bin/python bench/okta_collect.py [--users 100000 --apps 500 --events 1000000]

The fake Okta (users, groups, apps with direct and group assignments, admins with roles and
factors, a synthesized System Log spread over --days) runs in its own process; the
collection runs in a fresh child process, then the queries in another. The database
(okta_collect_bench) is dropped, created and migrated by this script. Figures: ingest rate of
the System Log (events/s), each report's first page and the activity search (p50/p99; target
p99 under 1 s), and what retention costs when it drops a month.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
TOKEN = "bench-okta-token"
DB_NAME = "okta_collect_bench"
SERVER = "postgres://postgres@127.0.0.1:5432"
TARGET_P99 = 1.0


def serve(args: argparse.Namespace) -> None:
    """Child: generate the org and serve it until killed."""
    from fake_okta import FakeOkta, FakeOktaDirectory
    from fake_okta.apps import populate_admins, populate_apps, synthesize_activity

    started = time.perf_counter()
    directory = FakeOktaDirectory.generate(
        users=args.users, groups=args.groups, memberships=args.memberships, seed=1
    )
    populate_apps(
        directory,
        apps=args.apps,
        direct_users=args.direct_users,
        groups_per_app=args.groups_per_app,
    )
    populate_admins(directory, admins=args.admins)
    synthesize_activity(directory, events=args.events, days=args.days, seed=1)
    fake = FakeOkta(directory, token=TOKEN, rate_limit=100_000_000)
    print(f"Generated in {time.perf_counter() - started:.1f}s", flush=True)
    print(f"URL {fake.base_url}", flush=True)
    fake.serve_forever()


def start_fake(args: argparse.Namespace) -> tuple[subprocess.Popen, str]:
    options = [
        "--users",
        args.users,
        "--groups",
        args.groups,
        "--memberships",
        args.memberships,
        "--apps",
        args.apps,
        "--direct-users",
        args.direct_users,
        "--groups-per-app",
        args.groups_per_app,
        "--admins",
        args.admins,
        "--events",
        args.events,
        "--days",
        args.days,
    ]
    command = [sys.executable, __file__, "--child", "serve", *map(str, options)]
    fake = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, text=True)
    for line in fake.stdout:
        print(f"  fake: {line.strip()}", flush=True)
        if line.startswith("URL "):
            return fake, line.split()[1]
    raise SystemExit("the fake Okta did not start")


def recreate_database(server: str) -> str:
    import psycopg

    with psycopg.connect(f"{server}/postgres", autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {DB_NAME}")
        conn.execute(f"CREATE DATABASE {DB_NAME}")
    url = f"{server}/{DB_NAME}"
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput"],
        cwd=ROOT,
        env=child_env(url),
        check=True,
        capture_output=True,
    )
    return url


def child_env(db_url: str) -> dict:
    return {
        **os.environ,
        "DATABASE_URL": db_url,
        "OKTA_API_ALLOW_LOOPBACK": "1",
        "DJANGO_SETTINGS_MODULE": "querypie_admin.settings",
    }


def run_child(db_url: str, label: str, *extra: str) -> dict:
    out = subprocess.run(
        [sys.executable, __file__, "--child", label, *extra],
        cwd=ROOT,
        env=child_env(db_url),
        check=True,
        capture_output=True,
        text=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def collect(okta_url: str) -> None:
    """Child: one collection of every dataset; its figures as JSON."""
    import django

    django.setup()
    from django.conf import settings

    from okta.models import OktaOrg
    from okta.token_crypto import encrypt_token
    from okta_insights.collect.runs import execute_run, start_run
    from okta_insights.models import AppAssignment, CollectionSettings, OktaEvent

    settings.OKTA_SYNC_CLIENT = {"jitter_seconds": 0.0}
    s = OktaOrg.load()
    s.api_url, s.api_token_last4 = okta_url, TOKEN[-4:]
    s.api_token_encrypted = encrypt_token(TOKEN)
    s.save()
    CollectionSettings.objects.update_or_create(pk=1, defaults={"first_read_days": 90})
    started = time.perf_counter()
    run = execute_run(start_run("command", label="bench").pk)
    seconds = time.perf_counter() - started
    rounds = [run.results["system_log"]]
    while rounds[-1].get("count"):  # a round reads at most MAX_PAGES_PER_ROUND pages
        poll = execute_run(start_run("command", lane="system_log", label="bench").pk)
        rounds.append(poll.results["system_log"])
    stored = sum(r.get("count", 0) for r in rounds)
    log_seconds = sum(r["seconds"] for r in rounds)
    figures = {
        "status": run.status,
        "seconds": round(seconds, 1),
        "results": run.results,
        "system_log_rounds": rounds,
        "events_per_second": round(stored / max(log_seconds, 0.001)),
        "events": OktaEvent.objects.count(),
        "assignments": AppAssignment.objects.count(),
        "requests": run.progress.get("requests"),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
    }
    print(json.dumps(figures))


def queries(repeat: int, searches: int) -> None:
    """Child: each report's first page and the activity search, timed; figures as JSON."""
    import django

    django.setup()
    from django.core.paginator import Paginator
    from django.db import connection

    from okta_insights.models import OktaApp, OktaUser
    from okta_insights.reports import activity
    from okta_insights.reports.catalog import REPORTS

    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    figures: dict[str, dict] = {}
    biggest = OktaApp.objects.order_by("-users_count").first()
    for slug, report in REPORTS.items():
        params = {"app": biggest.pk} if slug in ("app-access",) else {}
        form = report.bound_form(params)
        assert form.is_valid(), form.errors

        def first_page(_: int, report=report, data=form.cleaned_data) -> int:
            page = Paginator(report.run(data).rows, 50).page(1)
            return len([report.row(item) for item in page])  # .page(1) counted all rows

        figures[f"report {slug}"] = timed(first_page, repeat)
        started = time.perf_counter()
        rows = sum(1 for _ in report.csv_lines(report.run(form.cleaned_data))) - 1
        figures[f"report {slug}"] |= {
            "rows": rows,
            "csv_seconds": round(time.perf_counter() - started, 2),
        }
    logins = list(OktaUser.objects.order_by("?").values_list("login", flat=True)[:50])
    labels = list(OktaApp.objects.order_by("?").values_list("label", flat=True)[:50])
    figures["activity search"] = timed(search_query(activity, logins, labels), searches)
    print(json.dumps(figures))


def search_query(activity, logins: list[str], labels: list[str]):
    """The i-th search: actor, target, type, outcome and time filters alone and combined,
    then the next (older) page of each."""
    from datetime import timedelta

    from django.utils import timezone

    rng = random.Random(7)
    kinds = [
        lambda: {"actor": rng.choice(logins)},
        lambda: {"actor": rng.choice(logins).split("@")[0][:8]},
        lambda: {"target": rng.choice(labels)},
        lambda: {"event_type": "user.authentication.sso", "target": rng.choice(labels)},
        lambda: {"event_type": "user.session.start", "outcome": "FAILURE"},
        lambda: {"event_type": "user.authentication.*"},
        lambda: {"outcome": "FAILURE"},
        lambda: {
            "since": timezone.now() - timedelta(days=rng.uniform(1, 50)),
            "until": timezone.now() - timedelta(days=rng.uniform(0, 1)),
        },
        lambda: {},
    ]

    def run(number: int) -> int:
        filters = kinds[number % len(kinds)]()
        events = activity.search(**filters)
        first = activity.page(events)
        older = activity.page(events, before=first.older) if first.older else first
        return len(first.events) + len(older.events)

    return run


def timed(call, times: int) -> dict:
    samples = []
    for number in range(times):
        started = time.perf_counter()
        call(number)
        samples.append(time.perf_counter() - started)
    samples.sort()
    pick = lambda share: samples[min(len(samples) - 1, int(share * len(samples)))]  # noqa: E731
    return {
        "n": times,
        "p50_ms": round(pick(0.5) * 1000, 1),
        "p99_ms": round(pick(0.99) * 1000, 1),
        "max_ms": round(samples[-1] * 1000, 1),
    }


def retention(days: int) -> None:
    """Child: retention with a period that drops the oldest month(s); what each part cost."""
    import django

    django.setup()
    from datetime import timedelta

    from django.utils import timezone

    from okta_insights.collect import partitions
    from okta_insights.collect.retention import enforce_retention
    from okta_insights.models import CollectionSettings, OktaEvent

    before = OktaEvent.objects.count()
    CollectionSettings.objects.filter(pk=1).update(retention_days=days)
    started = time.perf_counter()
    dropped = partitions.drop_months_before(timezone.now() - timedelta(days=days))
    drop_seconds = time.perf_counter() - started
    after_drop = OktaEvent.objects.count()
    started = time.perf_counter()
    result = enforce_retention()  # what is left: the cutoff's month, row by row
    figures = {
        "retention_days": days,
        "partitions_dropped": sorted(dropped),
        "events_in_them": before - after_drop,
        "drop_seconds": round(drop_seconds, 3),
        "rows_deleted_one_by_one": result["events_deleted"],
        "delete_seconds": round(time.perf_counter() - started, 2),
        "events_before": before,
        "events_after": OktaEvent.objects.count(),
    }
    print(json.dumps(figures))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int, default=100_000)
    parser.add_argument("--groups", type=int, default=5_000)
    parser.add_argument("--memberships", type=int, default=300_000)
    parser.add_argument("--apps", type=int, default=500)
    parser.add_argument("--direct-users", type=int, default=200, help="per app")
    parser.add_argument("--groups-per-app", type=int, default=3)
    parser.add_argument("--admins", type=int, default=60)
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--days", type=float, default=85.0, help="the events' time span")
    parser.add_argument("--repeat", type=int, default=30, help="runs of each report")
    parser.add_argument("--searches", type=int, default=270, help="activity searches")
    parser.add_argument("--postgres", default=SERVER, help="server URL, without database")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--okta-url", help=argparse.SUPPRESS)
    parser.add_argument("--retention-days", type=int, default=35)
    args = parser.parse_args()
    if args.child:
        children = {
            "serve": lambda: serve(args),
            "collect": lambda: collect(args.okta_url),
            "queries": lambda: queries(args.repeat, args.searches),
            "retention": lambda: retention(args.retention_days),
        }
        children[args.child]()
        return
    print(f"Fake Okta: {args.users} users, {args.apps} apps, {args.events} events…", flush=True)
    fake, okta_url = start_fake(args)
    try:
        db_url = recreate_database(args.postgres)
        collected = run_child(db_url, "collect", "--okta-url", okta_url)
    finally:
        fake.terminate()
        fake.wait(timeout=60)
    print(json.dumps(collected), flush=True)
    timings = run_child(
        db_url, "queries", "--repeat", str(args.repeat), "--searches", str(args.searches)
    )
    print(json.dumps(timings), flush=True)
    print(
        json.dumps(run_child(db_url, "retention", "--retention-days", str(args.retention_days))),
        flush=True,
    )
    report(collected, timings)


def report(collected: dict, timings: dict) -> None:
    failed = collected["status"] != "succeeded"
    print(
        f"{'FAIL' if failed else 'PASS'}  collection {collected['status']} in "
        f"{collected['seconds']} s; System Log {collected['events_per_second']} events/s"
    )
    for name, figures in timings.items():
        ok = figures["p99_ms"] < TARGET_P99 * 1000
        failed |= not ok
        print(
            f"{'PASS' if ok else 'FAIL'}  {name}: p50 {figures['p50_ms']} ms, "
            f"p99 {figures['p99_ms']} ms (target < {TARGET_P99 * 1000:.0f} ms)"
        )
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
