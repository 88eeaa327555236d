"""Anonymous refusals at the ACS and the Single Logout URL are audited at most once a minute
per client address, with a count (querypie_admin/audit_throttle.py): 300 garbage posts are
one event saying 299 more followed. A refusal that names an account, and every successful
sign-in, is still audited one by one. The clock is pinned: windows are whole minutes."""

import datetime

import pytest
from django.core.cache import caches
from freezegun import freeze_time

from querypie_admin.models import AuditEvent, LinkSource
from tests.factories import okta_user
from tests.saml_idp.idp import encode

pytestmark = pytest.mark.django_db
MINUTE = datetime.datetime(2026, 3, 7, 9, 0, 5, tzinfo=datetime.UTC)
ELSEWHERE = "198.51.100.7"
REASON = "SAMLResponse is not XML"


def failures(action: str) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action=action, outcome="failure").order_by("id"))


def garbage_acs(client, count: int, address: str = "127.0.0.1") -> None:
    for n in range(count):
        response = client.post(
            "/saml/sp/acs", {"SAMLResponse": f"not-saml-{n}"}, REMOTE_ADDR=address
        )
        assert response.status_code == 403


@pytest.mark.parametrize(
    "backend",
    ["django.core.cache.backends.locmem.LocMemCache", "querypie_admin.cache.FileCache"],
)
def test_three_hundred_bad_posts_to_the_acs_are_one_event_with_the_count(
    client, saml_configured, settings, tmp_path, backend
):
    settings.CACHES = {"default": {"BACKEND": backend, "LOCATION": str(tmp_path)}}
    used = type(caches["default"])
    assert f"{used.__module__}.{used.__name__}" == backend
    with freeze_time(MINUTE):
        garbage_acs(client, 300)

    [event] = failures("auth.signin")
    assert (event.ip_address, event.actor_label) == ("127.0.0.1", "unknown (SAML)")
    assert event.detail == {"method": "saml", "reason": REASON, "repeated": 299}


def test_another_address_and_the_next_minute_each_get_their_own_event(client, saml_configured):
    with freeze_time(MINUTE) as clock:
        garbage_acs(client, 10)
        garbage_acs(client, 3, address=ELSEWHERE)
        clock.tick(datetime.timedelta(seconds=60))
        garbage_acs(client, 2)

    events = failures("auth.signin")
    assert [(e.ip_address, e.detail["repeated"]) for e in events] == [
        ("127.0.0.1", 9),
        (ELSEWHERE, 2),
        ("127.0.0.1", 1),
    ]


def test_a_refusal_naming_an_account_is_audited_every_time_even_in_a_flood(
    client, saml_configured, spec
):
    okta_user(LinkSource.SCIM, login_id="gone@corp.example", is_active=False)
    attributes = {"loginId": "gone@corp.example"}
    with freeze_time(MINUTE):
        garbage_acs(client, 5)
        for _ in range(2):
            xml = saml_configured.response_xml(
                spec(name_id="gone@corp.example", attributes=attributes)
            )
            assert client.post("/saml/sp/acs", {"SAMLResponse": encode(xml)}).status_code == 403

    reasons = [e.detail["reason"] for e in failures("auth.signin")]
    assert reasons[1:] == ["inactive account", "inactive account"]
    assert failures("auth.signin")[0].detail["repeated"] == 4


def test_three_hundred_bad_single_logout_messages_are_one_event_with_the_count(
    client, saml_configured
):
    with freeze_time(MINUTE):
        for n in range(150):
            assert client.post("/saml/sp/slo", {"SAMLRequest": f"x{n}"}).status_code == 400
            assert client.get(f"/saml/sp/slo?SAMLRequest=y{n}").status_code == 400
        assert client.get("/saml/sp/slo?RelayState=x", REMOTE_ADDR=ELSEWHERE).status_code == 400

    events = failures("sso.single_logout")
    assert [(e.ip_address, e.detail["step"], e.detail["repeated"]) for e in events] == [
        ("127.0.0.1", "message_refused", 299),
        (ELSEWHERE, "message_refused", 0),
    ]
