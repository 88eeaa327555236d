"""The Okta sync changes only what it links: SCIM users and local accounts are out of its reach.

Each test sets up the rows as SCIM or an administrator left them, runs the sync against the
fake Okta over HTTP, and checks the directory (and the audit log) afterwards.
"""

from __future__ import annotations

import pytest

from okta.models import OktaOrg
from querypie_admin import directory
from querypie_admin.models import AuditEvent, Group, GroupMembership, LinkSource, User
from sync.models import RunKind, RunStatus
from tests.factories import okta_group, okta_user
from tests.sync.writes import directory_writes, sync_link, synced

pytestmark = pytest.mark.django_db


def scim_pushed(okta, **fields) -> User:
    """The user as SCIM provisioning created it: a SCIM link with Okta's user id."""
    login = okta.profile["login"]
    return okta_user(LinkSource.SCIM, external_id=okta.id, login_id=login, **fields)


def sources(row: User | Group) -> set[str]:
    return set(row.links.values_list("source", flat=True))


def members(name: str) -> set[str]:
    return set(Group.objects.get(name=name).members.values_list("login_id", flat=True))


def test_first_sync_does_not_deactivate_a_scim_user_its_listing_lacks(run_sync):
    pushed = okta_user(LinkSource.SCIM, external_id="00u-scim-only", login_id="sam@corp.example")

    run = run_sync()

    assert run.status == RunStatus.SUCCEEDED, run.message
    pushed.refresh_from_db()
    assert pushed.is_active and sources(pushed) == {"scim"}
    assert run.counts["users_deactivate"] == 0 and run.counts["users_release"] == 0


def test_scim_user_the_listing_has_gets_a_sync_link_beside_its_scim_link(run_sync, org):
    ada = scim_pushed(org.ada, first_name="Ada (from SCIM)")

    run = run_sync()

    assert run.counts["users_link"] == 1 and run.counts["users_create"] == 4
    assert run.samples["users_link"] == ["ada@corp.example"]
    ada.refresh_from_db()
    assert sources(ada) == {"scim", "okta_sync"} and synced(org.ada).pk == ada.pk
    assert ada.first_name == "Ada" and ada.links.get(source="scim").external_id == org.ada.id
    assert members("Finance") == {"ada@corp.example", "linus@corp.example"}
    with directory_writes() as writes:  # linked once: the next run has nothing to write
        again = run_sync()
    assert writes == [] and set(again.counts.values()) == {0}


def test_scim_user_with_another_external_id_is_adopted_by_login_id(run_sync, org):
    alan = okta_user(LinkSource.SCIM, external_id="hr-4711", login_id="ALAN@corp.example")

    run_sync()

    assert synced(org.alan).pk == alan.pk
    assert alan.links.get(source="scim").external_id == "hr-4711"


def test_local_account_with_a_listed_login_is_a_conflict_until_an_owner_hands_it_over(
    run_sync, org, user_factory
):
    local = user_factory(login_id="grace@corp.example", first_name="Local Grace")

    run = run_sync()

    local.refresh_from_db()
    assert (local.auth_provider, local.first_name, sources(local)) == ("querypie", "Local Grace",
                                                                       set())  # fmt: skip
    assert [c["name"] for c in run.conflicts] == ["grace@corp.example"]
    assert "belongs to a local account; an Owner must hand it over" in run.conflicts[0]["reason"]

    directory.hand_over(directory.Caller.command("test"), local)
    run = run_sync()

    assert run.conflicts == [] and run.counts["users_link"] == 1
    local.refresh_from_db()
    assert sources(local) == {"okta_sync"} and local.first_name == "Grace"
    assert "grace@corp.example" in members("Engineers")


def test_empty_group_listing_is_held_and_counts_every_membership_that_would_go(run_sync, org):
    run_sync()
    for group in (org.engineers, org.finance):  # Okta's group listing now comes back empty
        org.directory.delete_group(group.id)

    with directory_writes() as writes:
        run = run_sync()

    assert run.status == RunStatus.NEEDS_CONFIRMATION
    assert run.counts["groups_delete"] == 2 and run.counts["memberships_remove"] == 5
    assert "delete 2 of 2 synced groups (100%)" in run.message
    assert "remove 5 of 5 synced memberships (100%)" in run.message
    assert run.message.endswith("Nothing was written; confirm to proceed.")
    assert writes == []
    assert Group.objects.count() == 2 and GroupMembership.objects.count() == 5


def test_what_the_plan_says_is_exactly_what_is_written(run_sync, org):
    OktaOrg.objects.update(deactivation_threshold=100)
    run_sync()
    org.directory.delete_group(org.engineers.id)  # 3 memberships go with it
    org.directory.remove_member(org.finance.id, org.linus.id)
    org.directory.add_member(org.finance.id, org.grace.id)
    before = GroupMembership.objects.count()

    dry = run_sync(RunKind.DRY_RUN)
    run = run_sync()

    assert dry.counts == run.counts
    assert (run.counts["memberships_remove"], run.counts["memberships_add"]) == (4, 1)
    after = GroupMembership.objects.count()
    assert after == before - run.counts["memberships_remove"] + run.counts["memberships_add"]
    assert members("Finance") == {"ada@corp.example", "grace@corp.example"}


def test_scim_only_and_local_members_of_a_shared_group_are_left_alone(run_sync, org, user_factory):
    engineers = okta_group(LinkSource.SCIM, name="Engineers")
    pushed = okta_user(LinkSource.SCIM, external_id="00u-scim-only", login_id="sam@corp.example")
    local = user_factory(login_id="lee@corp.example")
    engineers.members.add(pushed, local)

    run = run_sync()

    assert run.counts["groups_link"] == 1 and run.counts["memberships_remove"] == 0
    assert sources(Group.objects.get(pk=engineers.pk)) == {"scim", "okta_sync"}
    assert members("Engineers") == {"ada@corp.example", "alan@corp.example",
                                    "grace@corp.example", "sam@corp.example",
                                    "lee@corp.example"}  # fmt: skip


def test_absence_releases_a_shared_users_sync_link_and_keeps_it_active(run_sync, org):
    grace = scim_pushed(org.grace)
    run_sync()
    org.directory.delete_user(org.grace.id)

    run = run_sync()

    grace.refresh_from_db()
    assert grace.is_active and sources(grace) == {"scim"}
    assert run.counts["users_release"] == 1 and run.counts["users_deactivate"] == 0
    assert "grace@corp.example" not in members("Engineers")  # the sync's group follows Okta


def test_absence_deactivates_a_user_that_only_signed_in_with_saml_besides_the_sync(run_sync):
    OktaOrg.objects.update(deactivation_threshold=100)  # the only synced user goes
    gone = okta_user(LinkSource.SAML, LinkSource.OKTA_SYNC, external_id="00u-left",
                     login_id="left@corp.example")  # fmt: skip

    run = run_sync()

    gone.refresh_from_db()
    assert not gone.is_active and sources(gone) == {"saml"}
    assert run.counts["users_deactivate"] == 1 and run.samples["users_deactivate"] == [
        "left@corp.example"
    ]


def test_suspension_in_okta_deactivates_even_a_shared_user(run_sync, org):
    linus = scim_pushed(org.linus)
    run_sync()
    org.directory.suspend_user(org.linus.id)

    run = run_sync()

    linus.refresh_from_db()
    assert not linus.is_active and sources(linus) == {"scim", "okta_sync"}
    assert run.counts["users_deactivate"] == 1 and run.counts["users_release"] == 0
    assert sync_link(linus).attributes["status"] == "SUSPENDED"


def test_deactivation_in_okta_deactivates_even_a_shared_user(run_sync, org):
    alan = scim_pushed(org.alan)
    run_sync()
    org.directory.deactivate_user(org.alan.id)

    run_sync()

    alan.refresh_from_db()
    assert not alan.is_active and sources(alan) == {"scim", "okta_sync"}
    assert "alan@corp.example" not in members("Engineers")


def test_absent_shared_group_is_released_not_deleted(run_sync, org):
    finance = okta_group(LinkSource.SCIM, name="Finance")
    run_sync()
    org.directory.delete_group(org.finance.id)

    run = run_sync()

    assert run.counts["groups_release"] == 1 and run.counts["groups_delete"] == 0
    assert sources(Group.objects.get(pk=finance.pk)) == {"scim"}


def test_a_value_the_directory_refuses_is_a_conflict_for_that_user_only(run_sync, org):
    org.directory.update_user(org.alan.id, secondEmail="not an email")

    run = run_sync()

    assert run.status == RunStatus.SUCCEEDED, run.error
    assert not User.objects.filter(login_id="alan@corp.example").exists()
    assert [(c["name"], c["reason"]) for c in run.conflicts] == [(
        "alan@corp.example",
        "Okta sent a value the directory refuses: 'not an email' is not a valid email "
        "address; not created",
    )]  # fmt: skip
    assert run.counts["users_create"] == 4 and members("Engineers") == {
        "ada@corp.example", "grace@corp.example"
    }  # fmt: skip


def test_a_refused_value_leaves_that_field_of_a_known_user_unchanged(run_sync, org):
    run_sync()
    org.directory.update_user(org.ada.id, email="ada at corp", lastName="King")

    run = run_sync()

    ada = synced(org.ada)
    assert (ada.email, ada.last_name) == ("ada@corp.example", "King")
    assert sync_link(ada).attributes["email"] == "ada at corp"  # what Okta sent
    assert "that field left unchanged" in run.conflicts[0]["reason"]


def test_audit_log_names_the_sync_as_the_source_of_each_change(run_sync, org):
    scim_pushed(org.ada)
    scim_pushed(org.grace)
    run_sync()
    org.directory.delete_user(org.grace.id)
    org.directory.suspend_user(org.ada.id)

    run_sync()

    events = AuditEvent.objects.filter(actor_label__startswith="Okta sync")
    actions = set(events.values_list("action", flat=True))
    assert {"user.created", "user.linked", "user.deactivated", "user.link_released",
            "group.created", "group.members_added", "group.members_removed"} <= actions  # fmt: skip
    assert {event.detail["source"] for event in events} == {"okta_sync"}
    linked = events.get(action="user.linked")
    assert sorted(linked.detail["sample"]) == ["ada@corp.example", "grace@corp.example"]
