"""Who manages a user or a group, as the pages show it: badges on the lists and the
"What Okta sent" sections on the detail pages. Reads only the row's links."""

import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from ..models import Group, LinkSource, User

BADGES = {
    LinkSource.SCIM: "Okta: SCIM",
    LinkSource.OKTA_SYNC: "Okta: Okta API sync",
    LinkSource.SAML: "Okta: SAML sign-in",
}


@dataclass(frozen=True)
class Badge:
    label: str
    okta: bool


@dataclass(frozen=True)
class SentSection:
    """One link: which source, the IdP's id, when it last changed and its raw attributes."""

    source: str
    external_id: str
    changed_at: datetime
    attributes: str


def badges(obj: User | Group) -> list[Badge]:
    """Uses `obj.links.all()`, so a list prefetches them (queries.with_links)."""
    if not obj.is_managed_externally:
        return [Badge("Local", okta=False)]
    labels = [BADGES[link.source] for link in obj.links.all()]
    return [Badge(label, okta=True) for label in labels or ["Okta: handed over"]]


def rows(page: Iterable[User | Group]) -> list[tuple[User | Group, list[Badge]]]:
    """A list page's rows with their badges (the template cannot call functions)."""
    return [(obj, badges(obj)) for obj in page]


def what_okta_sent(obj: User | Group) -> list[SentSection]:
    return [
        SentSection(
            source=link.get_source_display(),
            external_id=link.external_id,
            changed_at=link.updated_at,
            attributes=json.dumps(link.attributes, indent=2, sort_keys=True, ensure_ascii=False),
        )
        for link in obj.links.all()
    ]


def context(obj: User | Group) -> dict:
    """What a detail page needs to say who manages `obj`."""
    return {"badges": badges(obj), "sent": what_okta_sent(obj)}
