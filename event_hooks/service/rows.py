"""Which console row an Okta id names, the way the sync matches them.

The sync's link (source okta_sync, external id = Okta's 00u…/00g…) names the row. An Okta
user the sync does not link yet adopts an Okta-owned row without a sync link (the one whose
SCIM or SAML link has that id, else the one with its login ID); a local row of that name is
never reached, and a row another Okta id's sync link holds is left alone.
"""

from dataclasses import dataclass
from enum import Enum

from querypie_admin.models import AuthProvider, DirectoryLink, Group, LinkSource, User


class How(Enum):
    LINKED = "linked"  # the sync's link names it
    ADOPT = "adopt"  # an Okta row without a sync link: the hook links it
    NONE = "none"  # nothing here: create it if the sync would
    LOCAL = "local"  # a local row has the name: out of reach
    TAKEN = "taken"  # another Okta object's sync link holds the name


@dataclass(frozen=True)
class Match:
    how: How
    row: User | Group | None = None


def _links(**target: bool) -> object:
    return DirectoryLink.objects.filter(source=LinkSource.OKTA_SYNC, **target)


def match_user(okta_id: str, login: str) -> Match:
    link = _links(user__isnull=False).filter(external_id=okta_id).select_related("user").first()
    if link:
        return Match(How.LINKED, link.user)
    okta_rows = User.objects.filter(auth_provider=AuthProvider.OKTA).exclude(
        links__source=LinkSource.OKTA_SYNC
    )
    by_id = okta_rows.filter(links__external_id=okta_id).first()
    if by_id:
        return Match(How.ADOPT, by_id)
    named = User.objects.filter(login_id__ci_exact=login).first() if login else None
    return _by_name(named)


def match_group(okta_id: str, name: str) -> Match:
    link = _links(group__isnull=False).filter(external_id=okta_id).select_related("group").first()
    if link:
        return Match(How.LINKED, link.group)
    named = Group.objects.filter(name__ci_exact=name).first() if name else None
    return _by_name(named)


def _by_name(row: User | Group | None) -> Match:
    if row is None:
        return Match(How.NONE)
    if row.auth_provider != AuthProvider.OKTA:
        return Match(How.LOCAL, row)
    if row.links.filter(source=LinkSource.OKTA_SYNC).exists():
        return Match(How.TAKEN, row)
    return Match(How.ADOPT, row)


def linked_user(okta_id: str) -> User | None:
    match = match_user(okta_id, "")
    return match.row if match.how == How.LINKED else None


def linked_groups(okta_ids: set[str]) -> dict[str, Group]:
    """Okta group id -> the group the sync links to it, for those here."""
    links = _links(group__isnull=False, external_id__in=sorted(okta_ids)).select_related("group")
    return {link.external_id: link.group for link in links}


def synced_groups_of(user: User) -> dict[int, str]:
    """Group pk -> Okta id of the sync-linked groups `user` is a member of here."""
    links = _links(group__isnull=False, group__memberships__user=user)
    return dict(links.values_list("group_id", "external_id"))


def scim_groups(group_ids: set[int]) -> set[int]:
    """Of these groups, those SCIM also manages (SCIM says who their members are)."""
    links = DirectoryLink.objects.filter(source=LinkSource.SCIM, group_id__in=sorted(group_ids))
    return set(links.values_list("group_id", flat=True))
