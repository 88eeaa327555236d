"""Test settings: the suite runs on real PostgreSQL (TEST_DATABASE_URL overrides the default)."""

import os
import secrets

import dj_database_url

from .settings import *  # noqa: F403

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("TEST_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/querypie_admin")
    )
}
if "postgresql" in DATABASES["default"]["ENGINE"]:  # prepared statements as in production
    DATABASES["default"]["OPTIONS"] = POSTGRESQL_OPTIONS  # noqa: F405
# Each run creates its own test database, so two suites on one machine never share one.
DATABASES["default"]["TEST"] = {
    "NAME": f"test_{DATABASES['default']['NAME']}_{os.getpid()}_{secrets.token_hex(3)}"
}
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
CELERY_TASK_ALWAYS_EAGER = False
CONSOLE_BASE_URL = "http://testserver"
ALLOWED_HOSTS = ["testserver", "127.0.0.1", "localhost"]
CSRF_TRUSTED_ORIGINS = [CONSOLE_BASE_URL]
# Tests never queue into the embedded broker under var/; the ones that need a real broker
# (the worker tests) start their worker and name Redis themselves.
CELERY_BROKER_URL = os.environ.get("TEST_CELERY_BROKER_URL", "memory://")
CELERY_BROKER_TRANSPORT_OPTIONS = {}
# Each test run keeps its own cache in memory; tests/conftest.py clears it between tests.
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# The fake Okta listens on 127.0.0.1.
OKTA_API_ALLOW_LOOPBACK = True
