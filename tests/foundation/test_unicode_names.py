"""One account per name, in every alphabet: login IDs and group names compare by their
Unicode comparison key (NFKC + case folding), the same on PostgreSQL and SQLite."""

import pytest
from django.test import Client

from querypie_admin import directory
from querypie_admin.lookups import comparison_key
from querypie_admin.models import Group, User
from sync.engine.conflicts import holders
from tests.factories import PASSWORD, GroupFactory, UserFactory

from .test_link_migration import migrate

pytestmark = pytest.mark.django_db
CONSOLE = directory.Caller.command("test")
# (what exists, a different spelling of the same name)
SAME_NAME = [
    ("özil@corp.example", "ÖZIL@corp.example"),
    ("élodie@corp.example", "ÉLODIE@corp.example"),
    ("σοφία@corp.example", "ΣΟΦΊΑ@corp.example"),
    ("admin", "ａｄｍｉｎ"),  # fullwidth
    ("effort", "eﬀort"),  # the ff ligature
    ("kate", "\u212aate"),  # the Kelvin sign
    ("strasse", "STRAẞE"),  # capital sharp s folds to ss
]
UNSEEN = ["ad\u200bmin", "\u202eadmin", "admin\u2066", "ad\u00admin", "admin\ufe0f", "a\u3164dmin"]


@pytest.mark.parametrize(("first", "second"), SAME_NAME)
def test_a_second_spelling_of_a_login_id_is_the_same_account(first, second):
    UserFactory(login_id=first)
    with pytest.raises(directory.DirectoryConflict):
        directory.create_user(CONSOLE, {"login_id": second})
    assert User.objects.count() == 1
    assert User.objects.get(login_id__ci_exact=second).login_id == first


@pytest.mark.parametrize(("first", "second"), SAME_NAME)
def test_a_second_spelling_of_a_group_name_is_the_same_group(first, second):
    GroupFactory(name=first)
    with pytest.raises(directory.DirectoryConflict):
        directory.create_group(CONSOLE, {"name": second})
    other = directory.create_group(CONSOLE, {"name": "other"})
    with pytest.raises(directory.DirectoryConflict):
        directory.update_group(CONSOLE, other, {"name": second})
    assert sorted(Group.objects.values_list("name", flat=True)) == sorted([first, "other"])


def test_the_displayed_name_keeps_what_was_sent():
    user = directory.create_user(CONSOLE, {"login_id": "ÖZIL@corp.example"})
    user.refresh_from_db()
    assert user.login_id == "ÖZIL@corp.example"
    assert user.login_key == "özil@corp.example"


def test_a_rename_moves_the_key_with_the_name():
    user = directory.create_user(CONSOLE, {"login_id": "old@corp.example"})
    directory.update_user(CONSOLE, user, {"login_id": "ＮＥＷ@corp.example"})
    assert User.objects.get(login_id__ci_exact="new@corp.example").pk == user.pk
    assert not User.objects.filter(login_id__ci_exact="old@corp.example").exists()


@pytest.mark.parametrize("name", UNSEEN)
def test_invisible_and_text_direction_characters_are_refused_with_a_clear_error(name):
    with pytest.raises(directory.DirectoryInvalid, match="invisible or text-direction") as exc:
        directory.create_user(CONSOLE, {"login_id": name})
    assert exc.value.field == "login_id"
    with pytest.raises(directory.DirectoryInvalid, match="invisible or text-direction"):
        directory.create_group(CONSOLE, {"name": name})
    assert not User.objects.exists() and not Group.objects.exists()


def test_the_okta_sync_batch_keys_names_and_renames():
    caller = directory.Caller.okta_sync()
    [pk] = directory.batch.create_users(
        caller, [({"login_id": "ÖZIL@corp.example"}, directory.Sent("00u1"))]
    )
    assert User.objects.get(login_id__ci_exact="özil@corp.example").pk == pk
    directory.batch.update_users(caller, [(pk, "ÖZIL", {"login_id": "ＺＯＥ@corp.example"})])
    assert User.objects.get(pk=pk).login_key == "zoe@corp.example"
    with pytest.raises(directory.DirectoryConflict):
        directory.batch.create_users(
            caller, [({"login_id": "zoe@corp.example"}, directory.Sent("00u2"))]
        )
    [gpk] = directory.batch.create_groups(caller, [({"name": "Σ Team"}, directory.Sent("00g1"))])
    assert Group.objects.get(name__ci_exact="σ team").pk == gpk  # fmt: skip


def test_the_sync_finds_the_holder_of_a_look_alike_name():
    holder = UserFactory(login_id="admin")
    found = holders(User, "login_id", ["ａｄｍｉｎ", "nobody"])
    assert found == {"ａｄｍｉｎ": (holder.pk, "admin", holder.auth_provider)}


def test_password_sign_in_finds_the_account_by_any_spelling():
    UserFactory(login_id="özil@corp.example")
    client = Client()
    response = client.post("/login/", {"login_id": "ÖZIL@corp.example", "password": PASSWORD})
    assert response.status_code == 302
    assert client.session.get("_auth_user_id")


def test_comparison_key_agrees_with_itself_after_normalising():
    for first, second in SAME_NAME:
        assert comparison_key(first) == comparison_key(second)


@pytest.mark.django_db(transaction=True)
def test_migration_keys_existing_rows_and_keeps_look_alikes_apart():
    old = migrate([("querypie_admin", "0004_external_id_lives_in_links")])
    OldUser = old.get_model("querypie_admin", "User")
    OldGroup = old.get_model("querypie_admin", "Group")
    first = OldUser.objects.create(login_id="admin")
    look_alike = OldUser.objects.create(login_id="ａｄｍｉｎ")  # LOWER() let it in
    OldGroup.objects.create(name="Ｅｎｇｉｎｅｅｒｉｎｇ")

    new = migrate()
    NewUser = new.get_model("querypie_admin", "User")
    NewGroup = new.get_model("querypie_admin", "Group")
    keys = dict(NewUser.objects.values_list("pk", "login_key"))
    assert keys == {first.pk: "admin", look_alike.pk: f"admin\x01{look_alike.pk}"}
    assert list(NewGroup.objects.values_list("name_key", flat=True)) == ["engineering"]
    assert User.objects.get(login_id__ci_exact="ＡＤＭＩＮ").pk == first.pk


def test_saml_sign_in_resolves_the_okta_account_by_any_spelling():
    from sso.acs import SamlIdentity
    from sso.login import resolve_user
    from tests.factories import okta_user

    user = okta_user(login_id="özil@corp.example")
    identity = SamlIdentity(
        name_id="ÖZIL@corp.example",
        name_id_format="urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress",
        attributes={"loginId": ["ÖZIL@corp.example"]},
        assertion_id="_a1",
        in_response_to=None,
    )
    assert resolve_user(identity).pk == user.pk
    assert User.objects.count() == 1
