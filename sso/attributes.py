"""The SAML attribute statements, in one place: the Authentication page lists them for the
administrator to add in Okta, and sign-in reads the same names from the assertion."""

from typing import NamedTuple


class Statement(NamedTuple):
    name: str  # the attribute's Name in the assertion
    value: str  # the Okta expression that fills it
    field: str  # the console user field it sets
    name_format: str = "Unspecified"


LOGIN_ID = Statement("loginId", "user.login", "login_id")
PROFILE = (
    Statement("firstName", "user.firstName", "first_name"),
    Statement("lastName", "user.lastName", "last_name"),
    Statement("email", "user.email", "email"),
)
# In the order the provisioning guide lists them.
STATEMENTS = (*PROFILE, LOGIN_ID)

# Optional: the Okta group IDS of the user's mapped groups, read at sign-in for role mapping
# (docs/ROLE_MAPPING.md). IDs, not names: Okta's Group Attribute Statements send names, so
# this is a plain Attribute Statement with getFilteredGroups over the mapped groups' IDs.
GROUPS_LIMIT = 100  # getFilteredGroups returns at most 100 groups


def groups_expression(okta_group_ids: list[str]) -> str:
    """The value to paste into Okta for the groups statement, with these group IDs listed."""
    listed = ", ".join(f'"{gid}"' for gid in okta_group_ids) or '"00g…"'
    return f'getFilteredGroups({{{listed}}}, "group.id", {GROUPS_LIMIT})'


GROUPS = Statement("groups", groups_expression([]), "role_groups")
