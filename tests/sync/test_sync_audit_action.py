"""A sync run's writes are one action in the audit log: every event its apply wrote shares
one action id, and the Audit Log shows the run as one row that expands."""

import re

import pytest
from django.urls import reverse

from querypie_admin.models import AuditEvent

pytestmark = pytest.mark.django_db


def test_a_runs_writes_share_one_action_id_and_are_one_row(run_sync, fake_org, admin_client):
    run = run_sync()

    written = AuditEvent.objects.filter(actor_label=f"Okta sync (run #{run.pk})")
    assert {"user.created", "group.created", "group.members_added"} <= {e.action for e in written}
    assert len(set(written.values_list("action_id", flat=True))) == 1
    assert written.first().action_id != ""

    page = admin_client.get(reverse("audit_log")).content.decode()
    rows = re.findall(r'<tr class="audit-action".*?</summary>', page, re.S)
    [row] = [r for r in rows if f"Okta sync (run #{run.pk})" in r]
    counts = run.counts
    assert f"{counts['users_create']} users created" in row and counts["users_create"] > 1
    assert f"{counts['groups_create']} groups created" in row
    assert f"{counts['memberships_add']} memberships added" in row
    assert f"{written.count()} events" in row
