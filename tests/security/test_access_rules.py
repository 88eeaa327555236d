"""Every view declares who may read it and who may write it (querypie_admin.roles), and an
Owner-only write refuses a System Admin with 403 and changes nothing.

The views come from walking the URL conf, so a view added without a declared rule fails here
even if nobody remembered to write a test for it; so does an Owner-only write that a System
Admin gets through.
"""

import pytest
from django.apps import apps
from django.contrib.sessions.models import Session
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from rest_framework.views import APIView

from event_hooks.views import ACTIONS as HOOK_ACTIONS
from querypie_admin.models import AuditEvent
from querypie_admin.roles import Access, AccessRule
from sso.mapping_actions import OPS as MAPPING_OPS
from sso.page_actions import ACTIONS as SSO_ACTIONS
from sso.section_views import IDP_ACTIONS, SLO_ACTIONS
from sync.views import OPS as SYNC_OPS

pytestmark = pytest.mark.django_db

WRITE_METHODS = ("post", "put", "patch", "delete")
SAMPLE_KWARGS = {"pk": "1", "format": "json", "uuid": "x"}
# Every `op` a console form posts; a view whose write is Owner-only refuses all of them (and
# any other) unless its rule lowers that one op.
KNOWN_OPS = sorted(
    {"", "save", "fetch", "check", "collect", *SSO_ACTIONS, *MAPPING_OPS, *SYNC_OPS, *HOOK_ACTIONS}
)
# What the console trusts is an Owner's: these must stay Owner-only (a rule lowered by
# mistake fails here, not only in an attack test).
MUST_BE_OWNER_ONLY = {
    "authentication": [*SSO_ACTIONS, *MAPPING_OPS, "save", "fetch"],
    "auth_identity_provider": [*IDP_ACTIONS, "save", "fetch"],
    "auth_single_logout": [*SLO_ACTIONS],
    "auth_role_mapping": [*MAPPING_OPS],
    "okta_sync_settings": ["save", "dry_run"],
    "provisioning_switch": [""],
    "provisioning_token_create": [""],
    "provisioning_token_delete": [""],
    "event_hooks_settings": [*HOOK_ACTIONS, "save"],
    "user_hand_over": [""],
    "user_take_back": [""],
    "group_hand_over": [""],
    "group_take_back": [""],
    "access_review_write_token": [""],
}
# Rows a refused request may still write: its session, and an audit of the refusal.
NOT_STATE = {AuditEvent, Session}


def _walk(patterns, namespace: str = ""):
    for entry in patterns:
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from _walk(entry.url_patterns, inner)
        elif isinstance(entry, URLPattern):
            yield namespace, entry


def rule_of(callback) -> AccessRule | None:
    """The rule a view declares: on the function, the class, or (REST API) its permission."""
    if rule := getattr(callback, "access_rule", None):
        return rule
    view_class = getattr(callback, "cls", None) or getattr(callback, "view_class", None)
    if view_class is None:
        return None
    if issubclass(view_class, APIView):
        for permission in view_class.permission_classes:
            if rule := getattr(permission, "access_rule", None):
                return rule
        return None
    return getattr(view_class, "access_rule", None)


def _url(namespace: str, entry: URLPattern) -> str:
    kwargs = {k: SAMPLE_KWARGS[k] for k in entry.pattern.regex.groupindex}
    return reverse(namespace + entry.name, kwargs=kwargs)


VIEWS = [(ns + (entry.name or ""), entry) for ns, entry in _walk(get_resolver().url_patterns)]
OWNER_WRITES = sorted(
    (name, _url(name.rpartition(":")[0] + ":" if ":" in name else "", entry), op)
    for name, entry in VIEWS
    if (rule := rule_of(entry.callback)) is not None
    for op in KNOWN_OPS
    if rule.ops.get(op, rule.write) == Access.OWNER
)


def _state() -> dict[str, list[dict]]:
    """Every row of every table but sessions and the audit log, to compare before and after."""
    return {
        model._meta.label: list(model.objects.order_by("pk").values())
        for model in apps.get_models()
        if model not in NOT_STATE and not model._meta.proxy
    }


def test_every_view_declares_who_may_read_and_write_it():
    undeclared = [
        name or str(entry.pattern) for name, entry in VIEWS if not rule_of(entry.callback)
    ]
    assert undeclared == []


def test_the_walk_reaches_every_kind_of_view():
    levels = {level for _, entry in VIEWS for level in rule_of(entry.callback).levels}
    assert levels == set(Access)
    assert len(VIEWS) > 40


@pytest.mark.parametrize("name", sorted(MUST_BE_OWNER_ONLY))
def test_whatever_decides_who_is_who_is_owner_only(name):
    entry = dict(VIEWS)[name]
    rule = rule_of(entry.callback)
    assert {op: rule.ops.get(op, rule.write) for op in MUST_BE_OWNER_ONLY[name]} == {
        op: Access.OWNER for op in MUST_BE_OWNER_ONLY[name]
    }


# The REST API's only writes: a reviewer's decisions on their own access review items
# (tests/access_reviews/test_api.py: another's item is a 404, a bulk needs the count).
API_WRITES = {"api-access-review-item-decision", "api-access-review-decisions"}


def test_the_rest_api_changes_nothing_for_anyone(client, owner):
    """The REST API is read-only but for API_WRITES: no method but reads reaches a view."""
    client.force_login(owner)
    for name, entry in VIEWS:
        view_class = getattr(entry.callback, "cls", None)
        if view_class is None or not issubclass(view_class, APIView) or not entry.name:
            continue
        if entry.name in API_WRITES:
            continue
        url = _url(name.rpartition(":")[0] + ":" if ":" in name else "", entry)
        for method in WRITE_METHODS:
            assert getattr(client, method)(url).status_code in (403, 405), (method, url)


@pytest.mark.parametrize(("name", "url", "op"), OWNER_WRITES)
def test_a_system_admin_is_refused_every_owner_only_write(client, system_admin, name, url, op):
    client.force_login(system_admin)
    before = _state()
    response = client.post(url, {"op": op} if op else {})
    assert response.status_code == 403
    assert b"Only an Owner can change this." in response.content
    assert _state() == before
    refusal = AuditEvent.objects.get(action="console.owner_only_refused")
    assert (refusal.actor, refusal.outcome, refusal.detail["op"]) == (system_admin, "failure", op)
