"""Attacks at the console, the REST API and sign-in: a System Admin reaching for an Owner,
forged posts without a CSRF token, a personal API token that tries to write, and login IDs
in another script that PostgreSQL folds onto a local Owner's login."""

import pytest
from django.test import Client
from django.urls import reverse

from querypie_admin.models import AuditEvent, AuthProvider, Group, LinkSource, Role, User
from tests.factories import GroupFactory, UserFactory, okta_group, okta_user
from tests.foundation.conftest import Person, messages_of
from tests.foundation.test_api import issue
from tests.sso.conftest import configure, signed_in_login_id
from tests.sso.test_acs_ownership import assert_refused_as_password_account

pytestmark = pytest.mark.django_db
DOTTED_ADMIN = "ADM\u0130N"  # PostgreSQL's LOWER() gives "admin"; Python's casefold() does not
ONLY_AN_OWNER = "Only an Owner can change an Owner or make an Owner."


def snapshot(*rows) -> list[dict]:
    return [type(r).objects.filter(pk=r.pk).values().get() for r in rows]


# A System Admin reaching for an Owner -------------------------------------------------
def test_system_admin_cannot_reactivate_a_deactivated_owner(system_admin, owner):
    """Deactivating an Owner is refused to a System Admin; bringing one back (a departed
    Owner's account, say) is changing an Owner too."""
    former = UserFactory(login_id="former.owner@corp.example", role=Role.OWNER, is_active=False)

    response = Person(system_admin).post(
        reverse("user_set_status", args=[former.pk]), {"active": "1"}, follow=True
    )

    assert messages_of(response) == [ONLY_AN_OWNER]
    former.refresh_from_db()
    assert not former.is_active, "a System Admin brought an Owner back"
    event = AuditEvent.objects.get(action="user.activated", outcome="failure")
    assert event.detail == {"source": "console", "reason": ONLY_AN_OWNER}


# Forged posts without a CSRF token ----------------------------------------------------
def test_console_writes_without_a_csrf_token_are_refused_and_change_nothing(owner):
    """A page on another site making the Owner's browser post: every write answers 403."""
    local = UserFactory(login_id="local@corp.example")
    okta = okta_user(LinkSource.SCIM, external_id="00u1", login_id="okta@corp.example")
    team = GroupFactory(name="Team")
    okta_team = okta_group(LinkSource.SCIM, name="Okta team")
    forged = Client(enforce_csrf_checks=True)
    forged.force_login(owner)
    before = snapshot(owner, local, okta, team, okta_team)
    posts = [
        (reverse("user_set_status", args=[local.pk]), {"active": "0"}),
        (reverse("user_set_role", args=[local.pk]), {"role": Role.OWNER}),
        (reverse("user_hand_over", args=[local.pk]), {}),
        (reverse("user_take_back", args=[okta.pk]), {}),
        (reverse("group_hand_over", args=[team.pk]), {}),
        (reverse("group_take_back", args=[okta_team.pk]), {}),
        (reverse("group_delete", args=[team.pk]), {}),
        (reverse("user_add"), {"login_id": "mallory", "role": Role.OWNER}),
    ]
    for url, data in posts:
        assert forged.post(url, data).status_code == 403, url
    assert snapshot(owner, local, okta, team, okta_team) == before
    assert User.objects.count() == 3 and Group.objects.count() == 2
    assert not AuditEvent.objects.filter(action__regex=r"^(user|group)\.").exists()


# The REST API is read-only ------------------------------------------------------------
def test_an_owners_personal_api_token_cannot_write(client, owner, plain_user):
    team = GroupFactory(name="Team")
    before = snapshot(owner, plain_user, team)
    auth = {"HTTP_AUTHORIZATION": f"Bearer {issue(owner.login_id)}"}
    body = {"login_id": "mallory", "role": Role.OWNER, "is_active": False, "name": "Mine"}
    writes = [
        ("post", "/api/v1/users/"),
        ("put", f"/api/v1/users/{plain_user.pk}/"),
        ("patch", f"/api/v1/users/{owner.pk}/"),
        ("delete", f"/api/v1/users/{owner.pk}/"),
        ("post", "/api/v1/groups/"),
        ("patch", f"/api/v1/groups/{team.pk}/"),
        ("delete", f"/api/v1/groups/{team.pk}/"),
        ("delete", "/api/v1/audit-events/1/"),
    ]
    for method, url in writes:
        response = getattr(client, method)(url, body, content_type="application/json", **auth)
        assert response.status_code == 405, (method, url, response.status_code)
    assert snapshot(owner, plain_user, team) == before
    assert User.objects.count() == 2 and Group.objects.count() == 1


# Login IDs that PostgreSQL folds onto a local Owner's ----------------------------------
@pytest.fixture
def local_admin(db) -> User:
    return UserFactory(login_id="admin", role=Role.OWNER, first_name="Ada")


def test_signed_assertion_for_a_dotted_capital_i_admin_never_signs_in_as_the_local_owner(
    client, idp, spec, post_acs, local_admin
):
    """`ADMİN` is refused as the password account `admin`, or is another account of its own
    (created on first login); it never signs in as the local Owner nor touches it."""
    configure(idp, jit_enabled=True)
    attributes = {"loginId": DOTTED_ADMIN, "firstName": "Mallory"}
    response = post_acs(idp.response_xml(spec(name_id=DOTTED_ADMIN, attributes=attributes)))
    if response.status_code == 403:
        assert_refused_as_password_account(client, response, local_admin)
    else:
        assert signed_in_login_id(client) == DOTTED_ADMIN
    after = User.objects.get(pk=local_admin.pk)
    assert (after.first_name, after.auth_provider, after.links.count()) == ("Ada", "querypie", 0)


def test_password_lock_out_also_holds_for_a_unicode_variant_of_the_login(
    client, local_admin, password, settings
):
    """Five wrong passwords lock `admin` out. If `ADMİN` is the same login (PostgreSQL's
    LOWER() says so) it must meet the same lock, or each dotted I doubles the guesses an
    attacker gets; if it is not, it does not sign in as `admin` at all."""
    settings.SIGNIN_LOCKOUT_IP_FAILURES = 1000  # the per-address limit is another counter
    for _ in range(settings.SIGNIN_LOCKOUT_FAILURES):
        client.post(reverse("login"), {"login_id": "admin", "password": "wrong guess"})
    locked = client.post(reverse("login"), {"login_id": "admin", "password": password})
    assert locked.status_code == 429

    response = client.post(reverse("login"), {"login_id": DOTTED_ADMIN, "password": password})

    assert "_auth_user_id" not in client.session, "signed in while `admin` was locked out"
    assert response.status_code in (200, 429)
    assert User.objects.get(pk=local_admin.pk).auth_provider == AuthProvider.QUERYPIE
