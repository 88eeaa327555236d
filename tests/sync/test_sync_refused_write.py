"""A row that changes hands between the plan and the write: the directory refuses, the run
fails with a clear message, and the refusal is audited."""

import pytest

from querypie_admin import directory
from querypie_admin.directory import Caller
from querypie_admin.models import AuditEvent, AuthProvider
from sync.engine.runs import execute_run, start_saved_run
from sync.models import RunStatus
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_an_owner_taking_a_row_back_mid_run_stops_the_sync_cleanly(sync_settings, owner):
    ada = UserFactory(login_id="ada@corp.example", first_name="Local Ada")
    directory.hand_over(Caller.command("test"), ada)  # the sync may adopt her by login
    run = start_saved_run("manual", label="test")

    def take_back_when_writing_starts(phase: str, values: dict) -> None:
        if phase == "Writing users" and ada.is_managed_externally:
            directory.take_back(Caller.command("an Owner, meanwhile"), ada)

    finished = execute_run(run.pk, listener=take_back_when_writing_starts)

    assert finished.status == RunStatus.FAILED, finished.message
    assert finished.error.startswith("The directory refused a change: ada@corp.example is a local")
    ada.refresh_from_db()
    assert ada.auth_provider == AuthProvider.QUERYPIE and ada.first_name == "Local Ada"
    assert not ada.links.exists()
    refusal = AuditEvent.objects.get(outcome="failure", target_label__contains="ada")
    assert refusal.detail["source"] == "okta_sync"
