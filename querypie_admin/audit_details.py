"""How the audit log reads: an event's detail as labelled fields, and the few words that sum
up the events of one action ("Role mapping changed: 50 users demoted").

The audit trail stores the detail as JSON for auditors and the API; this module only words
it for the page. A key or action not named here is still shown, spelled out from its name."""

from collections.abc import Iterable
from typing import Any

from .models import ROLE_RANK, LinkSource, Role, RoleSource

LABELS = {
    "source": "Source",
    "before": "Before",
    "after": "After",
    "role": "Role",
    "role_source": "Role from",
    "okta_groups": "Okta groups",
    "okta_group_id": "Okta group ID",
    "fields": "Fields",
    "reason": "Reason",
    "op": "Button",
}
SOURCES = {"console": "Console", "command": "Command line", **dict(LinkSource.choices)}
ROLE_KEYS = {"before", "after", "role"}
# (one, many) of the actions that come by the dozen in one action.
COUNTED = {
    "user.created": ("user created", "users created"),
    "user.updated": ("user updated", "users updated"),
    "user.deactivated": ("user deactivated", "users deactivated"),
    "user.activated": ("user activated", "users activated"),
    "user.deleted": ("user deleted", "users deleted"),
    "user.linked": ("user linked", "users linked"),
    "user.link_released": ("user released", "users released"),
    "group.created": ("group created", "groups created"),
    "group.updated": ("group updated", "groups updated"),
    "group.deleted": ("group deleted", "groups deleted"),
    "group.linked": ("group linked", "groups linked"),
    "group.link_released": ("group released", "groups released"),
    "group.members_added": ("membership added", "memberships added"),
    "group.members_removed": ("membership removed", "memberships removed"),
}
ROLE_CHANGED = "user.role_changed"


def spelled(name: str) -> str:
    """`role_mapping.changed` → "Role mapping changed"."""
    return name.replace(".", " ").replace("_", " ").strip().capitalize()


def _value(key: str, value: Any) -> str:
    if value is None or value == "" or value == []:
        return "—"
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if key in ROLE_KEYS and value in Role.values:
        return Role(value).label
    if key == "source":
        return SOURCES.get(value, str(value))
    if key == "role_source" and value in RoleSource.values:
        return RoleSource(value).label
    if isinstance(value, dict):
        return "; ".join(f"{spelled(str(k))}: {_value(str(k), v)}" for k, v in value.items())
    if isinstance(value, list | tuple):
        return ", ".join(_value(key, v) for v in value)
    return str(value)


def detail_fields(detail: dict[str, Any] | None) -> list[tuple[str, str]]:
    """(label, value) per key of an event's detail: the keys named in LABELS in its order
    (the database keeps no order of JSON keys), then the others alphabetically."""
    order = {key: n for n, key in enumerate(LABELS)}
    keys = sorted(detail or {}, key=lambda k: (order.get(k, len(order)), k))
    return [(LABELS.get(k, spelled(k)), _value(k, detail[k])) for k in keys]


def _role_change(before: Any, after: Any) -> tuple[str, str]:
    rank_before, rank_after = ROLE_RANK.get(before, 0), ROLE_RANK.get(after, 0)
    if rank_after > rank_before:
        return "user promoted", "users promoted"
    if rank_after < rank_before:
        return "user demoted", "users demoted"
    return "user's role changed", "users' roles changed"


def counted(counts: Iterable[tuple[str, Any, Any, int]]) -> list[str]:
    """Phrases for (action, before, after, number) counts: "50 users demoted"; the same
    phrase from several actions or role pairs is added up, in the order first met."""
    totals: dict[tuple[str, str], int] = {}
    for action, before, after, number in counts:
        if action == ROLE_CHANGED:
            words = _role_change(before, after)
        else:
            words = COUNTED.get(action, (spelled(action), spelled(action)))
        totals[words] = totals.get(words, 0) + number
    return [f"{n} {one if n == 1 else many}" for (one, many), n in totals.items()]
