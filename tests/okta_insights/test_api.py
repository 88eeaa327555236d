"""REST API: /api/v1/applications/ with assignments, /api/v1/okta-events/ with the Activity
filters, /api/v1/reports/<name>/, in the OpenAPI schema."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import call_command

from fake_okta.roles import forbid_role_reads
from okta_insights.models import OktaApp
from okta_insights.reports.catalog import REPORTS

pytestmark = pytest.mark.django_db


def test_applications_with_their_counts_groups_and_assignments(admin_client, org, collect):
    org.sign_in(org.alan, org.slack, days=1)
    collect()

    body = admin_client.get("/api/v1/applications/", {"q": "sla"}).json()

    (slack,) = body["results"]
    assert (slack["label"], slack["okta_id"], slack["users_count"]) == ("Slack", org.slack.id, 3)
    assert [g["group_okta_id"] for g in slack["groups"]] == [org.engineers.id]
    people = admin_client.get(slack["assignments"]).json()["results"]
    assert [(p["login"], p["how"], p["last_sign_in"] is not None) for p in people] == [
        ("ada@corp.example", "Directly", False),
        ("alan@corp.example", "Through group Engineers", True),
        ("grace@corp.example", "Through group Engineers", False),
    ]


def test_okta_events_filter_like_the_activity_page_newest_first(admin_client, org, collect):
    org.sign_in(org.ada, org.slack, days=2)
    org.sign_in(org.ada, org.github, days=1)
    org.sign_in(org.alan, org.slack, days=1)
    collect()

    body = admin_client.get("/api/v1/okta-events/", {"actor": "ada@", "target": "0oa"}).json()

    assert [e["targets"][0]["displayName"] for e in body["results"]] == ["GitHub", "Slack"]
    assert body["next"] is None
    bad = admin_client.get("/api/v1/okta-events/", {"since": "last tuesday"})
    assert bad.status_code == 400 and "since" in bad.json()


def test_each_report_is_served_with_its_rows(admin_client, org, collect):
    collect()

    stale = admin_client.get("/api/v1/reports/stale-accounts/", {"days": 90}).json()
    app = OktaApp.objects.get(okta_id=org.github.id)
    reach = admin_client.get("/api/v1/reports/app-access/", {"app": app.pk}).json()

    assert [r["login"] for r in stale["results"]] == ["linus@corp.example", "grace@corp.example"]
    assert stale["readable"] is True and stale["count"] == 2
    assert [r["login"] for r in reach["results"]] == ["margaret@corp.example"]
    for slug in REPORTS:
        assert admin_client.get(f"/api/v1/reports/{slug}/").status_code == 200, slug
    assert admin_client.get("/api/v1/reports/stale-accounts/", {"days": "x"}).status_code == 400


def test_a_report_the_token_cannot_read_says_so_in_the_api(admin_client, collect, connected):
    forbid_role_reads(connected.faults)
    collect()

    body = admin_client.get("/api/v1/reports/admins-without-mfa/").json()

    assert body["readable"] is False and body["results"] == []
    assert "Admin roles: not readable with this token." in body["notes"]


def test_the_openapi_schema_documents_the_new_endpoints():
    out = io.StringIO()
    call_command(
        "spectacular", "--validate", "--fail-on-warn", "--format", "openapi-json", stdout=out
    )
    paths = json.loads(out.getvalue())["paths"]

    assert {
        "/api/v1/applications/",
        "/api/v1/applications/{id}/assignments/",
        "/api/v1/okta-events/",
    } <= set(paths)
    for slug in REPORTS:
        assert f"/api/v1/reports/{slug}/" in paths
    names = [p["name"] for p in paths["/api/v1/okta-events/"]["get"]["parameters"]]
    assert {"actor", "target", "event_type", "outcome", "since", "until"} <= set(names)
