"""Okta group → console role in the Okta API sync: the mapped group's Okta id, never its name,
grants the role on the next sync; leaving it demotes and ends the session; a run promoting
too many users at once is held, and its confirmation is bound to the promotions it showed."""

from __future__ import annotations

import io
import json
import time
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from okta.models import OktaOrg, Scope
from querypie_admin import directory
from querypie_admin.directory import Caller, roles
from querypie_admin.models import (
    AuditEvent,
    Group,
    GroupMembership,
    LinkSource,
    Role,
    RoleMapping,
    RoleSource,
    User,
)
from sync.engine.runs import execute_run, start_saved_run
from sync.models import RunKind, RunMode, RunStatus, SyncRun, SyncSettings
from tests.factories import UserFactory, okta_group
from tests.sync.writes import directory_writes
from tests.sync.writes import synced as okta_user

pytestmark = pytest.mark.django_db
ADMIN_PAGE = "/administrator/users/"
ADMIN_API = "/api/v1/users/"


@pytest.fixture
def admins(org, owner):
    """An Okta group "Admins" mapped, by its Okta id, to System Admin (a local Owner exists)."""
    group = org.directory.add_group("Admins")
    RoleMapping.objects.create(
        okta_group_id=group.id, role=Role.SYSTEM_ADMIN, group_name=group.name
    )
    return group


def role_of(okta) -> tuple[str, str, list[str]]:
    user = okta_user(okta)
    return user.role, user.role_source, user.role_groups


def settle() -> None:
    """As if the last run read five minutes from now: only what changes next is "since"."""
    SyncSettings.objects.update(last_sync_read_at=timezone.now() + timedelta(minutes=5))
    time.sleep(0.01)  # Okta's timestamps have millisecond precision and "gt" is strict


def issue_token(login_id: str) -> dict[str, str]:
    out = io.StringIO()
    call_command("api_token", "create", "--login-id", login_id, stdout=out)
    return {"HTTP_AUTHORIZATION": f"Bearer {out.getvalue().strip().splitlines()[-1]}"}


def test_members_of_the_mapped_group_are_created_with_the_role(run_sync, org, admins):
    org.directory.add_member(admins.id, org.ada.id)

    run = run_sync()

    assert run.status == RunStatus.SUCCEEDED, run.error or run.message
    assert role_of(org.ada) == (Role.SYSTEM_ADMIN, RoleSource.MAPPING, [admins.id])
    assert role_of(org.alan) == (Role.USER, RoleSource.MANUAL, [])
    assert run.counts["roles_promote"] == 1
    assert run.samples["roles_promote"] == [
        f"ada@corp.example: User → System Admin (Admins {admins.id})"
    ]
    event = AuditEvent.objects.get(action="user.role_changed")
    assert event.target_id == str(okta_user(org.ada).pk)
    assert event.detail["run"] == run.pk and event.detail["okta_groups"] == [admins.id]


def test_members_of_the_mapped_id_get_the_role_on_the_next_sync(run_sync, org, admins):
    run_sync()
    org.directory.add_member(admins.id, org.alan.id)
    org.directory.add_member(admins.id, org.grace.id)

    run = run_sync()

    assert role_of(org.alan)[0] == role_of(org.grace)[0] == Role.SYSTEM_ADMIN
    assert run.counts["roles_promote"] == 2 and role_of(org.ada)[0] == Role.USER


def test_a_repeated_run_changes_no_role_and_writes_nothing(run_sync, org, admins):
    org.directory.add_member(admins.id, org.ada.id)
    run_sync()

    with directory_writes() as writes:
        again = run_sync()

    assert writes == [] and again.counts["roles_promote"] == 0
    assert role_of(org.ada)[0] == Role.SYSTEM_ADMIN


def test_a_renamed_group_and_a_new_group_with_the_old_name_grant_nothing(
    admin_client, run_sync, org, admins
):
    org.directory.add_member(admins.id, org.ada.id)
    run_sync()
    org.directory.update_group(admins.id, name="Former admins")
    impostor = org.directory.add_group("Admins")
    org.directory.add_member(impostor.id, org.grace.id)

    dry = run_sync(RunKind.DRY_RUN)
    run_sync()
    run_sync()  # the new "Admins" can be created once the old one has its new name

    renamed = f"Mapped group {admins.id} renamed in Okta: Admins → Former admins"
    assert dry.samples["roles_renamed"] == [f"{renamed} (still grants System Admin)"]
    assert renamed in admin_client.get(reverse("okta_sync_run", args=[dry.pk])).content.decode()
    grace = okta_user(org.grace)
    assert grace.member_of.filter(name="Admins").exists()
    assert (grace.role, grace.role_source) == (Role.USER, RoleSource.MANUAL)
    assert role_of(org.ada) == (Role.SYSTEM_ADMIN, RoleSource.MAPPING, [admins.id])
    assert RoleMapping.objects.get().group_name == "Former admins"
    assert AuditEvent.objects.filter(action="role_mapping.group_renamed").count() == 1


def test_removal_from_the_group_demotes_and_ends_the_session(client, run_sync, org, admins):
    org.directory.add_member(admins.id, org.ada.id)
    run_sync()
    ada = okta_user(org.ada)
    client.force_login(ada)
    token = issue_token(ada.login_id)
    assert client.get(ADMIN_PAGE).status_code == 200
    assert client.get(ADMIN_API, **token).status_code == 200

    org.directory.remove_member(admins.id, org.ada.id)
    run = run_sync()

    assert role_of(org.ada) == (Role.USER, RoleSource.MANUAL, [])
    assert run.counts["roles_demote"] == 1
    assert run.samples["roles_demote"] == [
        "ada@corp.example: System Admin → User (in no mapped group)"
    ]
    response = client.get(ADMIN_PAGE)
    assert response.status_code == 302 and "/login" in response["Location"]
    assert client.get(ADMIN_API, **token).status_code == 403


@pytest.fixture
def fifty(run_sync, org, admins):
    """Fifty more people in Okta, synced as Users; then Okta puts them all in Admins."""
    people = [org.directory.add_user(f"person{n:02}@corp.example") for n in range(50)]
    assert run_sync().status == RunStatus.SUCCEEDED
    for person in people:
        org.directory.add_member(admins.id, person.id)
    return people


def admins_here() -> set[str]:
    users = User.objects.filter(role=Role.SYSTEM_ADMIN)
    return set(users.values_list("login_id", flat=True))


def test_a_run_promoting_50_users_is_held_with_those_users(admin_client, run_sync, fifty):
    run = run_sync()

    assert run.status == RunStatus.NEEDS_CONFIRMATION
    assert run.message.startswith(
        "This run would promote 50 users to an administrator role, more than the 10 allowed "
        "at once."
    )
    assert admins_here() == set()
    assert run.held_changes["roles_promote"] == sorted(okta_user(p).pk for p in fifty)
    page = admin_client.get(reverse("okta_sync_run", args=[run.pk])).content.decode()
    assert "Held changes: 0 users deactivated, 0 groups deleted, 0 memberships removed, " \
           "50 users promoted to an administrator role" in page  # fmt: skip
    assert "promote 50 users to an administrator role</button>" in page
    assert "Would promote to an administrator role" in page


def test_confirming_the_held_promotions_writes_exactly_those(run_sync, fifty):
    held = run_sync()

    done = run_sync(allow=True)

    assert done.status == RunStatus.SUCCEEDED and done.confirms == held
    assert done.counts["roles_promote"] == 50
    assert admins_here() == {f"person{n:02}@corp.example" for n in range(50)}


def test_a_confirmation_after_okta_added_more_promotions_is_held_again(
    run_sync, org, admins, fifty
):
    held = run_sync()
    org.directory.add_member(admins.id, org.ada.id)

    again = run_sync(allow=True)

    assert again.status == RunStatus.NEEDS_CONFIRMATION and again.confirms == held
    assert f"Okta changed since the plan confirmed in run #{held.pk}" in again.message
    assert "1 more user promoted to an administrator role" in again.message
    assert admins_here() == set()
    assert run_sync(allow=True).status == RunStatus.SUCCEEDED
    assert len(admins_here()) == 51


def test_dry_run_lists_role_changes_and_writes_nothing(admin_client, run_sync, org, admins):
    run_sync()
    org.directory.add_member(admins.id, org.ada.id)

    with directory_writes() as writes:
        dry = run_sync(RunKind.DRY_RUN)

    assert dry.counts["roles_promote"] == 1 and role_of(org.ada)[0] == Role.USER
    assert writes == []
    assert not AuditEvent.objects.filter(action="user.role_changed").exists()
    page = admin_client.get(reverse("okta_sync_run", args=[dry.pk])).content.decode()
    assert "Would promote to an administrator role" in page
    assert f"ada@corp.example: User → System Admin (Admins {admins.id})" in page


def test_the_command_prints_the_role_changes_before_its_json(run_sync, org, admins):
    run_sync()
    org.directory.add_member(admins.id, org.ada.id)
    out = io.StringIO()

    call_command("okta_sync", "run", "--dry-run", stdout=out, stderr=io.StringIO())

    *lines, last = out.getvalue().strip().splitlines()
    assert json.loads(last)["counts"]["roles_promote"] == 1
    assert lines == [
        "Would promote to an administrator role: "
        f"ada@corp.example: User → System Admin (Admins {admins.id})"
    ]


def test_a_hand_set_owner_is_untouched_and_the_refusal_audited(run_sync, org, admins):
    run_sync()
    User.objects.filter(login_id="ada@corp.example").update(role=Role.OWNER)  # set by hand
    org.directory.add_member(admins.id, org.ada.id)

    dry = run_sync(RunKind.DRY_RUN)
    run = run_sync()

    assert role_of(org.ada) == (Role.OWNER, RoleSource.MANUAL, [])
    reason = "An Owner set by hand is changed only by an Owner."
    for shown in (dry, run):
        assert shown.counts["roles_change"] == 0
        assert {"kind": "role", "okta_id": "", "name": "ada@corp.example",
                "reason": reason} in shown.conflicts  # fmt: skip
    refusal = AuditEvent.objects.get(action="user.role_changed")
    assert refusal.outcome == "failure" and refusal.target_id == str(okta_user(org.ada).pk)


def test_local_accounts_in_mapped_groups_are_untouched(run_sync, org, admins):
    local_ada = UserFactory(login_id="ada@corp.example")  # the sync may not take it over
    org.directory.add_member(admins.id, org.ada.id)
    run_sync()
    member = UserFactory(login_id="local@corp.example")
    GroupMembership.objects.create(user=member, group=Group.objects.get(name="Admins"))

    run = run_sync()

    for local in (local_ada, member):
        local.refresh_from_db()
        assert (local.role, local.role_source) == (Role.USER, RoleSource.MANUAL)
    assert run.counts["roles_promote"] == 0


def test_incremental_runs_promote_and_demote(run_sync, org, admins):
    OktaOrg.objects.update(deactivation_threshold=100)  # one removal is all Admins has
    assert run_sync().status == RunStatus.SUCCEEDED
    settle()
    org.directory.add_member(admins.id, org.alan.id)

    promoted = run_sync(RunKind.SCHEDULED, full=False)
    settle()
    assert promoted.mode == RunMode.INCREMENTAL
    assert role_of(org.alan)[0] == Role.SYSTEM_ADMIN
    org.directory.remove_member(admins.id, org.alan.id)
    demoted = run_sync(RunKind.SCHEDULED, full=False)

    assert (demoted.status, demoted.mode) == (RunStatus.SUCCEEDED, RunMode.INCREMENTAL)
    assert demoted.counts["roles_demote"] == 1
    assert role_of(org.alan) == (Role.USER, RoleSource.MANUAL, [])


def test_a_mapped_group_outside_the_sync_scope_grants_by_its_stored_members(run_sync, org, owner):
    """App scope: the mapped group is not assigned to the QueryPie app and SCIM manages it;
    the sync decides by the members stored here, so it neither ignores nor undoes them."""
    OktaOrg.objects.update(scope=Scope.APP)
    run_sync()
    okta_id = "00gscimadmins00000001"
    scim_admins = okta_group(LinkSource.SCIM, external_id=okta_id, name="SCIM admins")
    RoleMapping.objects.create(okta_group_id=okta_id, role=Role.SYSTEM_ADMIN)
    GroupMembership.objects.create(user=okta_user(org.ada), group=scim_admins)

    first, second = run_sync(), run_sync()

    assert role_of(org.ada) == (Role.SYSTEM_ADMIN, RoleSource.MAPPING, [okta_id])
    assert first.counts["roles_promote"] == 1 and second.counts["roles_demote"] == 0


def test_a_scim_push_while_the_sync_writes_is_not_undone(run_sync, org, admins):
    """Okta took Ada out of Admins (the plan demotes her); while the sync writes, SCIM puts
    her in another mapped group. Deciding again from what is stored keeps her role."""
    OktaOrg.objects.update(deactivation_threshold=100)
    org.directory.add_member(admins.id, org.ada.id)
    run_sync()
    okta_id = "00gscimadmins00000001"
    scim_admins = okta_group(LinkSource.SCIM, external_id=okta_id, name="SCIM admins")
    RoleMapping.objects.create(okta_group_id=okta_id, role=Role.SYSTEM_ADMIN)
    org.directory.remove_member(admins.id, org.ada.id)

    def scim_push(phase: str, _values: dict) -> None:
        if phase == "Writing memberships" and not scim_admins.members.exists():
            ada, scim = okta_user(org.ada), Caller.scim()
            directory.add_members(scim, scim_admins, [ada])
            roles.apply_from_directory(scim, [ada.pk])

    run = execute_run(start_saved_run(RunKind.MANUAL, label="test").pk, listener=scim_push)

    assert run.status == RunStatus.SUCCEEDED and scim_admins.members.exists()
    assert role_of(org.ada) == (Role.SYSTEM_ADMIN, RoleSource.MAPPING, [okta_id])


def test_a_system_admin_cannot_confirm_held_promotions(client, system_admin, run_sync, fifty):
    """A System Admin who could confirm promotions could confirm their own: Owners only."""
    held = run_sync()
    client.force_login(system_admin)

    response = client.post(reverse("okta_sync_confirm", args=[held.pk]))

    assert response.status_code == 403
    refusal = "Only an Owner can confirm a synchronization that promotes anyone."
    assert refusal in response.content.decode()
    assert not SyncRun.objects.filter(confirms=held).exists()
    assert admins_here() == {system_admin.login_id}
    event = AuditEvent.objects.get(action="okta_sync.run_confirmed")
    assert (event.outcome, event.actor_label, event.detail["reason"]) == (
        "failure",
        system_admin.login_id,
        refusal,
    )


def test_an_owner_confirms_held_promotions_from_the_run_page(admin_client, run_sync, fifty):
    held = run_sync()
    response = admin_client.post(reverse("okta_sync_confirm", args=[held.pk]))
    confirming = SyncRun.objects.get(confirms=held)
    assert response["Location"] == reverse("okta_sync_run", args=[confirming.pk])
