"""Managing role mappings on the Authentication page: only an Owner maps, Owner is not mappable
until an Owner allows it, ids are Okta's, and every change recomputes the roles at once."""

import random

import pytest

from fake_okta.model import okta_id
from querypie_admin.directory import Caller, DirectoryInvalid, Refused, role_mappings
from querypie_admin.directory.caller import Source
from querypie_admin.models import (
    AuditEvent,
    GroupMembership,
    LinkSource,
    Role,
    RoleMapping,
    RoleMappingSettings,
    RoleSource,
    User,
)
from tests.factories import okta_group, okta_user

from .conftest import ADMINS_ID, ENGINEERS_ID, OWNERS_ID, PAGE, post_mapping, refusals

pytestmark = pytest.mark.django_db
COMMAND = Caller.command("test")


def member_of(group, **fields) -> User:
    user = okta_user(LinkSource.OKTA_SYNC, **fields)
    GroupMembership.objects.create(user=user, group=group)
    return user


def role_of(user: User) -> tuple[str, str]:
    user.refresh_from_db()
    return user.role, user.role_source


@pytest.mark.parametrize(
    ("op", "fields"),
    [
        ("mapping_add", {"okta_group_id": ENGINEERS_ID, "role": Role.SYSTEM_ADMIN}),
        ("mapping_add", {"okta_group_id": OWNERS_ID, "role": Role.OWNER}),
        ("mapping_change", {"okta_group_id": ADMINS_ID, "role": Role.USER}),
        ("mapping_remove", {"okta_group_id": ADMINS_ID}),
        ("mapping_owner_switch", {"owner_mappable": "1"}),
        ("mapping_threshold", {"promotion_threshold": "0"}),
    ],
)
def test_a_system_admins_forged_post_is_refused_and_audited(as_sysadmin, admins, op, fields):
    response = post_mapping(as_sysadmin, op, **fields)

    assert response.status_code == 403
    assert "Only an Owner can change this." in response.content.decode()
    assert list(RoleMapping.objects.values_list("okta_group_id", "role")) == [
        (ADMINS_ID, Role.SYSTEM_ADMIN)
    ]
    config = RoleMappingSettings.load()
    assert (config.owner_mappable, config.promotion_threshold) == (False, 10)
    event = AuditEvent.objects.get(outcome="failure")
    assert (event.action, event.actor_label, event.detail) == (
        "console.owner_only_refused",
        as_sysadmin.user.login_id,
        {"reason": "Only an Owner can change this.", "op": op},
    )


def test_the_mapping_service_refuses_a_system_admin_too(system_admin):
    """Behind the page's rule, the service refuses on its own: audited with what was asked."""
    caller = Caller(Source.CONSOLE, system_admin)
    with pytest.raises(Refused) as refused:
        role_mappings.add_mapping(caller, OWNERS_ID, Role.OWNER)
    refused.value.record()
    [event] = refusals("role_mapping.created")
    assert event.target_label == f"{OWNERS_ID} → Owner"
    assert not RoleMapping.objects.exists()


def test_a_system_admin_sees_the_mappings_read_only(as_sysadmin, admins):
    page = as_sysadmin.page(PAGE)
    assert "Role mapping" in page and ADMINS_ID in page and "System Admin" in page
    assert "Only an Owner can change this." in page
    for form in ("mapping_add", "mapping_change", "mapping_remove", "mapping_owner_switch"):
        assert f'value="{form}"' not in page
    assert "getFilteredGroups" in page


def test_users_get_403_on_the_page_and_its_mapping_forms(client, plain_user):
    client.force_login(plain_user)
    assert client.get(PAGE).status_code == 403
    post = {"op": "mapping_add", "okta_group_id": ADMINS_ID, "role": Role.SYSTEM_ADMIN}
    assert client.post(PAGE, post).status_code == 403
    assert not RoleMapping.objects.exists()


def test_an_owner_maps_a_group_and_its_members_are_promoted_with_the_cause(as_owner):
    engineers = okta_group(LinkSource.OKTA_SYNC, external_id=ENGINEERS_ID, name="Engineers")
    erin = member_of(engineers)

    fields = {"okta_group_id": ENGINEERS_ID, "role": Role.SYSTEM_ADMIN, "group_name": ""}
    response = post_mapping(as_owner, "mapping_add", **fields)

    assert response.status_code == 302
    mapping = RoleMapping.objects.get()
    assert (mapping.okta_group_id, mapping.role, mapping.group_name) == (
        ENGINEERS_ID,
        Role.SYSTEM_ADMIN,
        "Engineers",
    )
    assert role_of(erin) == (Role.SYSTEM_ADMIN, RoleSource.MAPPING)
    change = AuditEvent.objects.get(action="user.role_changed", target_id=str(erin.pk))
    assert change.actor_label == as_owner.user.login_id
    assert (change.detail["mapping"], change.detail["okta_groups"]) == (
        ENGINEERS_ID,
        [ENGINEERS_ID],
    )
    created = AuditEvent.objects.get(action="role_mapping.created")
    assert created.detail["okta_group_id"] == ENGINEERS_ID


def test_owner_mapping_is_off_by_default_and_refused_even_for_an_owner(as_owner):
    assert RoleMappingSettings.load().owner_mappable is False
    page = as_owner.page(PAGE)
    assert "Off: no group can be mapped to Owner" in page
    assert '<option value="owner"' not in page

    post_mapping(as_owner, "mapping_add", okta_group_id=OWNERS_ID, role=Role.OWNER)

    assert not RoleMapping.objects.exists()
    [event] = refusals("role_mapping.created")
    assert "Mapping a group to Owner is off" in event.detail["reason"]


def test_turning_the_owner_switch_off_makes_owner_mappings_inactive(as_owner):
    owners = okta_group(LinkSource.OKTA_SYNC, external_id=OWNERS_ID, name="Owners")
    olga = member_of(owners)
    post_mapping(as_owner, "mapping_owner_switch", owner_mappable="1")
    post_mapping(as_owner, "mapping_add", okta_group_id=OWNERS_ID, role=Role.OWNER)
    assert role_of(olga) == (Role.OWNER, RoleSource.MAPPING)

    post_mapping(as_owner, "mapping_owner_switch", owner_mappable="0")

    assert role_of(olga) == (Role.USER, RoleSource.MANUAL)
    assert RoleMapping.objects.filter(okta_group_id=OWNERS_ID, role=Role.OWNER).exists()
    assert "inactive: mapping to Owner is off" in as_owner.page(PAGE)
    demoted = AuditEvent.objects.filter(action="user.role_changed", target_id=str(olga.pk))
    assert demoted.latest("id").detail["owner_mappable"] is False


@pytest.mark.parametrize(
    "bad",
    ["Admins", "00g123", "00gAdm1nsGr0up0000011", "00u1aaaaaaaaaaaaaaaa", "00gAdm1ns-r0up000001"],
)
def test_an_id_that_is_not_oktas_is_a_clear_error_and_nothing_is_saved(as_owner, bad):
    response = post_mapping(as_owner, "mapping_add", okta_group_id=bad, role=Role.SYSTEM_ADMIN)

    assert response.status_code == 400
    errors = response.context["mapping_form"].errors["okta_group_id"]
    assert "is not an Okta group ID: it is 00g followed by 17 letters or digits" in errors[0]
    assert not RoleMapping.objects.exists()


def test_the_fake_oktas_group_ids_pass_the_check():
    rng = random.Random(7)
    for _ in range(50):
        group_id = okta_id("00g", rng)
        assert role_mappings.check_okta_group_id(group_id) == group_id


def test_a_duplicate_id_is_a_clear_error(as_owner, admins):
    response = post_mapping(as_owner, "mapping_add", okta_group_id=ADMINS_ID, role=Role.USER)

    assert response.status_code == 400
    assert response.context["mapping_form"].errors["okta_group_id"] == [
        f"The Okta group {ADMINS_ID} is already mapped."
    ]
    assert RoleMapping.objects.get().role == Role.SYSTEM_ADMIN


def test_changing_and_removing_a_mapping_recompute_its_members(as_owner, admins):
    ann = member_of(admins)
    role_mappings.add_mapping(COMMAND, ENGINEERS_ID, Role.USER)  # recomputes everyone
    assert role_of(ann) == (Role.SYSTEM_ADMIN, RoleSource.MAPPING)

    post_mapping(as_owner, "mapping_change", okta_group_id=ADMINS_ID, role=Role.USER)
    assert role_of(ann) == (Role.USER, RoleSource.MAPPING)

    post_mapping(as_owner, "mapping_remove", okta_group_id=ADMINS_ID)
    assert role_of(ann) == (Role.USER, RoleSource.MANUAL)
    assert not RoleMapping.objects.filter(okta_group_id=ADMINS_ID).exists()
    assert AuditEvent.objects.filter(action="role_mapping.removed").count() == 1


def test_the_command_line_acts_as_owner_and_integrations_never_do(admins):
    role_mappings.change_mapping(COMMAND, ADMINS_ID, Role.USER)
    assert RoleMapping.objects.get().role == Role.USER
    with pytest.raises(Refused, match="Only an Owner"):
        role_mappings.remove_mapping(Caller.scim(), ADMINS_ID)
    with pytest.raises(DirectoryInvalid, match="No mapping"):
        role_mappings.remove_mapping(COMMAND, ENGINEERS_ID)


def test_the_threshold_is_an_owners_setting_with_bounds(as_owner):
    post_mapping(as_owner, "mapping_threshold", promotion_threshold="3")
    assert RoleMappingSettings.load().promotion_threshold == 3
    response = post_mapping(as_owner, "mapping_threshold", promotion_threshold="-1")
    assert response.status_code == 400
    assert response.context["threshold_form"].errors["promotion_threshold"]
    assert RoleMappingSettings.load().promotion_threshold == 3
