"""The audit log reads like the product: details as labelled fields, and the events of one
action (a role mapping change and the roles it changed) as one row that expands."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from querypie_admin import audit
from querypie_admin.audit_actions import SHOWN
from querypie_admin.directory import Caller, role_mappings
from querypie_admin.directory.caller import Source
from querypie_admin.models import AuditEvent, GroupMembership, LinkSource, Role, RoleMapping
from tests.factories import okta_group, okta_user

pytestmark = pytest.mark.django_db
ADMINS_ID = "00gadmins000000000001"
LOG = reverse("audit_log")


def action_rows(page: str) -> list[str]:
    return re.findall(r'<tr class="audit-action".*?</details>', page, re.S)


@pytest.fixture
def fifty_admins(owner):
    RoleMapping.objects.create(okta_group_id=ADMINS_ID, role=Role.SYSTEM_ADMIN)
    group = okta_group(LinkSource.OKTA_SYNC, external_id=ADMINS_ID, name="Admins")
    members = [
        okta_user(LinkSource.OKTA_SYNC, login_id=f"admin{n:02}@corp.example", role="system_admin")
        for n in range(50)
    ]
    GroupMembership.objects.bulk_create(GroupMembership(user=u, group=group) for u in members)
    for user in members:
        user.role_source, user.role_groups = "mapping", [ADMINS_ID]
        user.save()
    return members


def test_a_mapping_change_and_the_roles_it_changed_share_one_action_id(owner, fifty_admins):
    role_mappings.change_mapping(Caller(Source.CONSOLE, owner), ADMINS_ID, Role.USER)

    events = AuditEvent.objects.filter(action__in=["role_mapping.changed", "user.role_changed"])
    assert events.count() == 51
    assert len({e.action_id for e in events}) == 1 and events[0].action_id != ""


def test_the_log_shows_the_mapping_change_as_one_row_that_expands_to_its_users(
    admin_client, owner, fifty_admins
):
    audit.record("auth.signin", actor=owner)  # an event of its own, before
    role_mappings.change_mapping(Caller(Source.CONSOLE, owner), ADMINS_ID, Role.USER)

    page = admin_client.get(LOG).content.decode()

    [row] = action_rows(page)
    summary = row.split("<summary>")[1].split("</summary>")[0]
    assert "<strong>Role mapping changed: 50 users demoted</strong>" in summary
    assert "51 events" in summary
    assert all(f"admin{n:02}@corp.example" in row for n in range(50))
    assert page.count("<tr><td>") - row.count("<tr><td>") == 1  # the sign-in, on its own


def test_details_are_labelled_fields_not_python_dicts(admin_client, owner):
    AuditEvent.objects.create(
        actor_label="Okta sync (run #3)",
        action="user.role_changed",
        target_label="ann@corp.example",
        detail={
            "source": "okta_sync",
            "before": "user",
            "after": "system_admin",
            "okta_groups": ["00gadmins", "00gops"],
            "run": 3,
        },
    )
    page = admin_client.get(LOG).content.decode()
    fields = re.findall(r"<dt>(.*?)</dt><dd>(.*?)</dd>", page)
    assert fields == [
        ("Source", "Okta API sync"),
        ("Before", "User"),
        ("After", "System Admin"),
        ("Okta groups", "00gadmins, 00gops"),
        ("Run", "3"),
    ]
    assert "{&#x27;" not in page and "{'" not in page


def test_an_action_past_what_a_row_lists_links_to_all_its_events(admin_client, owner):
    caller = Caller(Source.CONSOLE, owner)
    count = SHOWN + 20
    caller.record_together(
        [("user.updated", okta_user(LinkSource.SCIM), {"fields": ["email"]}) for _ in range(count)]
    )

    page = admin_client.get(LOG).content.decode()
    [row] = action_rows(page)
    assert f"<strong>{count} users updated</strong>" in row
    assert row.count("<code>user.updated</code>") == SHOWN
    link = f'href="?action_id={caller.action_id}"'
    assert f"{link}>All {count} events of this action</a> (20 more)" in row

    every = admin_client.get(LOG, {"action_id": caller.action_id}).content.decode()
    assert "data-one-action" in every and not action_rows(every)
    assert every.count('<code class="muted">user.updated</code>') == 50  # a page of them


def test_pages_count_actions_not_events(admin_client, owner):
    for n in range(55):
        audit.record("auth.signin", actor=owner, target_label=f"single {n}")
    caller = Caller(Source.CONSOLE, owner)
    caller.record_each("user.updated", [(okta_user(LinkSource.SCIM), {}) for _ in range(30)])

    first = admin_client.get(LOG).content.decode()
    second = admin_client.get(LOG, {"page": 2}).content.decode()

    assert len(action_rows(first)) == 1  # the newest: the 30 updates, one row
    assert first.count("auth.signin") == 49 and second.count("auth.signin") == 6


def test_two_actions_are_two_rows_and_filters_apply_to_their_events(admin_client, owner):
    for label in ("first", "second"):
        Caller(Source.CONSOLE, owner).record_each(
            "user.updated", [(okta_user(LinkSource.SCIM), {"step": label}) for _ in range(3)]
        )
    assert len(action_rows(admin_client.get(LOG).content.decode())) == 2
    none = admin_client.get(LOG, {"action": "group."}).content.decode()
    assert "No events match." in none


def test_the_api_gives_the_action_id_and_filters_by_it(admin_client, owner):
    caller = Caller(Source.CONSOLE, owner)
    caller.record("group.created", target_label="Ops")
    audit.record("auth.signin", actor=owner)
    listed = admin_client.get("/api/v1/audit-events/", {"action_id": caller.action_id}).json()
    assert [(e["action"], e["action_id"]) for e in listed["results"]] == [
        ("group.created", caller.action_id)
    ]


def test_the_page_costs_the_same_queries_whatever_an_actions_size(admin_client, owner):
    def page_queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert admin_client.get(LOG).status_code == 200
        return len(captured)

    Caller(Source.CONSOLE, owner).record_each("user.updated", [(owner, {})] * 3)
    small = page_queries()
    Caller(Source.CONSOLE, owner).record_each("user.updated", [(owner, {})] * 300)
    assert page_queries() == small
