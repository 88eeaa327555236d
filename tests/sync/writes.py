"""Helpers for the sync tests: the rows the sync links, and a count of row writes to the
directory tables (to prove a repeated sync changes nothing)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager

from django.db import connection

from querypie_admin.models import Group, LinkSource, User

RUN_AUDIT_ACTION = "okta_sync.run_finished"
_WRITE = re.compile(r'^\s*(INSERT\s+INTO|UPDATE|DELETE\s+FROM)\s+"?(querypie_admin_\w+)', re.I)


@contextmanager
def directory_writes() -> Iterator[list[str]]:
    """Yield a list that collects every INSERT/UPDATE/DELETE on users, groups, memberships
    and the audit log run while the block executes, except the entry that records the run
    itself (every run, even one that changes nothing, is in the audit log)."""
    seen: list[str] = []

    def wrapper(execute, sql, params, many, context):
        match = _WRITE.match(sql)
        if match and RUN_AUDIT_ACTION not in str(params):
            seen.append(f"{match.group(1).split()[0].upper()} {match.group(2)}")
        return execute(sql, params, many, context)

    with connection.execute_wrapper(wrapper):
        yield seen


def synced(okta_object) -> User:
    """The user the sync links to this fake Okta user (by its Okta id)."""
    return User.objects.get(links__source=LinkSource.OKTA_SYNC, links__external_id=okta_object.id)


def synced_group(okta_object) -> Group:
    return Group.objects.get(links__source=LinkSource.OKTA_SYNC, links__external_id=okta_object.id)


def sync_link(row: User | Group):
    return row.links.get(source=LinkSource.OKTA_SYNC)
