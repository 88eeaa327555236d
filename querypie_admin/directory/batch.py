"""The same writes in batches, for syncs of tens of thousands of rows.

Each batch is one transaction with ONE audit event in the per-object vocabulary
(`user.created`, `user.deactivated`…) whose detail holds the source, the count and a sample
of labels. The same validator and ownership rules apply: every row is checked before the
batch writes, and a row the caller may not reach refuses the whole batch.
"""

from collections.abc import Callable, Iterable, Sequence
from typing import Any, TypeVar

from django.db import IntegrityError, transaction
from django.db.models import Model
from django.utils import timezone

from ..models import (
    AuthProvider,
    DirectoryLink,
    Group,
    GroupMembership,
    User,
    unusable_passwords,
)
from .bulk_insert import in_order, insert, many_ids, update
from .caller import PROVISIONING, Caller
from .errors import DirectoryConflict, DirectoryInvalid
from .fields import Checked, CheckedGroup, CheckedUser, check_group_fields, check_user_fields
from .links import Sent
from .rules import (
    check_no_owner,
    check_reach_all,
    check_role_field,
    hold_admin_logins,
    spare_owners,
)

BATCH = 2000
SAMPLE = 20
T = TypeVar("T")
Change = tuple[int, str, dict[str, Any]]  # pk, label, {field: value}
Fields = dict[str, Any] | Checked  # a Checked row passed the validator already


def batches(items: Sequence[T]) -> Iterable[Sequence[T]]:
    size = BATCH  # read at call time, so it can be tuned (and made tiny in tests)
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _summary(
    caller: Caller, action: str, kind: str, count: int, sample: list[str], **detail: Any
) -> None:
    caller.record(
        action, target_label=f"{count} {kind}", count=count, sample=sample[:SAMPLE], **detail
    )


def _atomic(write: Callable[[], T]) -> T:
    try:
        with transaction.atomic():
            return write()
    except IntegrityError as exc:
        raise DirectoryConflict(f"A batch clashed with existing rows: {exc}") from exc


def _integration_only(caller: Caller) -> None:
    if not caller.is_integration:
        raise DirectoryInvalid("source", "Batch writes are for the Okta integrations")


# Users ---------------------------------------------------------------------------------
def create_users(caller: Caller, rows: Sequence[tuple[Fields, Sent]]) -> list[int]:
    """Create Okta users linked to the caller, with no usable password; ids in given order.

    Each row's fields are checked here, unless they come as the validator's CheckedUser."""
    for fields, _ in rows:
        if not isinstance(fields, Checked):  # a Checked row holds no role
            check_role_field(caller, fields)
    password = {"password": unusable_passwords}
    checked = [(_checked(fields, CheckedUser, check_user_fields), sent) for fields, sent in rows]
    return _create(caller, User, checked, "login_id", "user", password)


def update_users(caller: Caller, changes: Sequence[Change]) -> int:
    """Apply (pk, label, fields) changes; rows changing the same fields share a query."""
    for _, _, fields in changes:
        check_user_fields(fields)
        check_role_field(caller, fields)
    return _update(caller, User, changes, "user.updated", "users")


def deactivate_users(caller: Caller, pks: Sequence[int], reason: str = "") -> int:
    """Deactivate, never delete: the account and its history stay."""
    done = 0
    for batch in batches(list(pks)):

        def write(batch: Sequence[int] = batch) -> int:
            check_reach_all(caller, "user.deactivated", User, list(batch))
            check_no_owner(caller, "user.deactivated", list(batch))
            users = User.objects.filter(pk__in=many_ids(batch), is_active=True)
            labels = list(users.values_list("login_id", flat=True))
            count = users.update(is_active=False, updated_at=timezone.now())
            if count:
                _summary(caller, "user.deactivated", "users", count, labels, reason=reason)
            return count

        done += _atomic(write)
    return done


def link_users(caller: Caller, links: Sequence[tuple[int, Sent]]) -> int:
    """Adopt or refresh: the caller's link on each user, with what it sent."""
    return _link(caller, User, "user_id", links, "user.linked", "users")


def release_users(caller: Caller, pks: Sequence[int]) -> tuple[int, int]:
    """The caller no longer names these users: its links go, and those that no provisioning
    source manages any more are deactivated (never an Owner: only an Owner deactivates an
    Owner). Returns (released, deactivated)."""
    released = _release(caller, User, "user_id", pks, "user.link_released", "users")
    orphans = spare_owners(_without_provisioning_link(User, "user_id", pks))
    reason = "no Okta source manages it any more"
    return released, deactivate_users(caller, orphans, reason=reason)


# Groups --------------------------------------------------------------------------------
def create_groups(caller: Caller, rows: Sequence[tuple[Fields, Sent]]) -> list[int]:
    checked = [(_checked(f, CheckedGroup, check_group_fields), sent) for f, sent in rows]
    return _create(caller, Group, checked, "name", "group", {})


def update_groups(caller: Caller, changes: Sequence[Change]) -> int:
    for _, _, fields in changes:
        check_group_fields(fields)
    return _update(caller, Group, changes, "group.updated", "groups")


def link_groups(caller: Caller, links: Sequence[tuple[int, Sent]]) -> int:
    return _link(caller, Group, "group_id", links, "group.linked", "groups")


def release_groups(caller: Caller, pks: Sequence[int]) -> tuple[int, int, int]:
    """The caller no longer names these groups: its links go; groups that no provisioning
    source manages any more are deleted with their memberships.
    Returns (released, groups deleted, memberships removed with them)."""
    released = _release(caller, Group, "group_id", pks, "group.link_released", "groups")
    deleted, members = delete_groups(caller, _without_provisioning_link(Group, "group_id", pks))
    return released, deleted, members


def delete_groups(caller: Caller, pks: Sequence[int]) -> tuple[int, int]:
    """Delete groups; returns (groups, memberships removed with them), both audited."""
    groups_done = members_done = 0
    for batch in batches(list(pks)):

        def write(batch: Sequence[int] = batch) -> tuple[int, int]:
            check_reach_all(caller, "group.deleted", Group, list(batch))
            groups = Group.objects.filter(pk__in=many_ids(batch))
            labels = list(groups.values_list("name", flat=True))
            members = GroupMembership.objects.filter(group_id__in=many_ids(batch)).count()
            groups.delete()
            if labels:
                _summary(
                    caller, "group.deleted", "groups", len(labels), labels, members_removed=members
                )
            return len(labels), members

        groups, members = _atomic(write)
        groups_done += groups
        members_done += members
    return groups_done, members_done


# Memberships ---------------------------------------------------------------------------
def change_memberships(
    caller: Caller,
    add: Sequence[tuple[int, int]],
    remove: Sequence[tuple[int, int]],
    *,
    created_here: bool = False,
) -> tuple[int, int]:
    """Add and remove (group id, user id) pairs; the groups touched are locked, as in
    set_members, so a parallel SCIM change to the same group waits its turn.

    `created_here`: every pair added joins a group and a user the caller's still open
    transaction created, which no one else can see, so none of the pairs can exist yet.
    They are inserted without ON CONFLICT, which costs PostgreSQL a third more per row;
    were one there after all, the batch fails instead of skipping it (nothing is lost)."""
    skip = not created_here
    removed = sum(_atomic(lambda b=b: _remove_batch(caller, b)) for b in batches(remove))
    added = sum(_atomic(lambda b=b: _add_batch(caller, b, skip)) for b in batches(add))
    return added, removed


def _lock_groups(caller: Caller, action: str, pairs: Sequence[tuple[int, int]]) -> None:
    ids = sorted({group_id for group_id, _ in pairs})
    groups = Group.objects.select_for_update().filter(pk__in=many_ids(ids))
    list(groups.order_by("pk").values_list("pk"))
    check_reach_all(caller, action, Group, ids)
    check_reach_all(caller, action, User, sorted({user_id for _, user_id in pairs}))


def _add_batch(caller: Caller, pairs: Sequence[tuple[int, int]], skip_present: bool) -> int:
    _lock_groups(caller, "group.members_added", pairs)
    rows = [{"group_id": g, "user_id": u} for g, u in pairs]
    insert(GroupMembership, rows, ignore_conflicts=skip_present)
    _summary(caller, "group.members_added", "memberships", len(rows), _pair_labels(pairs))
    return len(rows)


def _remove_batch(caller: Caller, pairs: Sequence[tuple[int, int]]) -> int:
    _lock_groups(caller, "group.members_removed", pairs)
    removed = 0
    by_group: dict[int, list[int]] = {}
    for group_id, user_id in pairs:
        by_group.setdefault(group_id, []).append(user_id)
    for group_id, user_ids in by_group.items():
        rows = GroupMembership.objects.filter(group_id=group_id, user_id__in=many_ids(user_ids))
        removed += rows.delete()[0]
    if removed:
        _summary(caller, "group.members_removed", "memberships", removed, _pair_labels(pairs))
    return removed


def _pair_labels(pairs: Sequence[tuple[int, int]]) -> list[str]:
    """ "group: login" for the audit sample; only the sampled pairs are looked up."""
    sample = pairs[:SAMPLE]
    groups = dict(Group.objects.filter(pk__in={g for g, _ in sample}).values_list("pk", "name"))
    users = dict(User.objects.filter(pk__in={u for _, u in sample}).values_list("pk", "login_id"))
    return [f"{groups.get(g, g)}: {users.get(u, u)}" for g, u in sample]


# Shared --------------------------------------------------------------------------------
def _checked(fields: Fields, kind: type[Checked], check: Callable[[dict], None]) -> dict:
    """The fields of a row, checked once: a Checked row of this kind was checked already."""
    if type(fields) is kind:
        return fields.fields()
    if isinstance(fields, Checked):
        raise DirectoryInvalid("fields", "These values were checked for another kind of row")
    check(fields)
    return fields


def _create(
    caller: Caller,
    model: type[Model],
    rows: Sequence[tuple[dict[str, Any], Sent]],
    name: str,
    kind: str,
    generated: dict[str, Callable[[int], list[Any]]],
) -> list[int]:
    """Create Okta rows (checked fields) linked to the caller, a batch per transaction; ids
    in given order. `generated` gives each row the values no source sends (a user's
    unusable password)."""
    _integration_only(caller)
    created: list[int] = []
    for batch in batches(rows):

        def write(batch: Sequence[tuple[dict, Sent]] = batch) -> list[int]:
            new = [{**f, "auth_provider": AuthProvider.OKTA} for f, _ in batch]
            for column, values in generated.items():
                for row, value in zip(new, values(len(new)), strict=True):
                    row[column] = value
            pks = in_order(insert(model, new, returning=("id", name)), new, name)
            _insert_links(caller, f"{kind}_id", zip(pks, (sent for _, sent in batch), strict=True))
            labels = [row[name] for row in new]
            _summary(caller, f"{kind}.created", f"{kind}s", len(labels), labels)
            return pks

        created += _atomic(write)
    return created


def _update(
    caller: Caller, model: type[Model], changes: Sequence[Change], action: str, kind: str
) -> int:
    by_fields: dict[tuple[str, ...], list[Change]] = {}
    for pk, label, fields in changes:
        if fields:
            by_fields.setdefault(tuple(sorted(fields)), []).append((pk, label, fields))
    done = 0
    for names, items in by_fields.items():
        for batch in batches(items):

            def write(batch: Sequence[Change] = batch, names: tuple = names) -> int:
                check_reach_all(caller, action, model, [pk for pk, _, _ in batch])
                now = timezone.now()
                rows = [{"pk": pk, **fields, "updated_at": now} for pk, _, fields in batch]
                if model is User and "login_id" in names:
                    _keep_admin_logins(caller, rows)
                update(model, rows, [*names, "updated_at"])
                labels = [label for _, label, _ in batch]
                _summary(caller, action, kind, len(rows), labels, fields=names)
                return len(rows)

            done += _atomic(write)
    return done


def _keep_admin_logins(caller: Caller, rows: list[dict[str, Any]]) -> None:
    """An Owner's or a System Admin's row keeps its login ID (rules.hold_admin_logins):
    it is written back unchanged, the batch's other fields still apply."""
    held = hold_admin_logins(caller, {row["pk"]: row["login_id"] for row in rows})
    if held:
        current = dict(User.objects.filter(pk__in=held).values_list("pk", "login_id"))
        for row in rows:
            row["login_id"] = current.get(row["pk"], row["login_id"])


def _link(
    caller: Caller,
    model: type[Model],
    column: str,
    links: Sequence[tuple[int, Sent]],
    action: str,
    kind: str,
) -> int:
    """Create the caller's missing links and refresh changed ones; only new ones are audited."""
    new_count = 0
    for batch in batches(links):

        def write(batch: Sequence[tuple[int, Sent]] = batch) -> int:
            pks = [pk for pk, _ in batch]
            check_reach_all(caller, action, model, pks)
            mine = DirectoryLink.objects.filter(
                source=caller.link_source, **{f"{column}__in": many_ids(pks)}
            )
            existing = {getattr(link, column): link for link in mine}
            stale, now = [], timezone.now()
            for pk, sent in batch:
                link = existing.get(pk)
                if link and (link.external_id, link.attributes) != (
                    sent.external_id,
                    sent.attributes,
                ):  # "Last changed" needs updated_at: a bulk update skips auto_now
                    stale.append(
                        {"pk": link.pk, "external_id": sent.external_id,
                         "attributes": sent.attributes, "updated_at": now}
                    )  # fmt: skip
            update(DirectoryLink, stale, ["external_id", "attributes", "updated_at"])
            _audit_id_changes(caller, model, kind, existing, batch)
            new = [(pk, sent) for pk, sent in batch if pk not in existing]
            _insert_links(caller, column, new)
            if new:
                _summary(caller, action, kind, len(new), _labels(model, [pk for pk, _ in new]))
            return len(new)

        new_count += _atomic(write)
    return new_count


def _audit_id_changes(
    caller: Caller,
    model: type[Model],
    kind: str,
    existing: dict[int, DirectoryLink],
    batch: Sequence[tuple[int, Sent]],
) -> None:
    """Every change of a link's external id is audited with both values, row by row."""
    moved = {
        pk: (existing[pk].external_id, sent.external_id)
        for pk, sent in batch
        if pk in existing and existing[pk].external_id != sent.external_id
    }
    if moved:
        rows = model.objects.filter(pk__in=list(moved))
        action = f"{kind.removesuffix('s')}.external_id_changed"
        caller.record_each(
            action, [(row, {"before": moved[row.pk][0], "after": moved[row.pk][1]}) for row in rows]
        )


def _release(
    caller: Caller, model: type[Model], column: str, pks: Sequence[int], action: str, kind: str
) -> int:
    released = 0
    for batch in batches(list(pks)):

        def write(batch: Sequence[int] = batch) -> int:
            mine = DirectoryLink.objects.filter(
                source=caller.link_source, **{f"{column}__in": many_ids(batch)}
            )
            gone = list(mine.values_list(column, flat=True))
            mine.delete()
            if gone:
                _summary(caller, action, kind, len(gone), _labels(model, gone))
            return len(gone)

        released += _atomic(write)
    return released


def _without_provisioning_link(model: type[Model], column: str, pks: Sequence[int]) -> list[int]:
    linked = set()
    for batch in batches(list(pks)):
        ids = many_ids(batch)
        rows = DirectoryLink.objects.filter(source__in=PROVISIONING, **{f"{column}__in": ids})
        linked.update(rows.values_list(column, flat=True))
    return [pk for pk in pks if pk not in linked]


def _labels(model: type[Model], pks: list[int]) -> list[str]:
    name = "name" if model is Group else "login_id"
    found = dict(model.objects.filter(pk__in=pks[:SAMPLE]).values_list("pk", name))
    return [found.get(pk, str(pk)) for pk in pks[:SAMPLE]]


def _insert_links(caller: Caller, column: str, rows: Iterable[tuple[int, Sent]]) -> None:
    source = caller.link_source
    links = [
        {
            "source": source,
            column: pk,
            "external_id": s.external_id,
            "attributes": s.attributes,
        }
        for pk, s in rows
    ]
    if links:
        insert(DirectoryLink, links)
