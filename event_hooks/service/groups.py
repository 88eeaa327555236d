"""A group an event names: re-read it from Okta and apply what Okta has now.

Renamed or described anew: the group follows. Deleted in Okta, or no longer in the sync's
scope: the group goes as the sync lets go of it (deleted, or only the sync's link when SCIM
manages it too), and its former members' mapped roles are decided again. Unknown here and
in scope: created (or an Okta-owned group of that name adopted), as the sync would.
"""

from okta.profile import group_fields, group_sent, group_values
from querypie_admin import directory
from querypie_admin.directory import Caller
from querypie_admin.models import Group

from .okta import Reader
from .outcome import Outcome
from .rows import How, Match, match_group


def ensure_group(caller: Caller, body: dict, match: Match) -> Group | None:
    """The console's group for an in-scope Okta group: refreshed, adopted or created;
    None when a local group (or another Okta group) has its name."""
    values = group_values(body)
    sent = group_sent(body["id"], values)
    if match.how in (How.LINKED, How.ADOPT):
        directory.update_group(caller, match.row, group_fields(values), sent=sent)
        return match.row
    if match.how is How.NONE:
        return directory.create_group(caller, group_fields(values), sent=sent)
    return None


def name_taken(match: Match, name: str) -> str:
    if match.how is How.LOCAL:
        return f"Group {name!r} is a local group: an Owner must hand it over to Okta first."
    return f"Group {name!r} is already linked to another Okta group."


def apply_group(reader: Reader, caller: Caller, okta_id: str, cause: dict) -> Outcome:
    body, in_scope = reader.group(okta_id)
    if not in_scope:
        return _let_go(
            caller, okta_id, cause, "deleted in Okta" if body is None else "out of scope"
        )
    name = group_values(body)[0]
    match = match_group(okta_id, name)
    if match.how in (How.LOCAL, How.TAKEN):
        return Outcome.ignored(name_taken(match, name))
    created = match.how is How.NONE
    ensure_group(caller, body, match)
    return Outcome.applied(f"Group {name!r} {'created' if created else 'updated'}.")


def _let_go(caller: Caller, okta_id: str, cause: dict, why: str) -> Outcome:
    match = match_group(okta_id, "")
    if match.how is not How.LINKED:
        return Outcome.ignored(f"The group is not in the console ({why}).")
    group = match.row
    members = list(group.memberships.values_list("user_id", flat=True))
    deleted = directory.delete_group(caller, group)
    directory.roles.apply_from_directory(caller, members, **cause)
    done = "deleted" if deleted else "released (SCIM still manages it)"
    return Outcome.applied(f"Group {group.name!r} {done}: {why}.")
