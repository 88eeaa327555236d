"""Each kind of Okta event reaches the console as the sync would write it: created users
and groups, profile and group renames, suspensions, deletions (the sync's release), and
events the console does not subscribe to."""

from __future__ import annotations

import pytest

from event_hooks.models import EventStatus, HookEvent, HookSettings
from okta.models import OktaOrg, Scope
from querypie_admin.models import DirectoryLink, Group, GroupMembership, LinkSource, User


def synced_group(okta_id: str) -> Group | None:
    link = DirectoryLink.objects.filter(source=LinkSource.OKTA_SYNC, external_id=okta_id).first()
    return link.group if link else None


def test_a_new_user_in_a_new_group_is_created_with_the_group_as_the_sync_would(hooked):
    d = hooked.directory
    researchers = d.add_group("Researchers")
    marie = d.add_user("marie@corp.example", first_name="Marie", last_name="Curie")
    d.add_member(researchers.id, marie.id)
    hooked.settle()

    user = hooked.user(marie)
    group = synced_group(researchers.id)
    assert (user.auth_provider, user.first_name, user.is_active) == ("okta", "Marie", True)
    assert group is not None and group.name == "Researchers"
    assert GroupMembership.objects.filter(group=group, user=user).exists()
    assert set(HookEvent.objects.values_list("status", flat=True)) == {EventStatus.APPLIED}


def test_profile_changes_renames_and_suspensions_follow_okta(hooked):
    d, org = hooked.directory, hooked.org
    d.update_user(org.ada.id, lastName="King", mobilePhone="+44 20 0000")
    d.update_group(org.engineers.id, name="Engineering", description="Builds more things")
    d.suspend_user(org.linus.id)
    hooked.settle()

    ada, linus = hooked.user(org.ada), hooked.user(org.linus)
    assert (ada.last_name, ada.mobile_phone) == ("King", "+44 20 0000")
    assert synced_group(org.engineers.id).name == "Engineering"
    assert not linus.is_active

    d.unsuspend_user(org.linus.id)
    hooked.settle()
    assert hooked.user(org.linus).is_active


def test_a_user_deleted_in_okta_is_released_and_deactivated_like_the_sync_does(hooked):
    d, org = hooked.directory, hooked.org
    grace = hooked.user(org.grace)

    d.delete_user(org.grace.id)
    hooked.settle()

    grace.refresh_from_db()
    assert not grace.is_active
    assert not DirectoryLink.objects.filter(user=grace).exists()
    assert not GroupMembership.objects.filter(user=grace).exists()
    event = HookEvent.objects.get(event_type="user.lifecycle.delete.initiated")
    assert "released (deleted in Okta); deactivated" in event.detail


def test_a_group_deleted_in_okta_is_deleted_here(hooked):
    d, org = hooked.directory, hooked.org
    finance = synced_group(org.finance.id)

    d.delete_group(org.finance.id)
    hooked.settle()

    assert not Group.objects.filter(pk=finance.pk).exists()
    assert hooked.user(org.linus).is_active


def test_events_of_types_not_subscribed_are_stored_and_ignored(hooked):
    HookSettings.objects.update(event_types=["user.lifecycle.deactivate"])
    d, org = hooked.directory, hooked.org

    d.update_user(org.ada.id, lastName="King")
    hooked.settle()

    assert hooked.user(org.ada).last_name == "Lovelace"
    event = HookEvent.objects.get(event_type="user.account.update_profile")
    assert event.status == EventStatus.IGNORED
    assert "subscribes" in event.detail


def test_nothing_is_applied_while_synchronization_is_off(hooked):
    OktaOrg.objects.update(enabled=False)
    d, org = hooked.directory, hooked.org

    d.deactivate_user(org.alan.id)
    hooked.settle()

    assert hooked.user(org.alan).is_active
    event = HookEvent.objects.get(event_type="user.lifecycle.deactivate")
    assert event.status == EventStatus.IGNORED and "synchronization is off" in event.detail
    assert User.objects.filter(is_active=False).count() == 0


@pytest.mark.parametrize("sync_scope", [Scope.APP])
def test_in_app_scope_assignment_decides_who_is_here(hooked):
    d, org = hooked.directory, hooked.org
    assert not User.objects.filter(login_id="outsider@corp.example").exists()

    d.assign_user(org.outsider.id)
    d.update_user(org.outsider.id, firstName="Olive")
    hooked.settle()

    outsider = hooked.user(org.outsider)
    assert (outsider.first_name, outsider.is_active) == ("Olive", True)

    d.unassign_user(org.outsider.id)
    d.unassign_user(org.grace.id)  # still assigned through Engineers: she stays
    hooked.settle()

    outsider.refresh_from_db()
    assert not outsider.is_active
    assert not DirectoryLink.objects.filter(user=outsider, source=LinkSource.OKTA_SYNC).exists()
    assert hooked.user(org.grace).is_active


@pytest.mark.parametrize("sync_scope", [Scope.APP])
def test_in_app_scope_a_user_outside_the_app_is_not_created(hooked):
    d = hooked.directory
    stranger = d.add_user("stranger@corp.example")
    d.update_user(stranger.id, firstName="S")
    hooked.settle()

    assert not User.objects.filter(login_id="stranger@corp.example").exists()
    details = set(HookEvent.objects.values_list("detail", flat=True))
    assert details == {"Not in the console (out of scope): nothing to do."}
