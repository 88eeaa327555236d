"""The Okta event types the console subscribes to and acts on, by Okta's own names.

Each event only says *which* user or group changed: processing re-reads that user (with
their groups and app assignment) or that group from Okta and applies Okta's current state.
So the kind below is all the console needs of an event type.
"""

from dataclasses import dataclass

USER = "user"
GROUP = "group"


@dataclass(frozen=True)
class EventType:
    name: str  # Okta's eventType
    label: str  # as the settings panel lists it
    kind: str  # USER: re-read the target User; GROUP: re-read the target UserGroup


EVENT_TYPES = (
    EventType("user.lifecycle.create", "User created", USER),
    EventType("user.lifecycle.activate", "User activated", USER),
    EventType("user.lifecycle.reactivate", "User reactivated", USER),
    EventType("user.lifecycle.suspend", "User suspended", USER),
    EventType("user.lifecycle.unsuspend", "User unsuspended", USER),
    EventType("user.lifecycle.deactivate", "User deactivated", USER),
    EventType("user.lifecycle.delete.initiated", "User deleted", USER),
    EventType("user.account.update_profile", "User profile updated", USER),
    EventType("group.user_membership.add", "User added to a group", USER),
    EventType("group.user_membership.remove", "User removed from a group", USER),
    EventType("application.user_membership.add", "User assigned to an application", USER),
    EventType("application.user_membership.remove", "User unassigned from an application", USER),
    EventType("group.lifecycle.create", "Group created", GROUP),
    EventType("group.profile.update", "Group profile updated", GROUP),
    EventType("group.lifecycle.delete", "Group deleted", GROUP),
)
BY_NAME = {event.name: event for event in EVENT_TYPES}


def default_event_types() -> list[str]:
    """Every type the console acts on: what a new hook subscribes to."""
    return [event.name for event in EVENT_TYPES]
