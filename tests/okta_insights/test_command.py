"""`python manage.py okta_collect run|status`, on PostgreSQL and, in a separate process, on the
embedded SQLite database (the plain, unpartitioned System Log table)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from fake_okta.roles import forbid_role_reads
from okta_insights.models import OktaEvent
from tests.workers import ROOT


def okta_collect(*args: str) -> str:
    out = StringIO()
    call_command("okta_collect", *args, stdout=out, stderr=StringIO())
    return out.getvalue()


@pytest.mark.django_db
def test_run_collects_and_status_reports_each_dataset(org, connected):
    forbid_role_reads(connected.faults)

    result = json.loads(okta_collect("run").strip().splitlines()[-1])
    status = json.loads(okta_collect("status"))

    assert result["status"] == "partial" and result["results"]["admin_roles"]["status"] == (
        "not_readable"
    )
    assert status["datasets"]["admin_roles"]["readability"] == "not_readable"
    assert status["datasets"]["users"]["count"] == 6
    assert status["system_log"]["events"] == OktaEvent.objects.count() > 0
    assert status["last_runs"]["all"]["run"] == result["run"]
    assert status["schedules"]["system_log"] == "Every 5 minutes"


@pytest.mark.django_db
def test_run_only_the_system_log(org, connected):
    org.sign_in(org.ada)

    result = json.loads(okta_collect("run", "--only", "system_log").strip().splitlines()[-1])

    assert (result["lane"], list(result["results"])) == ("system_log", ["system_log"])


@pytest.mark.django_db
def test_run_without_an_okta_connection_says_so(db):
    with pytest.raises(CommandError, match="Okta is not connected"):
        okta_collect("run")


@pytest.mark.real_clock  # the commands run in processes of their own
def test_collection_reports_and_search_work_on_sqlite(org, fake, tmp_path):
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "QUERYPIE_VAR_DIR": str(tmp_path),
        "OKTA_API_ALLOW_LOOPBACK": "1",
        "DJANGO_SETTINGS_MODULE": "querypie_admin.settings",
    }
    org.sign_in(org.ada, org.slack, days=1)
    (tmp_path / "token").write_text(fake.token)

    def manage(*args: str) -> str:
        done = subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert done.returncode == 0, done.stderr[-2000:]
        return done.stdout

    manage("migrate", "--noinput")
    manage(
        "okta_sync",
        "configure",
        "--api-url",
        fake.base_url,
        "--api-token-file",
        str(tmp_path / "token"),
        "--scope",
        "directory",
    )
    result = json.loads(manage("okta_collect", "run").strip().splitlines()[-1])
    again = json.loads(manage("okta_collect", "run").strip().splitlines()[-1])
    checked = manage("shell", "-c", SQLITE_CHECK)

    assert result["status"] == "succeeded", result
    assert again["results"]["system_log"]["count"] == 0
    assert json.loads(checked.strip().splitlines()[-1]) == {
        "events": 6,
        "searched": 1,
        "reports": 6,
        "stale": 2,
    }


SQLITE_CHECK = """
import json
from okta_insights.models import OktaEvent
from okta_insights.reports import activity
from okta_insights.reports.catalog import REPORTS
counts = {}
for slug, report in REPORTS.items():
    form = report.bound_form({})
    assert form.is_valid(), (slug, form.errors)
    counts[slug] = len([report.row(r) for r in report.run(form.cleaned_data).rows])
page = activity.page(activity.search(actor="ADA@corp", event_type="user.authentication.*"))
print(json.dumps({"events": OktaEvent.objects.count(), "searched": len(page.events),
                  "reports": len(counts), "stale": counts["stale-accounts"]}))
"""
