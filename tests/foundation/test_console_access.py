"""Role checks on every Administrator page and sign-in behaviour."""

import pytest
from django.urls import reverse

from querypie_admin.models import AuditEvent, LinkSource, User
from tests.factories import PASSWORD, okta_user

pytestmark = pytest.mark.django_db

ADMIN_PAGES = [
    "user_list",
    "user_add",
    "group_list",
    "authentication",  # the old page, now a redirect to its first section
    "auth_identity_provider",
    "auth_single_logout",
    "auth_role_mapping",
    "okta_sync_settings",
    "event_hooks_settings",
    "provisioning",
    "audit_log",
]


@pytest.mark.parametrize("name", ADMIN_PAGES)
def test_anonymous_is_sent_to_sign_in(client, name):
    response = client.get(reverse(name))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("name", ADMIN_PAGES)
def test_user_role_gets_403_on_administrator_pages(client, plain_user, name):
    client.force_login(plain_user)
    assert client.get(reverse(name)).status_code == 403


@pytest.mark.parametrize("name", ADMIN_PAGES)
def test_system_admin_reaches_administrator_pages(client, system_admin, name):
    client.force_login(system_admin)
    assert client.get(reverse(name), follow=True).status_code == 200


def test_detail_and_delete_pages_are_admin_only(client, plain_user, group_factory):
    group = group_factory()
    client.force_login(plain_user)
    for url in (
        reverse("user_detail", args=[plain_user.pk]),
        reverse("group_detail", args=[group.pk]),
        reverse("group_delete", args=[group.pk]),
    ):
        assert client.get(url).status_code == 403
    assert client.post(reverse("group_delete", args=[group.pk])).status_code == 403
    for name in ("user_set_status", "user_set_role", "user_hand_over", "user_take_back"):
        assert client.post(reverse(name, args=[plain_user.pk])).status_code == 403
    assert User.objects.get(pk=plain_user.pk).is_active


def test_sign_in_is_case_insensitive_and_audited(client, owner, password):
    response = client.post(
        reverse("login"), {"login_id": "OWNER@corp.example", "password": password}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("home")
    event = AuditEvent.objects.get(action="auth.signin")
    assert (event.outcome, event.actor_label) == ("success", owner.login_id)


@pytest.mark.parametrize(
    "login_id,make_inactive,reason",
    [
        ("nobody@corp.example", False, "unknown login ID"),
        ("member@corp.example", False, "wrong password"),
        ("member@corp.example", True, "inactive account"),
    ],
)
def test_failed_sign_in_shows_one_message_and_audits_the_reason(
    client, plain_user, login_id, make_inactive, reason
):
    if make_inactive:
        plain_user.is_active = False
        plain_user.save()
        password = "correct horse battery staple"
    else:
        password = "Wr0ng-pa55"
    response = client.post(reverse("login"), {"login_id": login_id, "password": password})
    assert response.status_code == 200
    assert b"The login ID or password is incorrect" in response.content
    assert "_auth_user_id" not in client.session
    event = AuditEvent.objects.get(action="auth.signin")
    assert (event.outcome, event.detail["reason"]) == ("failure", reason)
    assert password not in str(event.detail)


@pytest.mark.parametrize("sources", [(LinkSource.SCIM,), ()], ids=["linked", "handed-over"])
def test_an_account_okta_owns_cannot_sign_in_with_a_password(client, sources):
    user = okta_user(*sources, login_id="okta.ann@corp.example")
    user.set_password(PASSWORD)  # e.g. handed over while it still had its local password
    user.save()

    response = client.post(reverse("login"), {"login_id": user.login_id, "password": PASSWORD})

    assert b"The login ID or password is incorrect" in response.content
    assert "_auth_user_id" not in client.session
    event = AuditEvent.objects.get(action="auth.signin")
    assert (event.outcome, event.detail) == (
        "failure",
        {"method": "password", "reason": "account is managed by Okta (signs in with Okta)"},
    )


def test_an_okta_account_signed_in_with_okta_keeps_its_session(client):
    """SAML sign-ins use the same backend for the session: only the password check refuses."""
    user = okta_user(LinkSource.SAML)
    client.force_login(user, backend="querypie_admin.auth_backends.LoginIdBackend")
    assert client.get(reverse("profile")).status_code == 200


def test_deactivated_user_is_locked_out_of_an_open_session(client, plain_user):
    client.force_login(plain_user)
    assert client.get(reverse("profile")).status_code == 200
    plain_user.is_active = False
    plain_user.save()
    assert client.get(reverse("profile")).status_code == 302


def test_user_role_lands_on_its_profile(client, plain_user, password):
    client.post(reverse("login"), {"login_id": plain_user.login_id, "password": password})
    response = client.get(reverse("home"))
    assert response["Location"] == reverse("profile")
    page = client.get(reverse("profile")).content.decode()
    assert plain_user.login_id in page and "QueryPie" in page


def test_sign_out_needs_post_and_ends_the_session(admin_client):
    assert admin_client.get(reverse("logout")).status_code == 405
    assert admin_client.post(reverse("logout")).status_code == 302
    assert admin_client.get(reverse("user_list")).status_code == 302


def test_next_parameter_never_leaves_the_console(client, owner, password):
    response = client.post(
        reverse("login") + "?next=https://evil.example/",
        {"login_id": owner.login_id, "password": password},
    )
    assert response["Location"] == reverse("home")


def test_forms_require_csrf(owner, password):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    response = strict.post(reverse("login"), {"login_id": owner.login_id, "password": password})
    assert response.status_code == 403
    strict.force_login(owner)
    assert strict.post(reverse("logout")).status_code == 403
