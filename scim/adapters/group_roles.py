"""Console roles after a SCIM write to a group (role mappings, docs/ROLE_MAPPING.md).

A mapping names an Okta group by its Okta id. Okta's SCIM Group Push sends a group's name
and members, and often no externalId: the roles follow a group's members only when its
Okta id is known here, as the externalId SCIM sent or the Okta sync's link on the same
group. Which users to look at is taken before the write (the members a replace or a delete
removes, the group's ids) and the roles are applied after it commits, through
directory.roles: a refused change (the last Owner) is audited there and never fails the
SCIM request, whose membership write stands either way.
"""

import logging
from collections.abc import Iterable

from django.db.models import Exists, OuterRef

from querypie_admin import directory
from querypie_admin.directory.caller import PROVISIONING
from querypie_admin.models import DirectoryLink, Group, GroupMembership, RoleMapping

logger = logging.getLogger(__name__)


def okta_ids(group_pk: int | None) -> dict[str, bool]:
    """The Okta ids SCIM and the sync know this group by, each with whether a role mapping
    names it: one query on the group's links."""
    if group_pk is None:
        return {}
    mapped = Exists(RoleMapping.objects.filter(okta_group_id=OuterRef("external_id")))
    links = DirectoryLink.objects.filter(source__in=PROVISIONING, group_id=group_pk)
    links = links.exclude(external_id="").annotate(mapped=mapped)
    return dict(links.values_list("external_id", "mapped"))


def member_ids(group_pk: int | None) -> set[int]:
    if group_pk is None:
        return set()
    rows = GroupMembership.objects.filter(group_id=group_pk)
    return set(rows.values_list("user_id", flat=True))


class RoleWatch:
    """Made inside the write's transaction before the members change; `apply` after it.

    `whole_group`: look at every member (a new or adopted group); otherwise only the
    members the write names, and everyone when the group's Okta id itself changed.
    `replacing`: the write may remove members it does not name (a replace, a delete), so the
    members before it are read; a member-add or a named removal never reads the others.
    `same_ids`: the write leaves the group's name and Okta ids alone (a members-only PATCH),
    so they are not read again after it. `known_ids`: the group's Okta ids (`okta_ids`),
    when the write has read them already (directory.add_members_at_once)."""

    def __init__(
        self,
        group: Group,
        *,
        whole_group: bool = False,
        replacing: bool = False,
        same_ids: bool = False,
        known_ids: dict[str, bool] | None = None,
    ) -> None:
        self.group_pk = group.pk
        self.whole_group = whole_group
        self.ids_before = okta_ids(self.group_pk) if known_ids is None else known_ids
        self.members_before: set[int] = set()
        if replacing and any(self.ids_before.values()):
            # Under the group's row lock, so no parallel PATCH slips a member in unseen.
            Group.objects.select_for_update().filter(pk=self.group_pk).exists()
            self.members_before = member_ids(self.group_pk)
        self.touched: set[int] = set()
        self._ids_after = self.ids_before if same_ids else None

    def touch(self, user_ids: Iterable[int], *, replacing: bool = False) -> None:
        """Users a member step names; a replace also removes every member before it."""
        self.touched.update(user_ids)
        if replacing:
            self.touched |= self.members_before

    @property
    def ids_after(self) -> dict[str, bool]:
        if self._ids_after is None:
            self._ids_after = okta_ids(self.group_pk)
        return self._ids_after

    def users(self) -> set[int]:
        ids_after = self.ids_after
        if not any(self.ids_before.values()) and not any(ids_after.values()):
            return set()  # memberships of an unmapped group grant no role
        users = set(self.touched)
        if self.whole_group or set(ids_after) != set(self.ids_before):
            users |= self.members_before
            if any(ids_after.values()):
                users |= member_ids(self.group_pk)
        return users

    def label(self) -> str:
        ids = sorted(self.ids_after or self.ids_before)
        return ids[0] if ids else str(self.group_pk)

    def apply(self, caller: directory.Caller) -> None:
        """After the write committed: the roles of the users concerned, never an error."""
        try:
            users = self.users()
            if users:
                directory.roles.apply_from_directory(caller, users, scim_group=self.label())
        except Exception:  # the membership write stands; the next change or sync redoes this
            logger.exception(
                "Role mapping after a SCIM group write failed (group %s)", self.group_pk
            )
