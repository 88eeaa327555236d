"""Benchmark of Okta Event Hooks on PostgreSQL: how fast the console answers Okta's
deliveries, alone and under a 2,000-event burst, and how long processing takes after it.

    .venv/bin/python bench/event_hooks.py [--users 500 --burst 2000 --parallel 8]

The console runs as in production (gunicorn, 2 gthread workers of 2 threads, a Celery
worker on Redis); the fake Okta runs in this process, is synced once, registered with
"Register with Okta" (create, then verify), and delivers real hook requests. Latency is
measured from the client, each delivery's whole request. The burst is `--burst` profile
updates spread over `--users` people, sent one event per delivery, `--parallel` at once.
The database (event_hooks_bench) and Redis database 10 are emptied by this script; the
first 20 deliveries warm the workers up (connections to PostgreSQL and Redis) and are not
counted.
Targets (issue 13): each answer within 100 ms when alone; every answer of the burst within
Okta's 3 s timeout.
"""

from __future__ import annotations

import argparse
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

from bench_database import recreate_database

ROOT = Path(__file__).resolve().parents[1]
DB_NAME = "event_hooks_bench"
BROKER = "redis://127.0.0.1:6379/10"
SINGLE = 200  # deliveries sent one after another, nothing else happening
WARM_UP = 20  # first requests of each gunicorn worker (connections to the database, Redis)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def environment(db_url: str, console_url: str, var_dir: Path) -> dict[str, str]:
    return {
        **os.environ,
        "DATABASE_URL": db_url,
        "DJANGO_SETTINGS_MODULE": "querypie_admin.settings",
        "CONSOLE_BASE_URL": console_url,
        "CELERY_BROKER_URL": BROKER,
        "SECRET_KEY": "event-hooks-bench-secret-key-not-for-production-use-0123456789",
        "QUERYPIE_VAR_DIR": str(var_dir),
        "OKTA_API_ALLOW_LOOPBACK": "1",  # the fake Okta listens on 127.0.0.1
        "LOG_LEVEL": "WARNING",
    }


def start_console(env: dict[str, str], port: int) -> list[subprocess.Popen]:
    subprocess.run([sys.executable, "manage.py", "migrate", "--noinput"], cwd=ROOT, env=env,
                   check=True, capture_output=True)  # fmt: skip
    import redis

    redis.Redis.from_url(BROKER).flushdb()
    web = subprocess.Popen(
        [str(ROOT / ".venv/bin/gunicorn"), "querypie_admin.wsgi:application", "--bind",
         f"127.0.0.1:{port}", "--workers", "2", "--worker-class", "gthread", "--threads", "2",
         "--keep-alive", "5", "--log-level", "warning"],
        cwd=ROOT, env=env,
    )  # fmt: skip
    worker = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "querypie_admin", "worker", "--pool=solo",
         "--loglevel=WARNING", "--without-mingle", "--without-gossip"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    wait_for_port(port)
    return [web, worker]


def wait_for_port(port: int, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.2)
    raise SystemExit("gunicorn did not start")


def set_up(users: int):
    """Django in this process, on the bench database: a fake Okta synced once and
    registered with the console's own Register with Okta."""
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from event_hooks.service import registration
    from fake_okta import FakeOkta, FakeOktaDirectory
    from okta.models import OktaOrg, Scope
    from okta.token_crypto import encrypt_token
    from querypie_admin.directory import Caller
    from sync.engine.runs import execute_run, start_saved_run
    from sync.models import RunKind

    directory = FakeOktaDirectory(seed=13)
    people = [directory.add_user(f"person{n:05d}@corp.example") for n in range(users)]
    okta = FakeOkta(directory, rate_limit=100_000_000).start()
    s = OktaOrg.load()
    s.enabled, s.api_url, s.scope = True, okta.base_url, Scope.DIRECTORY
    s.api_token_encrypted, s.api_token_last4 = encrypt_token(okta.token), okta.token[-4:]
    s.save()
    execute_run(start_saved_run(RunKind.MANUAL, label="bench").pk)
    registration.register(Caller.command("bench"))
    return okta, people


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * share))]


def figures(label: str, seconds: list[float]) -> str:
    ms = [s * 1000 for s in seconds]
    return (f"{label}: {len(ms)} deliveries, p50 {percentile(ms, 0.50):.1f} ms, "
            f"p99 {percentile(ms, 0.99):.1f} ms, max {max(ms):.1f} ms")  # fmt: skip


def wait_processed(timeout: float = 600.0) -> float:
    from event_hooks.models import EventStatus, HookEvent

    started = time.monotonic()
    while HookEvent.objects.filter(status=EventStatus.RECEIVED).exists():
        if time.monotonic() - started > timeout:
            raise SystemExit("processing did not finish")
        time.sleep(0.2)
    return time.monotonic() - started


def run(args: argparse.Namespace) -> None:
    okta, people = set_up(args.users)
    deliveries = okta.deliveries
    for n in range(WARM_UP + SINGLE):  # one at a time: each answer with nothing else going on
        okta.directory.update_user(people[n % len(people)].id, mobilePhone=f"+1 {n}")
        deliveries.wait_idle()
        wait_processed()
    single = [d.seconds for d in deliveries.sent[WARM_UP:]]
    print(figures("Alone", single), flush=True)
    deliveries.hold()
    for n in range(args.burst):
        okta.directory.update_user(people[n % len(people)].id, mobilePhone=f"+2 {n}")
    started = time.monotonic()
    sent = deliveries.release(parallel=args.parallel)
    sending = time.monotonic() - started
    statuses = sorted({d.status for d in sent})
    print(
        figures(f"Burst of {args.burst} events, {args.parallel} at once", [d.seconds for d in sent])
    )
    retried = [d.answers for d in sent if d.attempts > 1]
    slowest = sorted(range(len(sent)), key=lambda i: sent[i].seconds)[-5:]
    print("  slowest: " + ", ".join(f"#{i} {sent[i].seconds * 1000:.0f} ms" for i in slowest))
    print(f"  statuses {statuses}, retried {retried}, "
          f"sent in {sending:.1f} s ({len(sent) / sending:.0f} deliveries/s)")  # fmt: skip
    after = wait_processed()
    from event_hooks.models import EventStatus, HookEvent

    applied = HookEvent.objects.filter(status=EventStatus.APPLIED).count()
    print(f"  processed {after:.1f} s after the last answer; {applied} events applied in all")
    okta.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--users", type=int, default=500)
    parser.add_argument("--burst", type=int, default=2000)
    parser.add_argument("--parallel", type=int, default=8)
    args = parser.parse_args()
    port = free_port()
    var_dir = ROOT / "var" / "bench-event-hooks"
    var_dir.mkdir(parents=True, exist_ok=True)
    env = environment(recreate_database(DB_NAME), f"http://127.0.0.1:{port}", var_dir)
    os.environ.update(env)
    processes = start_console(env, port)
    try:
        run(args)
    finally:
        for process in processes:
            process.terminate()
            process.wait(timeout=30)


if __name__ == "__main__":
    main()
