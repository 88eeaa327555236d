"""The one place that writes users, groups, memberships and their links, whichever source asks.

SCIM, SAML sign-in, the Okta sync, the console pages and the management commands all call
these functions with a Caller (the source and the actor). One validator (fields), one
audit vocabulary (`user.deactivated` whatever the path, the source in the detail), and the
ownership and Owner rules (rules) hold for one row and for a batch alike.
"""

from . import batch, role_mappings, roles
from .caller import Caller, Source
from .errors import (
    AlreadyLinked,
    DirectoryConflict,
    DirectoryInvalid,
    IdClaimRefused,
    Refused,
    refusals_audited,
)
from .fields import (
    IDP_PROFILE_FIELDS,
    check_group_fields,
    check_user_fields,
)
from .groups import (
    add_members,
    create_group,
    delete_group,
    remove_members,
    set_members,
    update_group,
)
from .links import Sent, hand_over, sources_of, take_back
from .one_statement import MembersAdded, add_members_at_once
from .users import (
    accept_login_id,
    create_user,
    delete_user,
    release_user,
    set_user_active,
    update_user,
)

__all__ = [
    "AlreadyLinked",
    "IDP_PROFILE_FIELDS",
    "Caller",
    "DirectoryConflict",
    "DirectoryInvalid",
    "IdClaimRefused",
    "MembersAdded",
    "Refused",
    "Sent",
    "Source",
    "accept_login_id",
    "add_members",
    "add_members_at_once",
    "batch",
    "check_group_fields",
    "check_user_fields",
    "create_group",
    "create_user",
    "delete_group",
    "delete_user",
    "hand_over",
    "refusals_audited",
    "role_mappings",
    "roles",
    "release_user",
    "remove_members",
    "set_members",
    "set_user_active",
    "sources_of",
    "take_back",
    "update_group",
    "update_user",
]
