"""Real-browser tests: Playwright drives Debian's Chromium against a live console.

The console runs in pytest-django's live server on the PostgreSQL test database;
CONSOLE_BASE_URL points at it so SAML and SCIM URLs are the ones the browser uses.
"""

import os
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, sync_playwright

from tests.workers import celery_worker, point_celery_at, worker_database_url

# Playwright's sync API runs an event loop in this thread; the ORM calls our fixtures make
# are still synchronous and safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SCREENSHOTS = Path(os.environ.get("E2E_SCREENSHOT_DIR", "test-results/screenshots"))


@pytest.fixture(scope="session")
def browser() -> Browser:
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def console_url(live_server, settings) -> str:
    settings.CONSOLE_BASE_URL = live_server.url
    settings.CSRF_TRUSTED_ORIGINS = [live_server.url]
    return live_server.url


@pytest.fixture
def page(browser: Browser) -> Page:
    """A desktop browser at 1400x900: the size README's screenshots are taken and looked at."""
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    context.set_default_timeout(15_000)
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def shot():
    """Save a screenshot of the page as the flow reaches a point worth showing."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    def take(page: Page, name: str) -> None:
        page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)

    return take


def sign_in(page: Page, console_url: str, login_id: str, password: str) -> None:
    page.goto(f"{console_url}/login/")
    page.get_by_label("Login ID").fill(login_id)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()


@pytest.fixture
def celery_worker_on_redis(live_server, tmp_path):
    """A real Celery worker on Redis that shares the live server's test database.

    The live server's Celery app is pointed at the same Redis database, and its cached
    connection pool is dropped so that tasks queued by page actions reach the worker.
    """
    from querypie_admin.celery import app

    broker = "redis://127.0.0.1:6379/12"
    previous = app.conf.CELERY_BROKER_URL
    with celery_worker(broker, tmp_path, DATABASE_URL=worker_database_url()) as worker:
        point_celery_at(app, broker)
        try:
            yield worker
        finally:
            point_celery_at(app, previous)
