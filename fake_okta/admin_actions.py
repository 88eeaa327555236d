"""What an Okta admin does to the org in the Admin Console, as the fake's dashboard and
``scripts/demo okta …`` ask for it: deactivate, suspend or unsuspend a user, add a user to a
group or remove them from it, rename a user.

Each action checks what Okta checks (a user is suspended only when active, a membership
changes only in an Okta-mastered group…), changes the directory as the admin, so the System
Log writes the event Okta writes and the event hooks deliver it, and says what it did. A
refused action changes nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from fake_okta.directory import FakeOktaDirectory
from fake_okta.model import Group, User
from fake_okta.system_log import OKTA_ADMIN


class Refused(Exception):
    """Okta would refuse the action; the message says why, nothing changed."""


@dataclass
class Done:
    """What an action did, in words, and the System Log events it wrote."""

    summary: str
    events: list[dict[str, Any]] = field(default_factory=list)


@dataclass(frozen=True)
class Action:
    name: str
    needs: tuple[str, ...]  # the fields it reads: user, group, first_name, last_name
    run: Callable[[FakeOktaDirectory, dict[str, str]], str]
    help: str


def find_user(directory: FakeOktaDirectory, ref: str) -> User:
    """A user by Okta id or by login (case-insensitive), as the Admin Console's search."""
    ref = ref.strip()
    if ref in directory.users:
        return directory.users[ref]
    wanted = ref.lower()
    found = [
        u for u in directory.users.values() if (u.profile.get("login") or "").lower() == wanted
    ]
    if not found:
        raise Refused(f"No user {ref!r} in the fake Okta org (give a login or an Okta user id).")
    return found[0]


def find_group(directory: FakeOktaDirectory, ref: str) -> Group:
    """A group by Okta id or by name (case-insensitive)."""
    ref = ref.strip()
    if ref in directory.groups:
        return directory.groups[ref]
    found = [g for g in directory.groups.values() if g.name.lower() == ref.lower()]
    if not found:
        raise Refused(f"No group {ref!r} in the fake Okta org (give a name or an Okta group id).")
    return found[0]


def _login(user: User) -> str:
    return f"{user.profile.get('login')} ({user.id})"


def _status_change(
    method: str, allowed: tuple[str, ...], refusal: str, done: str
) -> Callable[[FakeOktaDirectory, dict[str, str]], str]:
    """A lifecycle action: the directory's ``method`` on a user whose status is ``allowed``;
    ``refusal`` and ``done`` are told ``user`` (login and id) and ``status``."""

    def run(directory: FakeOktaDirectory, fields: dict[str, str]) -> str:
        user = find_user(directory, fields["user"])
        said = {"user": _login(user), "status": user.status}
        if user.status not in allowed:
            raise Refused(refusal.format(**said))
        getattr(directory, method)(user.id)
        return done.format(**said)

    return run


_deactivate = _status_change(
    "deactivate_user",
    ("ACTIVE", "SUSPENDED", "STAGED", "PROVISIONED", "LOCKED_OUT", "PASSWORD_EXPIRED"),
    "{user} is already deactivated.",
    "Deactivated {user}: DEPROVISIONED, unassigned from its apps.",
)
_suspend = _status_change(
    "suspend_user",
    ("ACTIVE",),
    "Only an active user can be suspended; {user} is {status}.",
    "Suspended {user}.",
)
_unsuspend = _status_change(
    "unsuspend_user",
    ("SUSPENDED",),
    "{user} is {status}, not SUSPENDED.",
    "Unsuspended {user}: ACTIVE again.",
)


def _membership(directory: FakeOktaDirectory, fields: dict[str, str]) -> tuple[User, Group]:
    user, group = find_user(directory, fields["user"]), find_group(directory, fields["group"])
    if group.type != "OKTA_GROUP":
        raise Refused(f"{group.name} is a {group.type} group: its members are not managed in Okta.")
    return user, group


def _add_to_group(directory: FakeOktaDirectory, fields: dict[str, str]) -> str:
    user, group = _membership(directory, fields)
    if user.id in group.members:
        raise Refused(f"{_login(user)} is already a member of {group.name}.")
    directory.add_member(group.id, user.id)
    return f"Added {_login(user)} to group {group.name} ({group.id})."


def _remove_from_group(directory: FakeOktaDirectory, fields: dict[str, str]) -> str:
    user, group = _membership(directory, fields)
    if user.id not in group.members:
        raise Refused(f"{_login(user)} is not a member of {group.name}.")
    directory.remove_member(group.id, user.id)
    return f"Removed {_login(user)} from group {group.name} ({group.id})."


def _rename(directory: FakeOktaDirectory, fields: dict[str, str]) -> str:
    user = find_user(directory, fields["user"])
    first, last = fields["first_name"].strip(), fields["last_name"].strip()
    if not first or not last:
        raise Refused("A first name and a last name are both required.")
    before = f"{user.profile.get('firstName')} {user.profile.get('lastName')}"
    directory.update_user(user.id, firstName=first, lastName=last)
    return f"Renamed {_login(user)}: {before} -> {first} {last}."


ACTIONS = {
    action.name: action
    for action in (
        Action(
            "deactivate", ("user",), _deactivate, "Deactivate a user (user.lifecycle.deactivate)"
        ),
        Action("suspend", ("user",), _suspend, "Suspend a user (user.lifecycle.suspend)"),
        Action("unsuspend", ("user",), _unsuspend, "Unsuspend a user (user.lifecycle.unsuspend)"),
        Action(
            "add-to-group",
            ("user", "group"),
            _add_to_group,
            "Add a user to a group (group.user_membership.add)",
        ),
        Action(
            "remove-from-group",
            ("user", "group"),
            _remove_from_group,
            "Remove a user from a group (group.user_membership.remove)",
        ),
        Action(
            "rename",
            ("user", "first_name", "last_name"),
            _rename,
            "Change a user's first and last name (user.account.update_profile)",
        ),
    )
}


def perform(directory: FakeOktaDirectory, name: str, fields: dict[str, Any]) -> Done:
    """Run the action ``name`` as the fake's Okta admin; ``Refused`` if Okta would refuse."""
    action = ACTIONS.get(name)
    if action is None:
        raise Refused(f"Unknown action {name!r}; one of: {', '.join(ACTIONS)}.")
    missing = [need for need in action.needs if not str(fields.get(need) or "").strip()]
    if missing:
        raise Refused(f"{name} needs: {', '.join(missing)}.")
    values = {need: str(fields[need]) for need in action.needs}
    with directory.acting_as(OKTA_ADMIN) as logged:
        summary = action.run(directory, values)
    return Done(summary, logged)
