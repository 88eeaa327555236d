"""The remediation pages over HTTP: the dry run lists each call, Confirm queues them (run
in-process here), a guarded plan asks for the count, Retry and Mark done, the manual tasks'
CSV, and the Owner-only write token form that never shows the token."""

import pytest

from access_reviews.models import Remediation
from access_reviews.models import RemediationStatus as Status
from access_reviews.service import campaigns
from okta.models import OktaOrg
from querypie_admin.models import AuditEvent, Role
from tests.factories import UserFactory
from tests.sync.conftest import eager_celery  # noqa: F401 - Confirm runs the task in-process

from .remediation_fixtures import WRITE_TOKEN, active_campaign, decide, deletes, slack_items


@pytest.fixture
def closed(collected, people, connected):
    c = active_campaign(people, guard_percent=50)
    items = slack_items(c, people, collected)
    for name in ("ada", "alan"):
        decide(items[name], people)
    campaigns.close(c, people.owner)
    return c, items


def url(c, rest: str = "") -> str:
    return f"/administrator/access-reviews/{c.pk}/remediation/{rest}"


@pytest.mark.usefixtures("eager_celery")
def test_dry_run_then_the_count_confirms_the_guarded_removals(
    client, closed, people, connected, collected, django_capture_on_commit_callbacks
):
    c, items = closed
    client.post("/administrator/access-reviews/write-token/", {"token": "x"})  # not signed in
    client.force_login(people.owner)
    client.post("/administrator/access-reviews/write-token/", {"token": WRITE_TOKEN})
    page = client.get(url(c)).content.decode()
    assert f"DELETE /api/v1/apps/{collected.slack.id}/users/{collected.ada.id}" in page
    assert "Slack loses 2 of 3 people" in page and "App: Slack" in page

    with django_capture_on_commit_callbacks(execute=True):
        client.post(url(c), {})
    assert Remediation.objects.filter(status=Status.HELD).count() == 2
    assert sum(deletes(connected).values()) == 0
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url(c), {"count": "2"}, follow=True)
    assert "2 removals queued." in response.content.decode()
    assert deletes(connected)["remove_app_user"] == 1
    assert deletes(connected)["remove_group_member"] == 1
    assert set(Remediation.objects.values_list("status", flat=True)) == {Status.DONE}


@pytest.mark.usefixtures("eager_celery")
def test_a_failure_is_shown_with_oktas_error_and_retried(
    client, closed, people, connected, django_capture_on_commit_callbacks
):
    c, items = closed
    client.force_login(people.owner)
    client.post("/administrator/access-reviews/write-token/", {"token": WRITE_TOKEN})
    connected.faults.fail_page("remove_app_user", status=503)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url(c), {"count": "2"})
    row = Remediation.objects.get(item=items["ada"])
    assert row.status == Status.FAILED
    assert "503 E0000009" in client.get(url(c)).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/administrator/access-reviews/remediation/{row.pk}/", {"op": "retry"})
    row.refresh_from_db()
    assert row.status == Status.DONE and row.attempts == 2


def test_without_a_write_token_manual_tasks_are_downloaded_and_marked_done(
    client, closed, people, connected
):
    c, items = closed
    client.force_login(people.owner)
    assert "No write-scoped Okta token is saved" in client.get(url(c)).content.decode()
    tasks = client.get(url(c, "manual-tasks.csv"))
    assert tasks["Content-Type"] == "text/csv"
    assert tasks.content.decode().count("\n") == 3
    row = Remediation.objects.get(item=items["ada"])
    client.post(f"/administrator/access-reviews/remediation/{row.pk}/", {"op": "done"})
    row.refresh_from_db()
    assert (row.status, row.marked_done_by) == (Status.MANUAL_DONE, people.owner)
    assert sum(deletes(connected).values()) == 0


def test_the_write_token_is_an_owner_only_change_never_shown(client, people, db):
    admin = UserFactory(login_id="sysadmin@corp.example", role=Role.SYSTEM_ADMIN)
    client.force_login(admin)
    assert client.get("/administrator/access-reviews/write-token/").status_code == 403
    client.force_login(people.owner)
    blank = client.post("/administrator/access-reviews/write-token/", {"token": ""})
    assert blank.status_code == 400
    client.post("/administrator/access-reviews/write-token/", {"token": "00abcSECRETwxyz"})
    page = client.get("/administrator/access-reviews/write-token/").content.decode()
    assert "SECRET" not in page and "wxyz" in page
    org = OktaOrg.load()
    assert "SECRET" not in org.write_token_encrypted and org.write_token_last4 == "wxyz"
    event = AuditEvent.objects.get(action="access_review.write_token_set")
    assert "SECRET" not in str(event.detail)


def test_a_reviewer_cannot_reach_remediation(client, closed, people):
    c, items = closed
    client.force_login(people.auditor)
    assert client.get(url(c)).status_code == 403
    row = Remediation.objects.get(item=items["ada"])
    assert (
        client.post(
            f"/administrator/access-reviews/remediation/{row.pk}/", {"op": "done"}
        ).status_code
        == 403
    )
