"""Okta sends membership PATCHes for one group in parallel: none may be lost (PostgreSQL)."""

import threading

import pytest
import requests

from querypie_admin import directory
from querypie_admin.models import AuditEvent, GroupMembership, LinkSource
from tests.factories import okta_group, okta_user

from .conftest import PATCH_SCHEMA

pytestmark = pytest.mark.django_db(transaction=True)
THREADS = 8
PER_THREAD = 5


def test_parallel_member_patches_lose_no_member(live_server, scim_token):
    group = okta_group(LinkSource.SCIM, name="parallel")
    users = [okta_user(LinkSource.SCIM) for _ in range(THREADS * PER_THREAD)]
    batches = [users[i::THREADS] for i in range(THREADS)]
    barrier = threading.Barrier(THREADS)
    statuses: list[int] = []

    def push(batch):
        barrier.wait()
        for user in batch:  # one request per member, as Okta sends them
            operation = {"op": "add", "path": "members", "value": [{"value": str(user.pk)}]}
            response = requests.patch(
                f"{live_server.url}/api/scim/v2/Groups/{group.pk}",
                json={"schemas": [PATCH_SCHEMA], "Operations": [operation]},
                headers={
                    "Authorization": f"Bearer {scim_token}",
                    "Content-Type": "application/scim+json",
                },
                timeout=30,
            )
            statuses.append(response.status_code)

    threads = [threading.Thread(target=push, args=(batch,)) for batch in batches]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert statuses == [204] * len(users)
    present = set(GroupMembership.objects.filter(group=group).values_list("user_id", flat=True))
    assert present == {u.pk for u in users}
    events = AuditEvent.objects.filter(action="group.members_added", target_id=str(group.pk))
    assert sorted(login for e in events for login in e.detail["added"]) == sorted(
        u.login_id for u in users
    )


def test_parallel_adds_and_removes_keep_the_untouched_members(live_server, scim_token):
    group = okta_group(LinkSource.SCIM, name="mixed")
    keep = [okta_user(LinkSource.SCIM) for _ in range(10)]
    leave = [okta_user(LinkSource.SCIM) for _ in range(THREADS)]
    join = [okta_user(LinkSource.SCIM) for _ in range(THREADS)]
    directory.add_members(directory.Caller.scim(), group, keep + leave)
    barrier = threading.Barrier(THREADS)

    def push(i):
        ops = [
            {"op": "remove", "path": f'members[value eq "{leave[i].pk}"]'},
            {"op": "add", "path": "members", "value": [{"value": str(join[i].pk)}]},
        ]
        barrier.wait()
        requests.patch(
            f"{live_server.url}/api/scim/v2/Groups/{group.pk}",
            json={"schemas": [PATCH_SCHEMA], "Operations": ops},
            headers={"Authorization": f"Bearer {scim_token}"},
            timeout=30,
        ).raise_for_status()

    threads = [threading.Thread(target=push, args=(i,)) for i in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    present = set(GroupMembership.objects.filter(group=group).values_list("user_id", flat=True))
    assert present == {u.pk for u in keep + join}


def test_parallel_adds_of_one_member_write_one_row_and_one_event(live_server, scim_token):
    """Okta retries: the same member-add arrives eight times at once. One row, one event."""
    group, user = okta_group(LinkSource.SCIM, name="retried"), okta_user(LinkSource.SCIM)
    barrier = threading.Barrier(THREADS)
    statuses: list[int] = []

    def push():
        operation = {"op": "add", "path": "members", "value": [{"value": str(user.pk)}]}
        barrier.wait()
        response = requests.patch(
            f"{live_server.url}/api/scim/v2/Groups/{group.pk}",
            json={"schemas": [PATCH_SCHEMA], "Operations": [operation]},
            headers={"Authorization": f"Bearer {scim_token}"},
            timeout=30,
        )
        statuses.append(response.status_code)

    threads = [threading.Thread(target=push) for _ in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert statuses == [204] * THREADS
    assert list(GroupMembership.objects.filter(group=group).values_list("user_id", flat=True)) == [
        user.pk
    ]
    events = AuditEvent.objects.filter(action="group.members_added", target_id=str(group.pk))
    assert [e.detail["added"] for e in events] == [[user.login_id]]
