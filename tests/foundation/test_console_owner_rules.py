"""The Owner rules on the Users pages, as administrators meet them: status and role changes
that the directory refuses show a clear message, are audited, and change nothing."""

import pytest
from django.urls import reverse

from querypie_admin.models import AuditEvent, LinkSource, Role, User
from tests.factories import UserFactory, okta_user
from tests.foundation.conftest import Person, messages_of

pytestmark = pytest.mark.django_db


def set_status(person: Person, user: User, active: bool):
    url = reverse("user_set_status", args=[user.pk])
    return person.post(url, {"active": "1" if active else "0"}, follow=True)


def set_role(person: Person, user: User, role: str):
    return person.post(reverse("user_set_role", args=[user.pk]), {"role": role}, follow=True)


def refusal(action: str) -> AuditEvent:
    return AuditEvent.objects.get(action=action, outcome="failure")


def test_system_admin_cannot_deactivate_an_owner(as_sysadmin, owner):
    response = set_status(as_sysadmin, owner, active=False)

    assert response.status_code == 200
    assert messages_of(response) == ["Only an Owner can change an Owner or make an Owner."]
    owner.refresh_from_db()
    assert owner.is_active
    event = refusal("user.deactivated")
    assert (event.actor_label, event.target_label) == (as_sysadmin.user.login_id, owner.login_id)
    assert event.detail == {
        "source": "console",
        "reason": "Only an Owner can change an Owner or make an Owner.",
    }


def test_system_admin_cannot_demote_an_owner(as_sysadmin, owner):
    response = set_role(as_sysadmin, owner, Role.SYSTEM_ADMIN)

    assert messages_of(response) == ["Only an Owner can change an Owner or make an Owner."]
    assert User.objects.get(pk=owner.pk).role == Role.OWNER
    assert refusal("user.role_changed").target_label == owner.login_id


def test_system_admin_is_not_offered_the_owner_role_and_a_forged_one_is_refused(
    as_sysadmin, plain_user
):
    page = as_sysadmin.page(reverse("user_detail", args=[plain_user.pk]))
    assert 'value="system_admin"' in page and 'value="owner"' not in page

    response = set_role(as_sysadmin, plain_user, Role.OWNER)

    assert messages_of(response) == ["Only an Owner can change an Owner or make an Owner."]
    assert User.objects.get(pk=plain_user.pk).role == Role.USER
    assert refusal("user.role_changed").target_label == plain_user.login_id


def test_system_admin_sees_an_owner_read_only(as_sysadmin, owner):
    page = as_sysadmin.page(reverse("user_detail", args=[owner.pk]))
    assert "Only an Owner can change an Owner." in page
    assert "Deactivate" not in page and "Change role" not in page


def test_nobody_deactivates_themselves(as_sysadmin):
    me = as_sysadmin.user
    page = as_sysadmin.page(reverse("user_detail", args=[me.pk]))
    assert "This is your own account" in page and "Deactivate" not in page

    response = set_status(as_sysadmin, me, active=False)

    assert messages_of(response) == ["You cannot do this to your own account."]
    assert User.objects.get(pk=me.pk).is_active
    assert refusal("user.deactivated").target_label == me.login_id


def test_nobody_changes_their_own_role(as_sysadmin):
    me = as_sysadmin.user
    response = set_role(as_sysadmin, me, Role.USER)

    assert messages_of(response) == ["You cannot do this to your own account."]
    assert User.objects.get(pk=me.pk).role == Role.SYSTEM_ADMIN


def test_the_last_local_owner_cannot_be_deactivated_or_demoted_even_by_an_owner(owner, okta_owner):
    as_okta_owner = Person(okta_owner)
    last = f"{owner.login_id} is the last active local Owner: make another local Owner first."

    assert messages_of(set_status(as_okta_owner, owner, active=False)) == [last]
    assert messages_of(set_role(as_okta_owner, owner, Role.USER)) == [last]

    owner.refresh_from_db()
    assert (owner.is_active, owner.role) == (True, Role.OWNER)
    assert refusal("user.deactivated").detail["reason"] == last
    assert refusal("user.role_changed").detail["reason"] == last


def test_an_owner_deactivates_another_owner_while_a_local_owner_remains(as_owner):
    other = UserFactory(login_id="owner2@corp.example", role=Role.OWNER)

    response = set_status(as_owner, other, active=False)

    assert messages_of(response) == ["owner2@corp.example is now Inactive."]
    assert not User.objects.get(pk=other.pk).is_active
    event = AuditEvent.objects.get(action="user.deactivated")
    assert (event.outcome, event.actor_label) == ("success", as_owner.user.login_id)
    assert event.detail == {"source": "console", "fields": ["is_active"]}


def test_an_owner_changes_a_role_and_it_is_audited(as_owner, plain_user):
    page = as_owner.page(reverse("user_detail", args=[plain_user.pk]))
    assert 'value="owner"' in page

    response = set_role(as_owner, plain_user, Role.SYSTEM_ADMIN)

    assert messages_of(response) == [f"{plain_user.login_id} is now System Admin."]
    assert User.objects.get(pk=plain_user.pk).role == Role.SYSTEM_ADMIN
    event = AuditEvent.objects.get(action="user.role_changed")
    assert (event.outcome, event.detail) == ("success", {"source": "console", "fields": ["role"]})


def test_system_admin_reactivates_a_user(as_sysadmin):
    gone = UserFactory(is_active=False)
    assert messages_of(set_status(as_sysadmin, gone, active=True)) == [
        f"{gone.login_id} is now Active."
    ]
    assert User.objects.get(pk=gone.pk).is_active


def test_an_okta_user_changes_only_in_okta(as_owner):
    user = okta_user(LinkSource.SCIM, external_id="00u1")
    page = as_owner.page(reverse("user_detail", args=[user.pk]))
    assert "managed by Okta and is read-only here" in page and "Deactivate" not in page

    response = set_status(as_owner, user, active=False)

    assert messages_of(response) == [f"{user.login_id} is managed by Okta: change it in Okta."]
    assert User.objects.get(pk=user.pk).is_active
    assert refusal("user.deactivated").target_label == user.login_id


@pytest.mark.parametrize("data", [{}, {"active": "yes"}])
def test_a_status_post_without_a_clear_choice_changes_nothing(as_owner, plain_user, data):
    url = reverse("user_set_status", args=[plain_user.pk])
    response = as_owner.post(url, data, follow=True)
    assert messages_of(response) == ["Choose Activate or Deactivate."]
    assert User.objects.get(pk=plain_user.pk).is_active


def test_an_unknown_role_changes_nothing(as_owner, plain_user):
    response = set_role(as_owner, plain_user, "root")
    assert messages_of(response) == ["Choose Owner, System Admin or User."]
    assert User.objects.get(pk=plain_user.pk).role == Role.USER
