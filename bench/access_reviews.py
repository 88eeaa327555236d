"""Benchmark of access review campaigns on PostgreSQL: launching a campaign over an
application with 50,000 people, a reviewer's My reviews pages over 5,000 items, and one bulk
decision over 10,000 items; then closing that campaign (its 10,000 revocations planned) and
the evidence export (the chain verified, the CSV of its 50,000 items streamed to the end).

    .venv/bin/python bench/access_reviews.py [--users 100000 --apps 500 --big-app 50000]

What a collection stores (Okta users, applications, assignments: half direct, half through a
group; admin roles) is written straight into the tables, as the collection leaves them, so
the figures are the campaign's own and not the collection's (bench/okta_collect.py measures
that). The database (access_reviews_bench) is dropped, created and migrated by this script;
emails go to files in a temporary folder. The page is requested in process with Django's
test client (the view, its queries and the template; no web server).
Targets (issue 22): launch under 10 s; a page of the 5,000 items p99 under 300 ms; a bulk
decision over 10,000 items under 5 s; the evidence export of 50,000 items under 10 s.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from bench_database import recreate_database

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
DB_NAME = "access_reviews_bench"
TARGETS = {"launch": 10.0, "page_p99": 0.300, "bulk": 5.0, "evidence": 10.0}
BATCH = 5000


def setup_django(db_url: str) -> None:
    os.environ.update(
        DATABASE_URL=db_url,
        DJANGO_SETTINGS_MODULE="querypie_admin.settings",
        QUERYPIE_VAR_DIR=tempfile.mkdtemp(prefix="access-reviews-bench-"),
        SECRET_KEY="access-reviews-bench-secret-key-not-for-production-0123456789",
        ALLOWED_HOSTS="testserver",
        LOG_LEVEL="WARNING",
    )
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)


def seed(args: argparse.Namespace) -> dict:
    """Okta users, applications and assignments as a collection stores them."""
    from okta_insights.models import AdminRole, AppAssignment, OktaApp, OktaUser

    rng = random.Random(1)
    now = datetime.now(UTC)
    users = [
        OktaUser(
            okta_id=f"00u{n:017d}",
            login=f"person{n}@corp.example",
            email=f"person{n}@corp.example",
            first_name="Person",
            last_name=str(n),
            status="ACTIVE",
            last_login=None if n % 7 == 0 else now - timedelta(days=rng.randint(0, 400)),
        )
        for n in range(args.users)
    ]
    OktaUser.objects.bulk_create(users, batch_size=BATCH)
    apps = OktaApp.objects.bulk_create(
        [
            OktaApp(okta_id=f"0oa{n:017d}", label=f"App {n}", name="app", status="ACTIVE")
            for n in range(args.apps)
        ]
    )
    sizes = [args.big_app, args.reviewer_items] + [args.small_app] * (args.apps - 2)
    for app, size in zip(apps, sizes, strict=True):
        chosen = rng.sample(users, size)
        AppAssignment.objects.bulk_create(
            [
                AppAssignment(
                    app=app,
                    app_okta_id=app.okta_id,
                    user_okta_id=user.okta_id,
                    login=user.login,
                    scope="USER" if i % 2 else "GROUP",
                    group_okta_id="" if i % 2 else f"00g{i % 40:017d}",
                    group_name="" if i % 2 else f"Group {i % 40}",
                    last_sign_in=user.last_login,
                )
                for i, user in enumerate(chosen)
            ],
            batch_size=BATCH,
        )
    AdminRole.objects.bulk_create(
        [
            AdminRole(
                principal="user",
                principal_okta_id=users[n].okta_id,
                role_type="READ_ONLY_ADMIN",
                label="Read Only Administrator",
                assignment_id=f"ra{n}",
            )
            for n in range(0, args.users, args.users // 50)
        ]
    )
    return {"big": apps[0], "reviewer_app": apps[1]}


def console_users():
    from querypie_admin.models import Role, User

    owner = User.objects.create_user("owner@corp.example", "x", role=Role.OWNER)
    big = User.objects.create_user("big.reviewer@corp.example", "x", email="big@corp.example")
    page = User.objects.create_user("reviewer@corp.example", "x", email="r@corp.example")
    return owner, big, page


def campaign(app, reviewer, owner):
    from access_reviews.models import Campaign, Subject

    return Campaign.objects.create(
        name=f"Review of {app.label}",
        subject=Subject.APP_ACCESS,
        scope_okta_ids=[app.okta_id],
        starts_on=date.today(),
        due_on=date.today() + timedelta(days=14),
        reviewer=reviewer,
        fallback_reviewer=owner,
    )


def timed(fn) -> tuple[float, object]:
    started = time.perf_counter()
    result = fn()
    return time.perf_counter() - started, result


def pages(reviewer, campaign_pk: int, requests: int) -> list[float]:
    """My reviews: every page in turn, with and without filters, after 10 warm-up requests."""
    from django.test import Client

    client = Client()
    client.force_login(reviewer)
    queries = [
        {"page": 1},
        {"campaign": campaign_pk, "page": 40},
        {"flag": "never_signed_in", "page": 3},
        {"decision": "none", "flag": "no_sign_in", "page": 20},
        {"campaign": campaign_pk, "page": 100},
    ]
    for query in queries * 2:
        client.get("/reviews/", query)
    times = []
    for n in range(requests):
        query = queries[n % len(queries)]
        started = time.perf_counter()
        response = client.get("/reviews/", query)
        times.append(time.perf_counter() - started)
        assert response.status_code == 200, response.status_code
    return times


def close_and_export(big, owner) -> float:
    """Close the big campaign (its revocations become manual tasks: no write token) and time
    the evidence CSV as the view streams it: the chain's check, then every line."""
    from access_reviews.service import campaigns, evidence

    close_s, _ = timed(lambda: campaigns.close(big, owner))
    print(f"Close with {big.items.filter(decision='revoke').count()} revocations: {close_s:.2f}s")

    def export() -> tuple[int, int]:
        summary = evidence.check_chain(big)
        lines = size = 0
        for line in evidence.csv_lines(big, summary):
            lines, size = lines + 1, size + len(line)
        return lines, size

    seconds, (lines, size) = timed(export)
    print(
        f"Evidence export of {big.items.count()} items ({lines} lines, {size / 1e6:.1f} MB):"
        f" {seconds:.2f}s (target < {TARGETS['evidence']:.0f} s)"
    )
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int, default=100_000)
    parser.add_argument("--apps", type=int, default=500)
    parser.add_argument("--big-app", type=int, default=50_000)
    parser.add_argument("--reviewer-items", type=int, default=5_000)
    parser.add_argument("--small-app", type=int, default=40)
    parser.add_argument("--bulk", type=int, default=10_000)
    parser.add_argument("--requests", type=int, default=300)
    args = parser.parse_args()

    setup_django(recreate_database(DB_NAME))
    seconds, apps = timed(lambda: seed(args))
    print(f"Seeded {args.users} Okta users, {args.apps} apps in {seconds:.1f}s", flush=True)
    owner, big_reviewer, reviewer = console_users()

    from access_reviews.models import Decision
    from access_reviews.service.decisions import decide_many
    from access_reviews.service.launch import launch

    big = campaign(apps["big"], big_reviewer, owner)
    launch_s, count = timed(lambda: launch(big, owner))
    print(f"Launch of {count} items: {launch_s:.2f}s (target < {TARGETS['launch']:.0f} s)")

    mine = campaign(apps["reviewer_app"], reviewer, owner)
    launch(mine, owner)
    times = sorted(pages(reviewer, mine.pk, args.requests))
    p50, p99 = statistics.median(times), times[int(len(times) * 0.99) - 1]
    print(
        f"My reviews over {mine.items.count()} items, {len(times)} pages: p50 {p50 * 1000:.0f} ms,"
        f" p99 {p99 * 1000:.0f} ms (target p99 < {TARGETS['page_p99'] * 1000:.0f} ms)"
    )

    ids = list(big.items.order_by("id").values_list("pk", flat=True)[: args.bulk])
    bulk_s, _ = timed(
        lambda: decide_many(big, big_reviewer, ids, Decision.REVOKE, "Bench: not needed")
    )
    print(f"Bulk decision over {len(ids)} items: {bulk_s:.2f}s (target < {TARGETS['bulk']:.0f} s)")
    evidence_s = close_and_export(big, owner)
    ok = launch_s < TARGETS["launch"] and p99 < TARGETS["page_p99"] and bulk_s < TARGETS["bulk"]
    ok = ok and evidence_s < TARGETS["evidence"]
    print("All targets met." if ok else "A target was missed.")


if __name__ == "__main__":
    main()
