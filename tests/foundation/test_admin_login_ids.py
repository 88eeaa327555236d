"""No integration changes the login ID of an Owner or a System Admin (directory.rules
.hold_admin_logins): per row and in a batch, whichever integration asks."""

import pytest

from querypie_admin.directory import (
    Caller,
    DirectoryConflict,
    Refused,
    accept_login_id,
    batch,
    update_user,
)
from querypie_admin.models import AuditEvent, LinkSource, PendingLoginId, Role, User
from tests.factories import okta_user

pytestmark = pytest.mark.django_db
INTEGRATIONS = [
    Caller.scim(),
    Caller.okta_sync(),
    Caller.okta_sync("Okta Event Hooks"),
    Caller.saml(),
]


@pytest.mark.parametrize("caller", INTEGRATIONS, ids=lambda c: c.actor)
@pytest.mark.parametrize("role", [Role.OWNER, Role.SYSTEM_ADMIN])
def test_no_integration_renames_an_administrator(caller, role):
    admin = okta_user(caller.link_source, login_id="ops@corp.example", role=role)

    changed = update_user(caller, admin, {"login_id": "x@corp.example", "first_name": "Op"})

    assert changed == ["first_name"]
    admin.refresh_from_db()
    assert (admin.login_id, admin.first_name) == ("ops@corp.example", "Op")
    assert PendingLoginId.objects.get(user=admin).login_id == "x@corp.example"
    event = AuditEvent.objects.get(outcome="failure")
    assert (event.action, event.detail["asked_login_id"]) == ("user.updated", "x@corp.example")


def test_the_same_ask_again_is_audited_once_and_the_current_login_clears_it():
    admin = okta_user(LinkSource.SCIM, login_id="ops@corp.example", role=Role.SYSTEM_ADMIN)
    for _ in range(2):
        update_user(Caller.scim(), admin, {"login_id": "x@corp.example"})
    assert AuditEvent.objects.filter(outcome="failure").count() == 1

    update_user(Caller.scim(), admin, {"login_id": "ops@corp.example"})

    assert not PendingLoginId.objects.exists()


def test_a_sync_batch_keeps_an_administrators_login_and_writes_the_rest():
    admin = okta_user(LinkSource.OKTA_SYNC, login_id="ops@corp.example", role=Role.OWNER)
    person = okta_user(LinkSource.OKTA_SYNC, login_id="ann@corp.example")
    changes = [
        (admin.pk, admin.login_id, {"login_id": "x@corp.example", "last_name": "A"}),
        (person.pk, person.login_id, {"login_id": "an@corp.example", "last_name": "B"}),
    ]

    batch.update_users(Caller.okta_sync(), changes)

    assert User.objects.get(pk=admin.pk).login_id == "ops@corp.example"
    assert User.objects.get(pk=admin.pk).last_name == "A"
    assert User.objects.get(pk=person.pk).login_id == "an@corp.example"
    assert PendingLoginId.objects.get().user_id == admin.pk


def test_accepting_needs_an_owner_and_a_free_login(owner, system_admin):
    admin = okta_user(LinkSource.SCIM, login_id="ops@corp.example", role=Role.SYSTEM_ADMIN)
    update_user(Caller.scim(), admin, {"login_id": owner.login_id})
    pending = PendingLoginId.objects.get()

    with pytest.raises(Refused, match="Only an Owner"):
        accept_login_id(Caller("console", system_admin), admin, pending.pk)
    with pytest.raises(DirectoryConflict):
        accept_login_id(Caller("console", owner), admin, pending.pk)

    assert User.objects.get(pk=admin.pk).login_id == "ops@corp.example"
    assert PendingLoginId.objects.filter(pk=pending.pk).exists()
