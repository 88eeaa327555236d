"""Mappings name Okta groups by id, never by name: a rename or a new group with the old name
grants nothing, and the Authentication page shows the current name and the rename."""

import pytest

from querypie_admin import directory
from querypie_admin.directory import Caller, role_mappings
from querypie_admin.models import GroupMembership, LinkSource, Role, RoleMapping, User
from tests.factories import okta_group, okta_user

from .conftest import ADMINS_ID, ENGINEERS_ID

pytestmark = pytest.mark.django_db
SYNC = Caller.okta_sync()
IMPOSTOR_ID = "00gNewGr0upSameName9"
SENT = directory.Sent(ADMINS_ID)


def test_a_renamed_group_still_grants_and_a_new_group_with_its_old_name_grants_nothing(admins):
    ann = okta_user(LinkSource.OKTA_SYNC, login_id="ann@corp.example")
    bob = okta_user(LinkSource.OKTA_SYNC, login_id="bob@corp.example")
    GroupMembership.objects.create(user=ann, group=admins)
    directory.update_group(SYNC, admins, {"name": "Former admins"}, sent=SENT)  # renamed
    impostor = okta_group(LinkSource.OKTA_SYNC, external_id=IMPOSTOR_ID, name="Admins")
    GroupMembership.objects.create(user=bob, group=impostor)

    directory.roles.apply_from_directory(SYNC)

    roles = dict(User.objects.values_list("login_id", "role"))
    assert roles["ann@corp.example"] == Role.SYSTEM_ADMIN
    assert roles["bob@corp.example"] == Role.USER


def test_the_page_shows_the_current_name_the_rename_and_groups_not_seen_yet(as_owner, admins):
    GroupMembership.objects.create(user=okta_user(LinkSource.OKTA_SYNC), group=admins)
    directory.update_group(SYNC, admins, {"name": "Platform admins"}, sent=SENT)
    role_mappings.add_mapping(Caller.command("test"), ENGINEERS_ID, Role.USER, group_name="Eng")

    page = as_owner.page("/administrator/authentication/role-mapping/")

    assert "Platform admins" in page and "renamed in Okta: was Admins" in page
    assert "Eng" in page and "not seen yet" in page
    rows = {row.okta_group_id: row for row in role_mappings.listing()}
    assert (rows[ADMINS_ID].name, rows[ADMINS_ID].members) == ("Platform admins", 1)
    assert (rows[ENGINEERS_ID].name, rows[ENGINEERS_ID].members) == ("Eng", None)


def test_the_name_stored_at_mapping_time_is_the_linked_groups(as_owner):
    okta_group(LinkSource.SCIM, external_id=ENGINEERS_ID, name="Engineering")
    role_mappings.add_mapping(Caller.command("test"), ENGINEERS_ID, Role.USER)
    assert RoleMapping.objects.get().group_name == "Engineering"
    page = as_owner.page("/administrator/authentication/role-mapping/")
    assert "Engineering" in page and "renamed in Okta" not in page and "not seen yet" not in page
