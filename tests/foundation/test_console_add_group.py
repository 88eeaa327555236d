"""Add group on the Groups page: a local group, through the directory, audited, admin-only."""

import pytest
from django.urls import reverse

from querypie_admin.models import AuditEvent, AuthProvider, Group
from tests.foundation.conftest import Person, messages_of

pytestmark = pytest.mark.django_db
ADD = reverse("group_add")
NEW = {"name": "Database Admins", "description": "Reach the production databases"}


def test_system_admin_adds_a_local_group_and_it_is_audited(as_sysadmin):
    assert f'href="{ADD}"' in as_sysadmin.page(reverse("group_list"))

    response = as_sysadmin.post(ADD, NEW)

    group = Group.objects.get(name="Database Admins")
    assert response["Location"] == reverse("group_detail", args=[group.pk])
    assert (group.description, group.auth_provider) == (NEW["description"], AuthProvider.QUERYPIE)
    assert messages_of(as_sysadmin.get(response["Location"])) == [
        "Group Database Admins was added."
    ]
    event = AuditEvent.objects.get(action="group.created")
    assert (event.actor_label, event.target_label, event.detail) == (
        as_sysadmin.user.login_id,
        "Database Admins",
        {"source": "console", "fields": ["description", "name"]},
    )


def test_a_user_cannot_add_a_group(plain_user):
    person = Person(plain_user)
    assert person.get(ADD).status_code == 403
    assert person.post(ADD, NEW).status_code == 403
    assert not Group.objects.exists() and not AuditEvent.objects.filter(action="group.created")


def test_a_taken_name_is_refused_beside_the_field_and_the_form_keeps_what_was_typed(
    as_owner, group_factory
):
    group_factory(name="database admins")

    response = as_owner.post(ADD, NEW)

    assert response.status_code == 400
    page = response.content.decode()
    assert "already exists" in page.split('id="id_name"')[1].split("</div>")[0]
    assert 'value="Database Admins"' in page and NEW["description"] in page
    assert Group.objects.count() == 1 and not AuditEvent.objects.filter(action="group.created")


def test_an_empty_name_is_refused_and_nothing_is_written(as_owner):
    response = as_owner.post(ADD, {"name": "  ", "description": "kept"})
    assert response.status_code == 400
    assert "This field is required." in response.content.decode()
    assert "kept</textarea>" in response.content.decode()
    assert not Group.objects.exists()
