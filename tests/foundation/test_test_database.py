"""Two suites on one machine collided on `test_querypie_admin`: each run has its own."""

import os
import re

import dj_database_url
import pytest
from django.db import connection


@pytest.mark.django_db
def test_each_run_creates_a_test_database_of_its_own():
    url = os.environ.get("TEST_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/querypie_admin")
    base = dj_database_url.parse(url)["NAME"]
    pattern = rf"test_{re.escape(base)}_{os.getpid()}_[0-9a-f]{{6}}"
    assert re.fullmatch(pattern, connection.settings_dict["NAME"])
