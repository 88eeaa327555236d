"""The group picker's search: the Okta groups this console knows, for a role mapping.

A mapping names an Okta group by its id (00g…), never by its name; finding that id meant
opening the group's page. The picker offers the groups the Okta sync or SCIM brought here,
found by part of their name or of their id, with the id to map and the member count.
"""

from django.db.models import Count, Q

from querypie_admin.models import AuthProvider, DirectoryLink, LinkSource

MAX_RESULTS = 20
MAX_QUERY = 100
# The sources that carry Okta's own group id (a SAML link has no group).
SOURCES = (LinkSource.OKTA_SYNC, LinkSource.SCIM)


def search(text: str) -> list[dict]:
    """Up to MAX_RESULTS groups whose name contains `text` or whose Okta id starts with it,
    by name; each Okta id once. An empty search lists the first groups by name."""
    text = text.strip()[:MAX_QUERY]
    links = DirectoryLink.objects.filter(
        source__in=SOURCES, group__auth_provider=AuthProvider.OKTA
    ).exclude(external_id="")
    if text:
        links = links.filter(Q(group__name__icontains=text) | Q(external_id__istartswith=text))
    rows = (
        links.annotate(members=Count("group__memberships"))
        .order_by("group__name", "external_id", "source")
        .values_list("external_id", "group__name", "members")
    )
    found: dict[str, dict] = {}
    for okta_id, name, members in rows[: MAX_RESULTS * len(SOURCES)]:
        found.setdefault(okta_id, {"okta_group_id": okta_id, "name": name, "members": members})
    return list(found.values())[:MAX_RESULTS]
