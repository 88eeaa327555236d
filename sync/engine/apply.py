"""Write a plan through the directory's batches: users, then groups, then memberships.

Every write goes through querypie_admin.directory.batch with the sync's Caller, so each
batch is validated, checked against ownership and audited with the source `okta_sync`.
"""

from collections.abc import Callable, Sequence
from typing import Any

from querypie_admin.directory import Caller, DirectoryConflict, Sent, batch

from .conflicts import conflict
from .mapping import as_fields, group_fields, group_sent, user_sent
from .plan import Plan

Phase = Callable[[str], None]
Change = tuple[int, str, dict[str, Any]]
Planned = tuple[int, str, str, dict[str, Any]]  # pk, Okta id, label, changed fields
Sender = Callable[[str, Any], Sent]  # (Okta id, values) -> what Okta sent


def apply_plan(plan: Plan, caller: Caller, phase: Phase) -> list[dict[str, str]]:
    """Apply every change; returns conflicts found only while writing (e.g. login swaps)."""
    phase("Writing users")
    late: list[dict[str, str]] = []
    new_users = _create(caller, batch.create_users, plan.users.create, as_fields, user_sent, late)
    updates, turned_off = _split_deactivations(plan.users.update)
    late += _update(caller, batch.update_users, updates, "user")
    batch.deactivate_users(caller, turned_off, reason="suspended or deactivated in Okta")
    _link(caller, batch.link_users, plan.users.link, user_sent)
    batch.release_users(caller, [pk for pk, _, _ in plan.users.release])
    phase("Writing groups")
    new_groups = _create(
        caller, batch.create_groups, plan.groups.create, group_fields, group_sent, late
    )
    late += _update(caller, batch.update_groups, plan.groups.update, "group")
    _link(caller, batch.link_groups, plan.groups.link, group_sent)
    batch.release_groups(caller, [pk for pk, _, _ in plan.groups.release])
    phase("Writing memberships")
    adds = [(new_groups.get(g, g), new_users.get(u, u)) for g, u in plan.memberships.add]
    adds = [(g, u) for g, u in adds if isinstance(g, int) and isinstance(u, int)]  # not made
    batch.change_memberships(caller, adds, plan.memberships.remove)
    return late


def _create(
    caller: Caller,
    create: Callable[[Caller, list[tuple[dict, Sent]]], list[int]],
    rows: list[tuple[str, Any]],
    fields: Callable[[Any], dict[str, Any]],
    sent: Sender,
    late: list[dict[str, str]],
) -> dict[str, int]:
    """Okta id -> new row id; rows are built one batch at a time to keep memory flat.

    A batch that clashes with a name the plan could not see (the database compares names
    its own way) is written again row by row: the clashing rows become conflicts in `late`
    and the rest of the run goes on, instead of failing every run from then on."""
    made: dict[str, int] = {}
    for start in range(0, len(rows), batch.BATCH):
        chunk = [
            (okta_id, fields(v), sent(okta_id, v))
            for okta_id, v in rows[start : start + batch.BATCH]
        ]
        try:
            pks = create(caller, [(row, link) for _, row, link in chunk])
        except DirectoryConflict:
            pks = [_create_one(caller, create, item, late) for item in chunk]
        made.update((okta_id, pk) for (okta_id, _, _), pk in zip(chunk, pks, strict=True) if pk)
    return made


def _create_one(caller: Caller, create, item: tuple[str, dict, Sent], late: list) -> int | None:
    okta_id, row, link = item
    try:
        return create(caller, [(row, link)])[0]
    except DirectoryConflict:
        name = row.get("login_id") or row.get("name", "")
        late.append(conflict("user" if "login_id" in row else "group", okta_id, name,
                             "name already in use; left unchanged"))  # fmt: skip
        return None


def _split_deactivations(planned: list[Planned]) -> tuple[list[Planned], list[int]]:
    """Explicit negatives go through deactivate_users, so the audit log says
    `user.deactivated`; the other changed fields are updates."""
    updates, turned_off = [], []
    for pk, okta_id, label, fields in planned:
        if fields.get("is_active") is False:
            turned_off.append(pk)
            fields = {name: value for name, value in fields.items() if name != "is_active"}
        if fields:
            updates.append((pk, okta_id, label, fields))
    return updates, turned_off


def _link(
    caller: Caller,
    link: Callable[[Caller, list[tuple[int, Sent]]], int],
    rows: list[tuple[int, str, Any]],
    sent: Sender,
) -> None:
    """New and refreshed sync links, with what Okta sent, one batch at a time."""
    for start in range(0, len(rows), batch.BATCH):
        chunk = rows[start : start + batch.BATCH]
        link(caller, [(pk, sent(okta_id, values)) for pk, okta_id, values in chunk])


def _update(
    caller: Caller,
    update: Callable[[Caller, Sequence[Change]], int],
    planned: list[Planned],
    kind: str,
) -> list[dict[str, str]]:
    """Batched first; if a batch clashes (two Okta users swapped logins), one by one."""
    changes = [(pk, label, fields) for pk, _, label, fields in planned]
    try:
        update(caller, changes)
        return []
    except DirectoryConflict:
        pass
    found = []
    for (_, okta_id, label, _), change in zip(planned, changes, strict=True):
        try:
            update(caller, [change])
        except DirectoryConflict:
            found.append(conflict(kind, okta_id, label, "name already in use; left unchanged"))
    return found
