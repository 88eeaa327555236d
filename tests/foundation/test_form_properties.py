"""Property-based console forms: whatever a person (or a forged POST) sends, the page
answers without a 5xx, and a refused form saves nothing."""

import pytest
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from okta.models import OktaOrg
from querypie_admin.models import AuditEvent, Group, User

pytestmark = pytest.mark.django_db
EXAMPLES = settings(
    max_examples=150,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
TRICKY = [
    "", " ", "\x00", "ÖZIL@corp.example", "ａｄｍｉｎ", "ad\u200bmin", "\u202eadmin", "x" * 300,
    "owner", "OWNER@corp.example", "\u00b2", "-1", "99999999999999999999999", "2024-13-01",
    "* * * * *", "61 * * * *", "58 * * * *,", "https://10.1", "http://2852039166",
]  # fmt: skip
text = st.one_of(st.sampled_from(TRICKY), st.text(max_size=40))


def directory_state() -> tuple:
    return (
        sorted(User.objects.values_list("id", "login_id", "role", "is_active")),
        sorted(Group.objects.values_list("id", "name")),
        AuditEvent.objects.filter(outcome="success").count(),
    )


@EXAMPLES
@given(
    fields=st.fixed_dictionaries(
        {},
        optional={
            "login_id": text,
            "first_name": text,
            "last_name": text,
            "email": text,
            "role": st.sampled_from(["user", "system_admin", "owner", "root"]) | text,
        },
    )
)
def test_add_user_never_fails_and_a_refusal_adds_nobody(as_owner, fields):
    before = directory_state()
    response = as_owner.post(reverse("user_add"), fields)
    assert response.status_code < 500
    if response.status_code != 302:
        assert directory_state() == before


@EXAMPLES
@given(
    page=st.sampled_from(["user_list", "group_list", "audit_log"]),
    params=st.dictionaries(
        st.sampled_from(["q", "status", "auth_provider", "action", "outcome", "since", "page"]),
        text,
        max_size=4,
    ),
)
def test_list_filters_never_fail(as_owner, page, params):
    assert as_owner.get(reverse(page), **params).status_code == 200


@EXAMPLES
@given(login_id=text, password=text)
def test_sign_in_never_fails(client, owner, login_id, password):
    response = client.post(reverse("login"), {"login_id": login_id, "password": password})
    assert response.status_code in (200, 302, 400, 429)


@EXAMPLES
@given(
    fields=st.fixed_dictionaries(
        {"op": st.just("save")},
        optional={
            name: text | st.sampled_from(values)
            for name, values in {
                "enabled": ["on", ""],
                "api_url": ["acme.okta.com", "https://[64:ff9b::a9fe:a9fe]", "0xa9fea9fe"],
                "api_token": ["00abcdefghijklmnWXYZ", "A" * 5000],
                "scope": ["app", "directory"],
                "frequency": ["off", "minutes", "hourly", "daily", "cron"],
                "every_minutes": ["1", "5", "1441", "30"],
                "daily_at": ["02:30", "25:00"],
                "cron": ["*/5 * * * *", "* * * * *"],
                "deactivation_threshold": ["0", "20", "101"],
            }.items()
        },
    )
)
def test_sync_settings_never_fail_and_a_refusal_saves_nothing(as_owner, fields):
    before = OktaOrg.load().__dict__ | {"_state": None}
    response = as_owner.post("/administrator/authentication/okta-sync/", fields)
    assert response.status_code in (302, 400)
    if response.status_code == 400:
        assert OktaOrg.load().__dict__ | {"_state": None} == before
