"""A mapping change that would promote more users to an administrator role than the threshold
waits for the Owner's confirmation of the list it shows; a changed list asks again."""

import re

import pytest

from querypie_admin.directory import Caller, role_mappings
from querypie_admin.models import (
    AuditEvent,
    GroupMembership,
    LinkSource,
    Role,
    RoleMapping,
    RoleMappingSettings,
    User,
)
from tests.factories import okta_group, okta_user

from .conftest import ENGINEERS_ID, post_mapping

pytestmark = pytest.mark.django_db
COMMAND = Caller.command("test")


@pytest.fixture
def engineers(db):
    """An Okta group of 12 users, known by the sync; the threshold is 10 (the default)."""
    group = okta_group(LinkSource.OKTA_SYNC, external_id=ENGINEERS_ID, name="Engineers")
    for n in range(12):
        user = okta_user(LinkSource.OKTA_SYNC, login_id=f"eng{n:02d}@corp.example")
        GroupMembership.objects.create(user=user, group=group)
    return group


def admins_count() -> int:
    return User.objects.filter(role=Role.SYSTEM_ADMIN).count()


def confirmation(page: str) -> str:
    return re.search(r'name="confirm_promotions" value="([0-9a-f]+)"', page).group(1)


def test_a_mapping_promoting_more_than_the_threshold_is_held_until_confirmed(as_owner, engineers):
    add = {"okta_group_id": ENGINEERS_ID, "role": Role.SYSTEM_ADMIN, "group_name": ""}
    response = post_mapping(as_owner, "mapping_add", **add)

    assert response.status_code == 200
    page = response.content.decode()
    assert "This would promote 12 users to System Admin: eng00@corp.example" in page
    assert "more than the promotion threshold (10)" in page
    assert not RoleMapping.objects.exists() and admins_count() == 0
    assert not AuditEvent.objects.filter(action="user.role_changed").exists()

    response = post_mapping(as_owner, "mapping_add", **add, confirm_promotions=confirmation(page))

    assert response.status_code == 302
    assert RoleMapping.objects.get().okta_group_id == ENGINEERS_ID
    assert admins_count() == 12


def test_a_confirmation_is_bound_to_the_users_it_showed(as_owner, engineers):
    add = {"okta_group_id": ENGINEERS_ID, "role": Role.SYSTEM_ADMIN, "group_name": ""}
    shown = confirmation(post_mapping(as_owner, "mapping_add", **add).content.decode())
    late = okta_user(LinkSource.OKTA_SYNC, login_id="late@corp.example")
    GroupMembership.objects.create(user=late, group=engineers)  # Okta added one meanwhile

    response = post_mapping(as_owner, "mapping_add", **add, confirm_promotions=shown)

    assert response.status_code == 200
    page = response.content.decode()
    assert "This would promote 13 users to System Admin" in page and "late@corp.example" in page
    assert "Who this change promotes changed: confirm the new list." in page
    assert confirmation(page) != shown
    assert not RoleMapping.objects.exists() and admins_count() == 0


def test_promotions_within_the_threshold_are_applied_at_once(as_owner, engineers):
    RoleMappingSettings.objects.update_or_create(pk=1, defaults={"promotion_threshold": 12})
    post_mapping(as_owner, "mapping_add", okta_group_id=ENGINEERS_ID, role=Role.SYSTEM_ADMIN)
    assert admins_count() == 12


def test_the_guard_holds_a_role_change_and_counts_every_step_up_to_an_admin_role(engineers):
    RoleMapping.objects.create(okta_group_id=ENGINEERS_ID, role=Role.USER)
    with pytest.raises(role_mappings.PromotionsHeld) as held:
        role_mappings.change_mapping(COMMAND, ENGINEERS_ID, Role.SYSTEM_ADMIN)
    assert len(held.value.promotions) == 12
    assert RoleMapping.objects.get().role == Role.USER
    applied = role_mappings.change_mapping(
        COMMAND, ENGINEERS_ID, Role.SYSTEM_ADMIN, confirm=held.value.token
    )
    assert len(applied.changed) == 12 and admins_count() == 12

    role_mappings.set_owner_mappable(COMMAND, True)
    with pytest.raises(role_mappings.PromotionsHeld) as to_owner:  # System Admin → Owner too
        role_mappings.change_mapping(COMMAND, ENGINEERS_ID, Role.OWNER)
    assert [label for label, _ in to_owner.value.by_role()] == ["Owner"]
    role_mappings.change_mapping(COMMAND, ENGINEERS_ID, Role.OWNER, confirm=to_owner.value.token)
    assert User.objects.filter(role=Role.OWNER).count() == 12


def test_turning_owner_mapping_off_keeps_the_last_active_owner(engineers):
    role_mappings.set_owner_mappable(COMMAND, True)
    RoleMapping.objects.create(okta_group_id=ENGINEERS_ID, role=Role.OWNER)
    RoleMappingSettings.objects.update_or_create(pk=1, defaults={"promotion_threshold": 12})
    role_mappings.set_owner_mappable(COMMAND, True)  # unchanged: recomputes, 12 Owners
    assert User.objects.filter(role=Role.OWNER).count() == 12

    applied = role_mappings.set_owner_mappable(COMMAND, False)

    assert len(applied.changed) == 11
    [(kept, reason)] = applied.refused
    assert reason == f"{kept.login_id} is the last active Owner."
    assert list(User.objects.filter(role=Role.OWNER).values_list("login_id", flat=True)) == [
        kept.login_id
    ]
    event = AuditEvent.objects.get(action="user.role_changed", outcome="failure")
    assert event.target_label == kept.login_id
