"""Property-based SCIM: whatever an IdP sends (bodies, filters, PATCH paths, ids), the
answer is never a 5xx and never HTML, and a refused request changes nothing.

Hypothesis builds the inputs from SCIM's own pieces (attribute names, operators, URNs,
look-alike and invisible characters) mixed with arbitrary JSON; the example counts keep the
whole module within a minute or so.
"""

import json
from functools import partial

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from querypie_admin.models import (
    AuditEvent,
    DirectoryLink,
    Group,
    GroupMembership,
    LinkSource,
    User,
)
from tests.factories import okta_group, okta_user

from .conftest import GROUP_SCHEMA, PATCH_SCHEMA, QUERYPIE, USER_SCHEMA

pytestmark = pytest.mark.django_db
EXAMPLES = settings(
    max_examples=400,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
ATTRIBUTES = [
    "userName", "displayName", "externalId", "id", "active", "emails", "emails.value",
    "emails.type", "name.givenName", "name.familyName", "phoneNumbers", "addresses", "members",
    "members.value", "meta.lastModified", "meta.created", "groups", f"{QUERYPIE}:staticIp",
    "title", "", "x" * 300,
]  # fmt: skip
OPERATORS = ["eq", "ne", "co", "sw", "ew", "gt", "ge", "lt", "le", "pr", "EQ", "and", "or", "not"]
TRICKY = [
    "\u00b2", "\u0661", "99999999999999999999999", "-1", "1", "0", "ÖZIL", "ａｄｍｉｎ",
    "ad\u200bmin", "\u202e", "\x00", "\\", '"', "[", "]", "(", ")", "null", "true", "2024-13-01",
]  # fmt: skip

quoted = partial(json.dumps, ensure_ascii=False)  # a SCIM string literal
text = st.one_of(st.sampled_from(TRICKY), st.text(max_size=30))
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | text,
    lambda inner: st.lists(inner, max_size=4)
    | st.dictionaries(st.sampled_from(ATTRIBUTES) | text, inner, max_size=4),
    max_leaves=12,
)
ids = st.one_of(st.sampled_from(TRICKY), st.integers().map(str), text)
literals = st.one_of(
    text.map(quoted), st.sampled_from(["true", "false", "null", "1", "1e999", "-0"])
)
FILTERED = ["id", "value", "userName", "displayName", "externalId", "emails.value", "active"]
comparisons = st.one_of(
    st.builds("{} eq {}".format, st.sampled_from(["id", "value"]), ids.map(quoted)),
    st.builds(
        "{} {} {}".format,
        st.sampled_from(FILTERED) | st.sampled_from(ATTRIBUTES),
        st.sampled_from(["eq", "ne", "co", "gt"]) | st.sampled_from(OPERATORS),
        literals,
    ),
    st.builds("{} pr".format, st.sampled_from(ATTRIBUTES)),
)
garbage = st.lists(
    st.one_of(st.sampled_from(ATTRIBUTES), st.sampled_from(OPERATORS), literals, text),
    max_size=6,
).map(" ".join)
filters = st.recursive(
    comparisons | garbage,
    lambda inner: st.builds("{} and {}".format, inner, inner)
    | st.builds("{} or {}".format, inner, inner)
    | st.builds("not ({})".format, inner)
    | st.builds("members[{}]".format, inner),
    max_leaves=4,
)
paths = st.one_of(
    st.sampled_from(["members", "emails", "active", "userName", "displayName", "externalId"]),
    st.sampled_from(ATTRIBUTES),
    st.tuples(st.sampled_from(["members", "emails", "phoneNumbers"]), filters).map(
        lambda p: f"{p[0]}[{p[1]}]"
    ),
    text,
    st.none(),
)
# Values as Okta sends them for multi-valued attributes (members, emails), and anything else.
items = st.lists(
    st.fixed_dictionaries({"value": st.one_of(ids, st.integers(), st.none())}), max_size=3
)
operations = st.one_of(
    st.fixed_dictionaries(  # what Okta sends most: members and emails
        {
            "op": st.sampled_from(["add", "remove", "replace"]),
            "path": st.sampled_from(["members", "emails"])
            | ids.map(lambda i: f"members[value eq {quoted(i)}]"),
        },
        optional={"value": st.one_of(items, text)},
    ),
    st.fixed_dictionaries(
        {"op": st.sampled_from(["add", "remove", "replace", "Add", "move", "", 1])},
        optional={"path": paths, "value": st.one_of(items, text, json_values)},
    ),
)


def snapshot() -> tuple:
    """Everything a SCIM request could change, to compare before and after a refusal."""
    return (
        sorted(User.objects.values_list("id", "login_id", "first_name", "email", "is_active")),
        sorted(Group.objects.values_list("id", "name")),
        sorted(GroupMembership.objects.values_list("group_id", "user_id")),
        sorted(DirectoryLink.objects.values_list("id", "external_id")),
        AuditEvent.objects.filter(outcome="success").count(),
    )


def check(response, before: tuple) -> None:
    assert response.status_code < 500, response.content
    assert response["Content-Type"].startswith("application/scim+json")
    if response.status_code >= 400:
        assert response.json()["status"] == str(response.status_code)
        assert snapshot() == before


@pytest.fixture
def rows(db):
    user = okta_user(LinkSource.SCIM, login_id="ann@corp.example", email="ann@corp.example")
    group = okta_group(LinkSource.SCIM, name="Engineering")
    group.members.add(user)
    return user, group


@EXAMPLES
@given(body=json_values, kind=st.sampled_from(["Users", "Groups"]), schemas=st.booleans())
def test_any_post_body_is_answered_in_scim_json_and_a_refusal_saves_nothing(
    scim, rows, body, kind, schemas
):
    if schemas and isinstance(body, dict):
        body = {"schemas": [USER_SCHEMA if kind == "Users" else GROUP_SCHEMA], **body}
    before = snapshot()
    check(scim.post(f"/{kind}", body), before)


@EXAMPLES
@given(body=json_values, kind=st.sampled_from(["Users", "Groups"]))
def test_any_put_body_is_answered_in_scim_json_and_a_refusal_saves_nothing(scim, rows, body, kind):
    user, group = rows
    if isinstance(body, dict):
        body = {"schemas": [USER_SCHEMA if kind == "Users" else GROUP_SCHEMA], **body}
    before = snapshot()
    check(scim.put(f"/{kind}/{user.pk if kind == 'Users' else group.pk}", body), before)


@EXAMPLES
@given(ops=st.lists(operations, max_size=4), kind=st.sampled_from(["Users", "Groups"]))
def test_any_patch_is_answered_in_scim_json_and_a_refusal_saves_nothing(scim, rows, ops, kind):
    user, group = rows
    body = {"schemas": [PATCH_SCHEMA], "Operations": ops}
    before = snapshot()
    check(
        scim.request("patch", f"/{kind}/{user.pk if kind == 'Users' else group.pk}", body), before
    )


@EXAMPLES
@given(query=filters, kind=st.sampled_from(["Users", "Groups"]), search=st.booleans())
def test_any_filter_is_a_list_or_invalid_filter(scim, rows, query, kind, search):
    if search:
        body = {"schemas": ["urn:ietf:params:scim:api:messages:2.0:SearchRequest"], "filter": query}
        response = scim.post(f"/{kind}/.search", body)
    else:
        response = scim.get(f"/{kind}", filter=query)
    check(response, snapshot())
    assert response.status_code in (200, 400)
    if response.status_code == 400:  # a NUL in a .search body is refused with the body
        nul_body = search and "\x00" in query
        assert response.json()["scimType"] == ("invalidValue" if nul_body else "invalidFilter")


@EXAMPLES
@given(uuid=text.filter(lambda t: t.strip() and not t.startswith(".") and "/" not in t))
def test_any_id_is_found_or_404(scim, rows, uuid):
    from urllib.parse import quote

    user, _ = rows
    response = scim.get(f"/Users/{quote(uuid, safe='')}")
    check(response, snapshot())
    assert response.status_code == (200 if uuid == str(user.pk) else 404)
