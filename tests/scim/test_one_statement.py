"""Okta's creates and member-adds write the same rows and audit events whether they run as
one statement (PostgreSQL, directory.one_statement) or through the ORM (the path SQLite, the
embedded default, always takes), and whatever that one statement cannot decide falls back
to the ORM path's exact answer."""

import pytest
from django.db import connection

from querypie_admin.directory import Caller, one_statement
from querypie_admin.models import (
    AuditEvent,
    AuthProvider,
    DirectoryLink,
    LinkSource,
    Role,
    RoleMapping,
    User,
)
from tests.factories import UserFactory, okta_group, okta_user

from .conftest import user_body

pytestmark = pytest.mark.django_db


@pytest.fixture(params=["one statement", "ORM"])
def path(request, monkeypatch) -> str:
    if request.param == "ORM":
        monkeypatch.setattr(one_statement, "available", lambda caller: False)
    return request.param


@pytest.mark.parametrize(
    ("vendor", "caller", "expected"),
    [
        ("postgresql", Caller.scim(), True),
        ("sqlite", Caller.scim(), False),  # the embedded default: the ORM path
        ("postgresql", Caller.command(), False),  # people's and commands' writes: the ORM
    ],
)
def test_one_statement_is_for_integrations_on_postgresql(monkeypatch, vendor, caller, expected):
    monkeypatch.setattr(connection, "vendor", vendor)
    assert one_statement.available(caller) is expected


@pytest.mark.parametrize(
    ("first_name", "is_active"),
    [("Ann", True), ("", False), (True, 1), (7, "0")],  # plain values, then odd ones
)
def test_a_rows_values_are_what_djangos_own_conversions_write(first_name, is_active):
    """Plain text and booleans go as they are; anything else takes Django's conversions, so
    True for a text column is "True" as save() writes it, not PostgreSQL's "true"."""
    user = User(login_id="Ann@corp.example", first_name=first_name, is_active=is_active)
    fields = [f for f in User._meta.concrete_fields if not f.primary_key]
    expected = [f.get_db_prep_save(f.pre_save(user, add=True), connection) for f in fields]
    _, _, params = one_statement._row(user)
    by_name = dict(zip([f.attname for f in fields], params, strict=True))
    for field, value in zip(fields, expected, strict=True):
        if field.attname not in ("created_at", "updated_at"):  # now(), twice
            sent = by_name[field.attname]  # a JSON value by what it wraps
            assert getattr(sent, "obj", sent) == getattr(value, "obj", value), field.attname
    assert type(by_name["first_name"]) is str and type(by_name["is_active"]) is bool


def events_since(first: int) -> list[tuple]:
    rows = AuditEvent.objects.filter(pk__gt=first).order_by("pk")
    return [(e.action, e.target_type, e.target_id, e.target_label, e.detail) for e in rows]


def last_event() -> int:
    return AuditEvent.objects.order_by("-pk").values_list("pk", flat=True).first() or 0


def add(scim, group, *users):
    value = [{"value": str(u.pk), "display": u.login_id} for u in users]
    return scim.patch(f"/Groups/{group.pk}", {"op": "add", "path": "members", "value": value})


def test_okta_creates_a_user_with_its_link_and_both_events(scim, path):
    first = last_event()
    response = scim.post("/Users", user_body("Isabella.Chen@corp.example", externalId="00u1"))

    assert response.status_code == 201, response.content
    user = User.objects.get(pk=response.json()["id"])
    assert (user.login_id, user.auth_provider, user.is_active) == (
        "Isabella.Chen@corp.example",
        AuthProvider.OKTA,
        True,
    )
    assert user.login_key and not user.has_usable_password()
    assert response.json()["meta"]["created"] == user.created_at.isoformat()
    link = DirectoryLink.objects.get(user=user)
    assert (link.source, link.external_id) == (LinkSource.SCIM, "00u1")
    assert "password" not in link.attributes and link.attributes["userName"] == user.login_id
    fields = sorted(
        ["login_id", "first_name", "last_name", "email", "second_email", "mobile_phone",
         "postal_address", "static_ip", "mac_address", "is_active"]
    )  # fmt: skip
    assert events_since(first) == [
        ("user.created", "user", str(user.pk), user.login_id,
         {"source": "scim", "fields": fields, "role": Role.USER}),
        ("user.linked", "user", str(user.pk), user.login_id,
         {"source": "scim", "external_id": "00u1"}),
    ]  # fmt: skip
    assert AuditEvent.objects.filter(pk__gt=first).first().actor_label.startswith("SCIM (token ")


def test_a_login_id_taken_in_another_case_is_a_409_and_writes_nothing(scim, path):
    okta_user(LinkSource.SCIM, login_id="isabella.chen@corp.example")
    users, links, first = User.objects.count(), DirectoryLink.objects.count(), last_event()

    response = scim.post("/Users", user_body("ISABELLA.CHEN@corp.example", externalId="00u2"))

    assert response.status_code == 409 and response.json()["scimType"] == "uniqueness"
    assert (User.objects.count(), DirectoryLink.objects.count()) == (users, links)
    assert events_since(first) == []


def test_a_member_add_writes_its_row_and_one_event(scim, path):
    group = okta_group(LinkSource.SCIM, name="Engineering")
    ada, bob = okta_user(LinkSource.SCIM), okta_user(LinkSource.SCIM)
    first = last_event()

    assert add(scim, group, bob, ada).status_code == 204

    assert set(group.memberships.values_list("user_id", flat=True)) == {ada.pk, bob.pk}
    added = [ada.login_id, bob.login_id]  # in id order (ada was made first)
    assert events_since(first) == [
        ("group.members_added", "group", str(group.pk), "Engineering",
         {"source": "scim", "added": added}),
    ]  # fmt: skip


def test_adding_a_present_member_again_writes_nothing(scim, path):
    group, ada = okta_group(LinkSource.SCIM), okta_user(LinkSource.SCIM)
    add(scim, group, ada)
    first = last_event()

    assert add(scim, group, ada).status_code == 204

    assert group.memberships.count() == 1 and events_since(first) == []


def test_a_local_member_is_refused_like_an_unknown_one_and_nothing_is_added(scim, path):
    group, okta = okta_group(LinkSource.SCIM), okta_user(LinkSource.SCIM)
    local = UserFactory()
    first = last_event()

    response = add(scim, group, okta, local)

    assert response.status_code == 400 and str(local.pk) in response.json()["detail"]
    assert group.memberships.count() == 0 and events_since(first) == []


def test_a_member_add_to_a_local_group_is_404(scim, path):
    group = okta_group(LinkSource.SCIM)
    group.auth_provider = AuthProvider.QUERYPIE  # taken back by an Owner
    group.save()
    DirectoryLink.objects.filter(group=group).delete()

    assert add(scim, group, okta_user(LinkSource.SCIM)).status_code == 404
    assert group.memberships.count() == 0


def test_a_member_add_to_a_group_only_the_sync_links_links_it_to_scim(scim, path):
    group, ada = okta_group(LinkSource.OKTA_SYNC, external_id="00gsync"), okta_user()

    assert add(scim, group, ada).status_code == 204

    assert list(group.memberships.values_list("user_id", flat=True)) == [ada.pk]
    assert set(DirectoryLink.objects.filter(group=group).values_list("source", flat=True)) == {
        LinkSource.OKTA_SYNC,
        LinkSource.SCIM,
    }


def test_a_member_added_to_a_mapped_group_gets_its_role(scim, path):
    RoleMapping.objects.create(okta_group_id="00gadmins", role=Role.SYSTEM_ADMIN)
    group, ada = okta_group(LinkSource.SCIM, external_id="00gadmins"), okta_user(LinkSource.SCIM)

    assert add(scim, group, ada).status_code == 204

    ada.refresh_from_db()
    assert ada.role == Role.SYSTEM_ADMIN
    assert group.memberships.filter(user=ada).exists()


def test_a_user_the_sync_knows_by_okta_id_is_adopted_under_a_new_login_not_created(scim, path):
    known = okta_user(LinkSource.OKTA_SYNC, external_id="00usync", login_id="old@corp.example")
    users = User.objects.count()

    response = scim.post("/Users", user_body("new@corp.example", externalId="00usync"))

    assert response.status_code == 201 and response.json()["id"] == str(known.pk)
    known.refresh_from_db()
    assert known.login_id == "new@corp.example" and User.objects.count() == users
    assert set(DirectoryLink.objects.filter(user=known).values_list("source", flat=True)) == {
        LinkSource.OKTA_SYNC,
        LinkSource.SCIM,
    }
