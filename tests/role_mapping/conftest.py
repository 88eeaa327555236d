"""Role mapping tests: people at the console, Okta group ids as Okta writes them, and the
helpers that read what a page or the audit log says."""

import pytest
from django.urls import reverse

from querypie_admin.models import AuditEvent, LinkSource, Role, RoleMapping
from tests.factories import okta_group
from tests.foundation.conftest import Person
from tests.scim.conftest import scim, scim_token  # noqa: F401 - fixtures, used by name
from tests.sso.conftest import idp, post_acs, saml_configured, spec  # noqa: F401 - fixtures

PAGE = "/administrator/authentication/role-mapping/"
# Okta's group ids: 00g and 17 letters or digits.
ADMINS_ID = "00gAdm1nsGr0up000001"
ENGINEERS_ID = "00gEng1neersGr000002"
OWNERS_ID = "00gOwnersGr0up000003"


@pytest.fixture
def as_owner(owner) -> Person:
    return Person(owner)


@pytest.fixture
def as_sysadmin(system_admin) -> Person:
    return Person(system_admin)


@pytest.fixture
def admins(db):
    """The Okta group "Admins", known here by the Okta sync's link, mapped to System Admin."""
    RoleMapping.objects.create(okta_group_id=ADMINS_ID, role=Role.SYSTEM_ADMIN, group_name="Admins")
    return okta_group(LinkSource.OKTA_SYNC, external_id=ADMINS_ID, name="Admins")


def post_mapping(person: Person, op: str, **fields):
    return person.post(PAGE, {"op": op, **fields})


def refusals(action: str) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action=action, outcome="failure"))


def user_page(person: Person, user) -> str:
    return person.page(reverse("user_detail", args=[user.pk]))
