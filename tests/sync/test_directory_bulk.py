"""querypie_admin.directory_bulk: batched writes with one summarising audit event per batch."""

from __future__ import annotations

import pytest
from django.db import connection

from querypie_admin import directory_bulk
from querypie_admin.models import AuditEvent, Group, GroupMembership, User
from sync.engine.runs import start_saved_run
from sync.models import RunStatus, SyncRun

pytestmark = pytest.mark.django_db


def write_five_users_into_a_group() -> tuple[list[tuple[int, str]], int]:
    rows = [{"login_id": f"u{n}@corp.example", "auth_provider": "okta", "external_id": f"00u{n}"}
            for n in range(5)]  # fmt: skip
    created = directory_bulk.create_users("Okta sync (test)", rows)
    group = Group.objects.create(name="G", auth_provider="okta")
    pairs = [(group.pk, pk) for pk, _ in created]
    added, _ = directory_bulk.change_memberships("Okta sync (test)", pairs, [])
    return created, added


@pytest.mark.parametrize("vendor", ["postgresql", "sqlite"])  # sqlite: the bulk_create path
def test_bulk_create_users_and_memberships_audit_once_per_batch(monkeypatch, vendor):
    monkeypatch.setattr(directory_bulk, "BATCH", 3)
    with monkeypatch.context() as patch:
        patch.setattr(connection, "vendor", vendor)
        created, added = write_five_users_into_a_group()

    assert [external_id for _, external_id in created] == [f"00u{n}" for n in range(5)]
    user = User.objects.get(login_id="u0@corp.example")
    assert not user.has_usable_password() and user.role == "user" and user.is_active
    assert added == 5 and GroupMembership.objects.filter(group__name="G").count() == 5
    events = AuditEvent.objects.filter(actor_label="Okta sync (test)").order_by("id")
    assert [(e.action, e.detail["count"]) for e in events] == [
        ("user.bulk_created", 3), ("user.bulk_created", 2),
        ("group.members_bulk_added", 3), ("group.members_bulk_added", 2),
    ]  # fmt: skip


def test_a_stale_run_does_not_block_the_next_one(sync_settings):
    from datetime import timedelta

    from django.utils import timezone

    stuck = start_saved_run("manual", label="worker that died")
    SyncRun.objects.filter(pk=stuck.pk).update(
        status=RunStatus.RUNNING, heartbeat_at=timezone.now() - timedelta(minutes=20)
    )

    start_saved_run("manual", label="next")

    stuck.refresh_from_db()
    assert stuck.status == RunStatus.FAILED and "stopped responding" in stuck.error
