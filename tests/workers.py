"""Start a real Celery worker in a subprocess, for the tests that need one on Redis."""

import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import redis
from django.conf import settings
from django.db import connection
from kombu import pools as kombu_pools

ROOT = Path(__file__).resolve().parents[1]


def worker_database_url() -> str:
    """The test database, so a worker sees the rows a transactional test committed."""
    db = connection.settings_dict
    return f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"


@contextmanager
def celery_worker(broker: str, var_dir: Path, **env: str) -> Iterator[subprocess.Popen]:
    """A solo-pool worker on an emptied Redis database, stopped when the block ends."""
    redis.Redis.from_url(broker).flushdb()
    environment = {
        **os.environ,
        "CELERY_BROKER_URL": broker,
        "SECRET_KEY": settings.SECRET_KEY,  # secrets at rest were encrypted with it
        "QUERYPIE_VAR_DIR": str(var_dir),
        "DJANGO_SETTINGS_MODULE": "querypie_admin.settings",
        "OKTA_API_ALLOW_LOOPBACK": "1",  # the fake Okta listens on 127.0.0.1
        **env,
    }
    worker = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "querypie_admin", "worker", "--pool=solo",
         "--loglevel=WARNING", "--without-mingle", "--without-gossip"],
        cwd=ROOT, env=environment, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        yield worker
    finally:
        worker.terminate()
        worker.wait(timeout=30)


def point_celery_at(app, broker: str) -> None:
    """Tasks the test process queues (a live server's page actions) go to `broker`."""
    # The app reads Django settings under the CELERY_ namespace, so set them by that name.
    app.conf.CELERY_BROKER_URL = broker
    if app._pool is not None:
        app._pool.force_close_all()
        app._pool = None
    app.amqp._producer_pool = None
    # kombu keeps one producer pool per broker URL in a global registry; the one a previous
    # test left for this URL points at the connection pool closed above.
    kombu_pools.reset()
