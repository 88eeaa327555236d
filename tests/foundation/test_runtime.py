"""The real moving parts: /healthz, a Celery worker on Redis, and the SQLite default."""

import os
import socket
import subprocess
import sys
import time

import pytest
import requests

from tests.workers import ROOT, celery_worker

REDIS_URL = "redis://127.0.0.1:6379/14"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.django_db
def test_healthz_reports_database_and_broker(client, settings):
    settings.CELERY_BROKER_URL = REDIS_URL
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"database": "ok", "broker": "ok", "status": "ok"}


def test_healthz_is_503_when_the_broker_is_down(client, db, settings):
    settings.CELERY_BROKER_URL = f"redis://127.0.0.1:{free_port()}/0"
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["broker"] == "unavailable"


def test_a_real_celery_worker_on_redis_runs_a_task(tmp_path):
    env = {**os.environ, "CELERY_BROKER_URL": REDIS_URL, "CELERY_RESULT_BACKEND": REDIS_URL}
    with celery_worker(REDIS_URL, tmp_path, CELERY_RESULT_BACKEND=REDIS_URL):
        probe = (
            "from querypie_admin.celery import app;"
            "print(app.send_task('querypie_admin.tasks.ping').get(timeout=60))"
        )
        out = subprocess.run(
            [sys.executable, "-c", probe], cwd=ROOT, env=env, capture_output=True, text=True,
            timeout=90,
        )  # fmt: skip
        assert out.stdout.strip() == "pong", out.stderr


def test_sqlite_default_migrates_and_serves_healthz(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "CELERY_BROKER_URL")}
    env.update(QUERYPIE_VAR_DIR=str(tmp_path), DJANGO_SETTINGS_MODULE="querypie_admin.settings")
    manage = [sys.executable, "manage.py"]
    subprocess.run([*manage, "migrate", "--noinput"], cwd=ROOT, env=env, check=True,
                   capture_output=True)  # fmt: skip
    out = subprocess.run([*manage, "ensure_owner"], cwd=ROOT, env=env, check=True,
                         capture_output=True, text=True).stdout  # fmt: skip
    assert "Login ID: admin  Password: " in out
    assert (tmp_path / "db.sqlite3").exists() and (tmp_path / "secret_key").exists()
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "querypie_admin.wsgi:application", "--bind",
         f"127.0.0.1:{port}", "--workers", "1"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        response = _get_when_up(f"http://127.0.0.1:{port}/healthz")
        assert response.status_code == 200
        assert response.json()["database"] == "ok"
        assert response.json()["broker"] == "ok"
    finally:
        server.terminate()
        server.wait(timeout=30)


def _get_when_up(url: str) -> requests.Response:
    deadline = time.monotonic() + 30
    while True:
        try:
            return requests.get(url, timeout=5)
        except requests.ConnectionError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.3)


def test_default_cache_is_shared_by_every_process_on_the_machine(tmp_path):
    """Sign-in lock-out counts must add up across gunicorn workers, not per process."""
    env = {k: v for k, v in os.environ.items() if k != "CACHE_URL"}
    env.update(QUERYPIE_VAR_DIR=str(tmp_path), DJANGO_SETTINGS_MODULE="querypie_admin.settings")
    shell = [sys.executable, "manage.py", "shell", "-c"]
    cache = "from django.core.cache import cache; "
    subprocess.run([*shell, cache + "cache.set('probe', 41)"],
                   cwd=ROOT, env=env, check=True, capture_output=True)  # fmt: skip
    out = subprocess.run([*shell, cache + "print(cache.incr('probe'))"],
                         cwd=ROOT, env=env, capture_output=True, text=True)  # fmt: skip
    assert out.stdout.strip().splitlines()[-1:] == ["42"], out.stderr


def test_the_wsgi_application_freezes_its_start_up_objects(tmp_path):
    """gunicorn's workers load querypie_admin.wsgi: Django, the models and the URL conf are
    then out of the garbage collector's way (gc.freeze), not walked again after each request."""
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "CELERY_BROKER_URL")}
    env.update(QUERYPIE_VAR_DIR=str(tmp_path), DJANGO_SETTINGS_MODULE="querypie_admin.settings")
    probe = "import gc, querypie_admin.wsgi, scim.endpoints; print(gc.get_freeze_count())"
    done = subprocess.run(
        [sys.executable, "-c", probe], cwd=ROOT, env=env, capture_output=True, text=True, check=True
    )
    assert int(done.stdout) > 50_000  # every module the URL conf imports, SCIM's views too
