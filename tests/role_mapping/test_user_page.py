"""A user's page says where the role comes from; a mapped role is not editable by hand (a
forged POST is refused and audited), and a hand-set role on an Okta row is the console's."""

import pytest
from django.urls import reverse

from querypie_admin.directory import Caller, roles
from querypie_admin.models import GroupMembership, LinkSource, Role, RoleSource, User
from tests.factories import okta_user
from tests.foundation.conftest import messages_of

from .conftest import ADMINS_ID, refusals, user_page

pytestmark = pytest.mark.django_db


@pytest.fixture
def mapped(admins) -> User:
    user = okta_user(LinkSource.OKTA_SYNC, login_id="mapped@corp.example")
    GroupMembership.objects.create(user=user, group=admins)
    roles.apply_from_directory(Caller.okta_sync(), [user.pk])
    user.refresh_from_db()
    return user


def test_a_mapped_role_shows_its_group_and_offers_no_role_form(as_owner, mapped):
    page = user_page(as_owner, mapped)
    assert f"Okta group mapping: Admins ({ADMINS_ID})" in page
    assert "This role comes from an Okta group mapping" in page
    assert "Change role" not in page and "Deactivate" not in page


def test_a_forged_role_post_on_a_mapped_user_is_refused_and_audited(as_owner, mapped):
    url = reverse("user_set_role", args=[mapped.pk])
    response = as_owner.post(url, {"role": Role.USER}, follow=True)

    assert messages_of(response) == [
        "mapped@corp.example's role comes from an Okta group mapping: change the mapping or "
        "the user's groups in Okta."
    ]
    assert User.objects.get(pk=mapped.pk).role == Role.SYSTEM_ADMIN
    [event] = refusals("user.role_changed")
    assert event.target_label == "mapped@corp.example"


def test_an_unmapped_okta_user_gets_a_role_by_hand(as_owner):
    okta = okta_user(LinkSource.SCIM, login_id="okta@corp.example")
    page = user_page(as_owner, okta)
    assert "Set by hand" in page and "Change role" in page and "Deactivate" not in page
    assert "managed by Okta and is read-only here" in page

    url = reverse("user_set_role", args=[okta.pk])
    response = as_owner.post(url, {"role": Role.SYSTEM_ADMIN}, follow=True)

    assert messages_of(response) == ["okta@corp.example is now System Admin."]
    okta.refresh_from_db()
    assert (okta.role, okta.role_source) == (Role.SYSTEM_ADMIN, RoleSource.MANUAL)


def test_the_user_list_marks_mapped_roles(as_owner, mapped):
    okta_user(LinkSource.SCIM, login_id="byhand@corp.example")
    page = as_owner.page(reverse("user_list"))
    assert page.count(">mapped</span>") == 1
