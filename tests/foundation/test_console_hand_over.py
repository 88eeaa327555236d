"""Hand-over to Okta and take-back, as an Owner does it on a user's or a group's page."""

import pytest
from django.test import Client
from django.urls import reverse

from querypie_admin.models import AuditEvent, AuthProvider, DirectoryLink, Group, LinkSource, User
from tests.factories import PASSWORD, okta_group, okta_user
from tests.foundation.conftest import Person, messages_of

pytestmark = pytest.mark.django_db
HAND_OVER_BUTTON = ">Hand over to Okta</button>"
WAITING = "Handed over to Okta; waiting for the first SCIM push or sync."


def password_sign_in(login_id: str, password: str):
    return Client().post(reverse("login"), {"login_id": login_id, "password": password})


def test_owner_hands_a_local_user_over_and_its_password_sign_in_stops(as_owner, plain_user):
    page = as_owner.page(reverse("user_detail", args=[plain_user.pk]))
    assert HAND_OVER_BUTTON in page and "password sign-in stops" in page

    response = as_owner.post(reverse("user_hand_over", args=[plain_user.pk]), follow=True)

    assert messages_of(response)[0].startswith(f"{plain_user.login_id} was handed over to Okta")
    assert WAITING in response.content.decode()
    user = User.objects.get(pk=plain_user.pk)
    assert (user.auth_provider, user.links.count()) == (AuthProvider.OKTA, 0)
    event = AuditEvent.objects.get(action="user.handed_over")
    assert (event.outcome, event.detail) == ("success", {"source": "console"})

    refused = password_sign_in(plain_user.login_id, PASSWORD)
    assert "The login ID or password is incorrect" in refused.content.decode()
    reason = AuditEvent.objects.get(action="auth.signin").detail["reason"]
    assert reason == "account is managed by Okta (signs in with Okta)"


def test_taking_back_a_scim_user_removes_its_links_and_shows_an_initial_password(as_owner):
    user = okta_user(LinkSource.SCIM, LinkSource.OKTA_SYNC, external_id="00u1")
    page = as_owner.page(reverse("user_detail", args=[user.pk]))
    assert ">Take back</button>" in page and HAND_OVER_BUTTON not in page

    response = as_owner.post(reverse("user_take_back", args=[user.pk]))
    shown = as_owner.get(response["Location"])

    page = shown.content.decode()
    password = page.split('id="initial-password" class="value">')[1].split("</code>")[0]
    assert shown["Cache-Control"] == "no-store"
    assert "Managed in the console (local)." in page
    user.refresh_from_db()
    assert (user.auth_provider, list(user.links.all())) == (AuthProvider.QUERYPIE, [])
    assert password_sign_in(user.login_id, password).status_code == 302
    event = AuditEvent.objects.get(action="user.taken_back")
    assert event.detail == {
        "source": "console",
        "released": ["okta_sync", "scim"],
        "initial_password": True,
    }


def test_taking_back_a_handed_over_account_keeps_its_password(as_owner, plain_user):
    as_owner.post(reverse("user_hand_over", args=[plain_user.pk]))
    response = as_owner.post(reverse("user_take_back", args=[plain_user.pk]))

    assert "initial-password" not in as_owner.page(response["Location"])
    assert password_sign_in(plain_user.login_id, PASSWORD).status_code == 302
    assert "initial_password" not in AuditEvent.objects.get(action="user.taken_back").detail


def test_an_owner_cannot_hand_over_their_own_account(as_owner, user_factory):
    user_factory(role="owner")  # so the last-Owner rule is not what refuses
    owner = as_owner.user
    response = as_owner.post(reverse("user_hand_over", args=[owner.pk]), follow=True)

    assert messages_of(response) == ["You cannot do this to your own account."]
    assert User.objects.get(pk=owner.pk).auth_provider == AuthProvider.QUERYPIE


def test_the_last_local_owner_cannot_be_handed_over(owner, okta_owner):
    as_okta_owner = Person(okta_owner)
    response = as_okta_owner.post(reverse("user_hand_over", args=[owner.pk]), follow=True)

    last = f"{owner.login_id} is the last active local Owner: make another local Owner first."
    assert messages_of(response) == [last]
    assert User.objects.get(pk=owner.pk).auth_provider == AuthProvider.QUERYPIE
    event = AuditEvent.objects.get(action="user.handed_over")
    assert (event.outcome, event.detail["reason"]) == ("failure", last)


def test_system_admin_sees_no_hand_over_or_take_back_and_gets_403(as_sysadmin, plain_user):
    okta = okta_user(LinkSource.SCIM)
    group = okta_group(LinkSource.SCIM, name="Okta-Eng")
    assert HAND_OVER_BUTTON not in as_sysadmin.page(reverse("user_detail", args=[plain_user.pk]))
    assert "Take back" not in as_sysadmin.page(reverse("user_detail", args=[okta.pk]))
    assert "Take back" not in as_sysadmin.page(reverse("group_detail", args=[group.pk]))

    for url in (
        reverse("user_hand_over", args=[plain_user.pk]),
        reverse("user_take_back", args=[okta.pk]),
        reverse("group_take_back", args=[group.pk]),
    ):
        assert as_sysadmin.post(url).status_code == 403

    assert User.objects.get(pk=plain_user.pk).auth_provider == AuthProvider.QUERYPIE
    assert DirectoryLink.objects.count() == 2


def test_owner_hands_over_a_local_group_and_takes_back_an_okta_group(as_owner, group_factory):
    local = group_factory(name="DBA")
    synced = okta_group(LinkSource.OKTA_SYNC, external_id="00g1", name="Okta-Eng")
    assert HAND_OVER_BUTTON in as_owner.page(reverse("group_detail", args=[local.pk]))

    handed = as_owner.post(reverse("group_hand_over", args=[local.pk]), follow=True)
    taken = as_owner.post(reverse("group_take_back", args=[synced.pk]), follow=True)

    assert WAITING in handed.content.decode()
    assert "Managed in the console (local)." in taken.content.decode()
    assert dict(Group.objects.values_list("name", "auth_provider")) == {
        "DBA": AuthProvider.OKTA,
        "Okta-Eng": AuthProvider.QUERYPIE,
    }
    assert not DirectoryLink.objects.exists()
    assert AuditEvent.objects.get(action="group.taken_back").detail == {
        "source": "console",
        "released": ["okta_sync"],
    }
    assert AuditEvent.objects.get(action="group.handed_over").target_label == "DBA"


def test_handing_over_twice_says_it_is_already_okta(as_owner, plain_user):
    url = reverse("user_hand_over", args=[plain_user.pk])
    as_owner.post(url, follow=True)
    response = as_owner.post(url, follow=True)
    assert messages_of(response) == [f"{plain_user.login_id} is already managed by Okta."]


@pytest.mark.parametrize("name", ["user_hand_over", "user_take_back"])
def test_hand_over_and_take_back_need_a_post(as_owner, plain_user, name):
    assert as_owner.get(reverse(name, args=[plain_user.pk])).status_code == 405
