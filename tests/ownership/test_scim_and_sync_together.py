"""SCIM provisioning and the Okta API sync enabled together on one Okta org, for a full
cycle: push, sync, suspend, unassign, delete in Okta. Nobody is deactivated or deleted by a
source that does not own them, and the audit log tells which source made each change.

Okta's SCIM client is played by the test (the requests docs/SCIM.md lists); the sync reads the
fake Okta over HTTP. The guard is set to 100% here: the guard has its own tests, this one is
about who owns what.
"""

import pytest

from okta.models import OktaOrg, Scope
from querypie_admin.models import AuditEvent, Group, User
from sync.models import RunStatus
from tests.scim.conftest import GROUP_SCHEMA, user_body

pytestmark = pytest.mark.django_db


def push_user(scim, okta) -> str:
    """Okta assigns a user to the app: SCIM POST /Users with its Okta id as externalId."""
    login = okta.profile["login"]
    body = user_body(login, externalId=okta.id, name={"givenName": okta.profile["firstName"]})
    response = scim.post("/Users", body)
    assert response.status_code == 201, response.json()
    return response.json()["id"]


def push_group(scim, name: str, member_ids: list[str]) -> str:
    body = {"schemas": [GROUP_SCHEMA], "displayName": name, "members": []}
    body["members"] = [{"value": pk} for pk in member_ids]
    response = scim.post("/Groups", body)
    assert response.status_code == 201, response.json()
    return response.json()["id"]


def deactivate_by_scim(scim, scim_id: str) -> None:
    operation = {"op": "replace", "value": {"active": False}}
    assert scim.patch(f"/Users/{scim_id}", operation).status_code == 200


def synchronize(run_sync):
    run = run_sync()
    assert run.status == RunStatus.SUCCEEDED, run.message or run.error
    return run


def state(login: str) -> tuple[bool, set[str]]:
    user = User.objects.get(login_id=login)
    return user.is_active, set(user.links.values_list("source", flat=True))


def deactivated_by() -> dict[str, str]:
    """login -> the source that deactivated it, from the audit log (per row or batch)."""
    found = {}
    for event in AuditEvent.objects.filter(action="user.deactivated", outcome="success"):
        for login in event.detail.get("sample") or [event.target_label]:
            found[login] = event.detail["source"]
    return found


def test_scim_and_the_sync_each_change_only_what_they_own(scim, run_sync, org, sync_settings):
    OktaOrg.objects.update(scope=Scope.APP, deactivation_threshold=100)
    d = org.directory
    ada_id, alan_id = push_user(scim, org.ada), push_user(scim, org.alan)
    push_group(scim, "Engineers", [ada_id, alan_id])

    # The first sync adopts what SCIM pushed (links beside SCIM's) and adds the rest.
    synchronize(run_sync)
    assert state("ada@corp.example") == (True, {"scim", "okta_sync"})
    assert state("grace@corp.example") == (True, {"okta_sync"})
    engineers = Group.objects.get(name="Engineers")
    assert set(engineers.links.values_list("source", flat=True)) == {"scim", "okta_sync"}
    assert User.objects.filter(is_active=False).count() == 0

    # Suspended in Okta: SCIM says so for Alan, the sync's listing says so for Grace.
    d.suspend_user(org.alan.id)
    deactivate_by_scim(scim, alan_id)
    d.suspend_user(org.grace.id)
    synchronize(run_sync)
    assert state("alan@corp.example")[0] is False and state("grace@corp.example")[0] is False

    # Ada unassigned from the app (and so out of its groups): the sync only lets go of her;
    # SCIM still manages her, and she stays in the group SCIM manages too until SCIM says.
    d.remove_member(org.engineers.id, org.ada.id)
    d.remove_member(org.finance.id, org.ada.id)
    d.unassign_user(org.ada.id)
    synchronize(run_sync)
    assert state("ada@corp.example") == (True, {"scim"})
    assert engineers.members.filter(login_id="ada@corp.example").exists()
    deactivate_by_scim(scim, ada_id)
    assert state("ada@corp.example") == (False, {"scim"})

    # Linus deleted in Okta: only the sync managed him, so its release deactivates him.
    d.delete_user(org.linus.id)
    synchronize(run_sync)
    assert state("linus@corp.example") == (False, set())

    # Okta drops Finance (the sync's alone) and Engineers from the app: Finance is deleted,
    # Engineers only loses the sync's link (SCIM still manages it).
    d.unassign_group(org.finance.id)
    d.unassign_group(org.engineers.id)
    synchronize(run_sync)
    assert not Group.objects.filter(name="Finance").exists()
    assert set(engineers.links.values_list("source", flat=True)) == {"scim"}

    assert deactivated_by() == {
        "alan@corp.example": "scim",
        "grace@corp.example": "okta_sync",
        "ada@corp.example": "scim",
        "linus@corp.example": "okta_sync",
    }
    deletions = AuditEvent.objects.filter(action="group.deleted")
    assert [(e.detail["source"], e.detail["sample"]) for e in deletions] == [
        ("okta_sync", ["Finance"])
    ]
