"""Add user on the Users page: a local account with an initial password shown once."""

import pytest
from django.test import Client
from django.urls import reverse

from querypie_admin.models import AuditEvent, AuthProvider, Role, User
from querypie_admin.views import initial_password
from tests.foundation.conftest import messages_of

pytestmark = pytest.mark.django_db
ADD = reverse("user_add")
NEW = {
    "login_id": "new.person@corp.example",
    "first_name": "New",
    "last_name": "Person",
    "email": "new.person@corp.example",
    "role": Role.USER,
}


def shown_password(page: str) -> str:
    return page.split('id="initial-password" class="value">')[1].split("</code>")[0]


def test_system_admin_adds_a_user_who_signs_in_with_the_password_shown_once(as_sysadmin):
    assert f'href="{ADD}"' in as_sysadmin.page(reverse("user_list"))

    response = as_sysadmin.post(ADD, NEW)

    user = User.objects.get(login_id="new.person@corp.example")
    assert response["Location"] == reverse("user_detail", args=[user.pk])
    assert (user.auth_provider, user.role, user.full_name) == (
        AuthProvider.QUERYPIE,
        Role.USER,
        "New Person",
    )
    kept = as_sysadmin.client.session[initial_password.SESSION_KEY]
    first = as_sysadmin.get(response["Location"])
    password = shown_password(first.content.decode())
    assert first["Cache-Control"] == "no-store"
    assert messages_of(first) == ["new.person@corp.example was added as User."]
    assert password not in str(kept) and password not in user.password
    assert "initial-password" not in as_sysadmin.page(response["Location"])

    signed_in = Client().post(reverse("login"), {"login_id": user.login_id, "password": password})
    assert signed_in.status_code == 302

    event = AuditEvent.objects.get(action="user.created")
    assert (event.actor_label, event.target_label) == (
        as_sysadmin.user.login_id,
        user.login_id,
    )
    assert event.detail["source"] == "console" and password not in str(event.detail)


def test_an_owner_adds_an_owner(as_owner):
    assert 'value="owner"' in as_owner.page(ADD)
    as_owner.post(ADD, {**NEW, "role": Role.OWNER})
    user = User.objects.get(login_id=NEW["login_id"])
    assert user.is_local_owner


def test_a_login_id_taken_in_any_case_is_shown_beside_the_field(as_sysadmin, user_factory):
    user_factory(login_id="New.Person@Corp.example")

    response = as_sysadmin.post(ADD, {**NEW, "login_id": "NEW.PERSON@corp.example"})

    assert response.status_code == 200
    assert response.context["form"].errors == {
        "login_id": ["Login ID 'NEW.PERSON@corp.example' is already in use"]
    }
    assert 'class="field-error"' in response.content.decode()
    assert User.objects.filter(login_id__iexact=NEW["login_id"]).count() == 1
    assert initial_password.SESSION_KEY not in as_sysadmin.client.session


def test_system_admin_cannot_add_an_owner(as_sysadmin):
    assert 'value="owner"' not in as_sysadmin.page(ADD)

    response = as_sysadmin.post(ADD, {**NEW, "role": Role.OWNER})

    assert response.context["form"].errors == {
        "role": ["Only an Owner can change an Owner or make an Owner."]
    }
    assert not User.objects.filter(login_id=NEW["login_id"]).exists()
    event = AuditEvent.objects.get(action="user.created")
    assert (event.outcome, event.actor_label) == ("failure", as_sysadmin.user.login_id)


@pytest.mark.parametrize(
    "field,value",
    [("login_id", ""), ("email", "not an email"), ("role", "root"), ("first_name", "x" * 151)],
)
def test_bad_input_is_shown_beside_its_field_and_adds_nobody(as_owner, field, value):
    response = as_owner.post(ADD, {**NEW, field: value})
    assert response.status_code == 200
    assert list(response.context["form"].errors) == [field]
    assert not User.objects.filter(login_id=NEW["login_id"]).exists()
    assert not AuditEvent.objects.filter(action="user.created").exists()
