"""Write a plan through the directory's batches: users, then groups, then memberships.

Every write goes through querypie_admin.directory.batch with the sync's Caller, so each
batch is validated, checked against ownership and audited with the source `okta_sync`.
The writes are jobs for the run's PendingWrites: the users and groups the run creates, and
memberships between them, may go while members are still being read; the rest follows.
"""

from collections.abc import Callable, Sequence
from typing import Any

from okta.profile import as_fields, group_fields, group_sent, user_sent
from querypie_admin.directory import Caller, DirectoryConflict, Sent, batch
from querypie_admin.directory.fields import Checked

from .conflicts import conflict
from .pending import PendingWrites
from .plan import Plan
from .plan_groups import GroupPlan
from .plan_memberships import Key
from .plan_users import UserPlan

Phase = Callable[[str], None]
Change = tuple[int, str, dict[str, Any]]
Planned = tuple[int, str, str, dict[str, Any]]  # pk, Okta id, label, changed fields
Sender = Callable[[str, Any], Sent]  # (Okta id, values) -> what Okta sent
Pair = tuple[Key, Key]  # (group, user): a pk, or the Okta id of a row this run creates


class Writes:
    """A plan's writes as jobs, in order. The jobs that create rows keep their new ids
    (Okta id -> pk) for the jobs after them, and conflicts found only while writing (a name
    the database compares its own way) in `late`."""

    def __init__(self, caller: Caller, pending: PendingWrites) -> None:
        self.caller, self.pending = caller, pending
        self.user_pks: dict[str, int] = {}  # Okta id -> pk of the rows this run made
        self.group_pks: dict[str, int] = {}
        self.late: list[dict[str, str]] = []
        self._early: list[Pair] | None = None  # memberships between new rows, not sent yet
        self._later: list[Pair] = []  # memberships early_memberships leaves for rest()

    def start_early(self, groups: GroupPlan) -> None:
        """From now on, write what the run creates as soon as it is planned: the groups now,
        the users as they are checked (new_users), memberships between them as each group
        is read (early_memberships). No one else sees these rows until the run commits."""
        self._early = []
        if groups.create:
            self.pending.submit(lambda: self._create_groups(groups.create))

    def new_users(self, rows: list[tuple[str, Any]]) -> None:
        """A batch of users to create, checked by the plan (UserPlan.create has them too)."""
        if self._early is not None:
            self.pending.submit(lambda: self._create_users(rows))

    def early_memberships(self, pairs: Sequence[Pair]) -> None:
        """A group's additions as soon as its members are read, if both rows are new here;
        the others wait for rest(), with the changes to rows that exist."""
        if self._early is None:
            return
        for pair in pairs:
            (self._early if _new(pair[0]) and _new(pair[1]) else self._later).append(pair)
        while len(self._early) >= batch.BATCH:
            self._send_memberships(self._early[: batch.BATCH], [], created_here=True)
            del self._early[: batch.BATCH]

    def rest(self, plan: Plan) -> None:
        """Everything else, once the plan is complete and the guard let it through."""
        u, g, m = plan.users, plan.groups, plan.memberships
        late = self._early is None  # nothing was written early
        if u.create and late:
            self.pending.submit(lambda: self._create_users(u.create))
        if u.update or u.link or u.release:
            self.pending.submit(lambda: self._change_users(u))
        if g.create and late:
            self.pending.submit(lambda: self._create_groups(g.create))
        if g.update or g.link or g.release:
            self.pending.submit(lambda: self._change_groups(g))
        adds = m.add if late else self._early + self._later  # what was not sent yet
        if adds or m.remove:
            self._send_memberships(adds, m.remove, note=True)

    # Jobs (they run in the writer) ----------------------------------------------------
    def _create_users(self, rows: list) -> None:
        self.pending.note("Writing users")
        made = _create(self.caller, batch.create_users, rows, as_fields, user_sent, self.late)
        self.user_pks.update(made)

    def _change_users(self, u: UserPlan) -> None:
        self.pending.note("Writing users")
        caller = self.caller
        updates, turned_off = _split_deactivations(u.update)
        self.late += _update(caller, batch.update_users, updates, "user")
        batch.deactivate_users(caller, turned_off, reason="suspended or deactivated in Okta")
        _link(caller, batch.link_users, u.link, user_sent)
        batch.release_users(caller, [pk for pk, _, _ in u.release])

    def _create_groups(self, rows: list) -> None:
        self.pending.note("Writing groups")
        made = _create(self.caller, batch.create_groups, rows, group_fields, group_sent, self.late)
        self.group_pks.update(made)

    def _change_groups(self, g: GroupPlan) -> None:
        self.pending.note("Writing groups")
        self.late += _update(self.caller, batch.update_groups, g.update, "group")
        _link(self.caller, batch.link_groups, g.link, group_sent)
        batch.release_groups(self.caller, [pk for pk, _, _ in g.release])

    def _send_memberships(
        self,
        adds: Sequence[Pair],
        removes: Sequence[tuple[int, int]],
        note: bool = False,
        created_here: bool = False,
    ) -> None:
        """`created_here`: pairs of rows this run created, sent while its one pending
        transaction is still open (so no one else can have added them)."""
        adds = list(adds)
        created_here = created_here and self.pending.overlaps

        def job() -> None:
            if note:
                self.pending.note("Writing memberships")
            users, groups = self.user_pks, self.group_pks
            pairs = [(groups.get(g, g), users.get(u, u)) for g, u in adds]
            pairs = [(g, u) for g, u in pairs if isinstance(g, int) and isinstance(u, int)]
            # ^ rows not made: skipped
            batch.change_memberships(self.caller, pairs, removes, created_here=created_here)

        self.pending.submit(job)


def _new(key: Key) -> bool:
    return isinstance(key, str)


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
        chunk = [  # values the plan checked go as they are: the batch does not check them again
            (okta_id, v if isinstance(v, Checked) else fields(v), sent(okta_id, v))
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
        fields = row.fields() if isinstance(row, Checked) else row
        name = fields.get("login_id") or fields.get("name", "")
        late.append(conflict("user" if "login_id" in fields else "group", okta_id, name,
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
