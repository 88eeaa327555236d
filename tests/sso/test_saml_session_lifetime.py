"""The SAML session registry keeps a record as long as its console session lives: Django moves
a session's expiry SESSION_COOKIE_AGE (8 hours) past each save, so a session in use outlives
8 hours from its sign-in, and Okta's LogoutRequest must still find and end it."""

import datetime

import pytest
from django.test import Client
from freezegun import freeze_time

from querypie_admin.models import LinkSource
from sso import sessions
from sso.models import SamlSession
from tests.factories import okta_user
from tests.saml_idp.idp import encode
from tests.sso.conftest import signed_in_login_id

pytestmark = pytest.mark.django_db
JANE, JOHN = "jane@corp.example", "john@corp.example"
SIGN_IN = datetime.datetime(2026, 3, 7, 9, 0, tzinfo=datetime.UTC)


def sign_in(client, idp, spec, login: str, index: str) -> None:
    attributes = {"loginId": login, "email": login}
    xml = idp.response_xml(spec(name_id=login, session_index=index, attributes=attributes))
    assert client.post("/saml/sp/acs", {"SAMLResponse": encode(xml)}).status_code == 302


@pytest.fixture
def people(db):
    okta_user(LinkSource.SCIM, login_id=JANE)
    okta_user(LinkSource.SCIM, login_id=JOHN)


@pytest.fixture(
    params=["django.contrib.sessions.backends.db", "django.contrib.sessions.backends.cache"]
)
def session_engine(request, settings) -> str:
    settings.SESSION_ENGINE = request.param
    return request.param


def test_a_session_in_use_past_eight_hours_keeps_its_record_and_okta_still_ends_it(
    saml_configured, spec, people, session_engine
):
    jane, idle, john = Client(), Client(), Client()
    with freeze_time(SIGN_IN):
        sign_in(jane, saml_configured, spec, JANE, "s-jane")
        sign_in(idle, saml_configured, spec, JOHN, "s-idle")
    with freeze_time(SIGN_IN + datetime.timedelta(hours=7)):
        kept = jane.session  # Jane works on: the session is saved, its expiry moves on
        kept["seen"] = True
        kept.save()
    with freeze_time(SIGN_IN + datetime.timedelta(hours=9)):
        sign_in(john, saml_configured, spec, JOHN, "s-john")  # a sign-in purges the registry
        assert signed_in_login_id(jane) == JANE
        assert set(SamlSession.objects.values_list("session_index", flat=True)) == {
            "s-jane",
            "s-john",
        }  # the idle session expired at 8 hours: its record went with it

        ended = sessions.end(JANE, "", ["s-jane"])

        assert [s.session_index for s in ended] == ["s-jane"]
        assert signed_in_login_id(jane) is None


def test_a_record_goes_once_the_idp_session_limit_has_passed(saml_configured, spec, people):
    later = SIGN_IN + datetime.timedelta(hours=1)
    jane = Client()
    with freeze_time(SIGN_IN):
        xml = saml_configured.response_xml(
            spec(
                name_id=JANE,
                session_index="s-jane",
                session_not_on_or_after=later,
                attributes={"loginId": JANE},
            )
        )
        assert jane.post("/saml/sp/acs", {"SAMLResponse": encode(xml)}).status_code == 302
    with freeze_time(later + datetime.timedelta(minutes=1)):
        sign_in(Client(), saml_configured, spec, JOHN, "s-john")
        assert list(SamlSession.objects.values_list("session_index", flat=True)) == ["s-john"]
