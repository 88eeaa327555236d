"""What the user and group adapters share: ids, locations, the caller, the SCIM link,
value checks, and how a POST creates a row or adopts the one Okta already owns."""

from typing import Any, NamedTuple

from django.db import models
from django.db.models import F, FilteredRelation, Q, QuerySet

from querypie_admin import directory
from querypie_admin.models import DirectoryLink, LinkSource

from .. import provisioning
from ..errors import bad_request, refused

TRUE_STRINGS = {"true": True, "false": False}
NOTHING_SENT = directory.Sent()  # an adapter's until a body is read (frozen: shared)
EXTERNAL_ID_MAX = DirectoryLink._meta.get_field("external_id").max_length


def as_bool(name: str, value: Any) -> bool:
    """Okta sometimes sends booleans as strings ("False"); anything else is refused."""
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in TRUE_STRINGS:
        return TRUE_STRINGS[value.strip().lower()]
    raise bad_request(f"{name} must be true or false")


def as_text(name: str, value: Any) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        raise bad_request(f"{name} must be a string")
    return value.strip()


def get_ci(data: dict, name: str, default: Any = None) -> Any:
    """Attribute names are case-insensitive in SCIM (RFC 7643 §2.1)."""
    for key, value in data.items():
        if key.lower() == name.lower():
            return value
    return default


def without(data: dict, *names: str) -> dict:
    """`data` minus the named attributes (in any case): what a link keeps of a body."""
    return {k: v for k, v in data.items() if k.lower() not in names}


def check_schemas(body: dict, core: str, extensions: tuple[str, ...]) -> None:
    """A body names the resource's schema, and may name its extensions, nothing else."""
    schemas = body.get("schemas")
    if schemas is None:
        raise bad_request(f"The body must name its schemas (schemas: [{core!r}])", "invalidSyntax")
    known = {core.lower(), *(e.lower() for e in extensions)}
    if not isinstance(schemas, list) or not all(isinstance(s, str) for s in schemas):
        raise bad_request("schemas must be a list of URIs", "invalidSyntax")
    unknown = [s for s in schemas if s.lower() not in known]
    if unknown or core.lower() not in {s.lower() for s in schemas}:
        raise bad_request(
            f"Unknown or missing schema: {', '.join(unknown) or core}", "invalidSyntax"
        )


def with_scim_link(rows: QuerySet) -> QuerySet:
    """Each row with its SCIM link (externalId, what Okta sent) in the same query: one LEFT
    JOIN on the link's (source, row) unique index, as a source links a row at most once."""
    scim_link = FilteredRelation("links", condition=Q(links__source=LinkSource.SCIM))
    return rows.annotate(scim_link=scim_link).annotate(
        scim_link_pk=F("scim_link__id"),
        scim_external_id=F("scim_link__external_id"),
        scim_attributes=F("scim_link__attributes"),
    )


class ScimLink(NamedTuple):
    """What a row's SCIM link holds for rendering: Okta's externalId and the body it last
    sent (a plain record: a page of 100 rows built 100 DirectoryLink instances for this)."""

    external_id: str
    attributes: dict[str, Any] | None


def joined_link(obj: models.Model) -> list[ScimLink] | None:
    """The SCIM link `with_scim_link` brought with the row ([] when it has none), or None
    when the row was loaded without it."""
    if not hasattr(obj, "scim_link_pk"):
        return None
    if obj.scim_link_pk is None:
        return []
    return [ScimLink(obj.scim_external_id, obj.scim_attributes)]


def caller_of(request: Any) -> directory.Caller:
    """Who writes: SCIM, named by the token the IdP used (never the token's value)."""
    token = getattr(request, "scim_token", None)
    return directory.Caller.scim(token.actor_label if token is not None else "SCIM")


class DirectoryAdapterMixin:
    """Adapter parts common to users and groups; mixed in before django-scim2's classes.

    Subclasses say how to create and update their row (`_create`, `_update`), how to find
    the row that already holds a name (`_named`) and what a taken name answers (`_taken`).
    """

    id_field = "pk"
    endpoint = ""
    _sent: directory.Sent  # what the body being written sent, set by from_dict

    @property
    def id(self) -> str:
        return str(self.obj.pk)

    @property
    def location(self) -> str:
        return f"{provisioning.endpoint_url()}/{self.endpoint}/{self.obj.pk}"

    @property
    def caller(self) -> directory.Caller:
        return caller_of(self._request)

    @property
    def link(self) -> ScimLink | None:
        """The row's SCIM link (its externalId and what Okta last sent), if SCIM manages it."""
        if self.obj.pk is None:
            return None
        if not hasattr(self.obj, "scim_links"):
            joined = joined_link(self.obj)
            if joined is None:
                links = self.obj.links.filter(source=LinkSource.SCIM)
                joined = [ScimLink(*row) for row in links.values_list("external_id", "attributes")]
            self.obj.scim_links = joined
        return next(iter(self.obj.scim_links), None)

    @property
    def external_id(self) -> str:
        return self.link.external_id if self.link is not None else ""

    def remember_sent(self) -> None:
        """After a write the SCIM link holds exactly what was sent: render it unread."""
        self.obj.scim_links = [ScimLink(self._sent.external_id, self._sent.attributes)]

    def sent(self, body: dict, raw: dict, keep_missing: bool) -> directory.Sent:
        """What Okta sent: its externalId (a PUT without one keeps the link's) and the body."""
        value = get_ci(body, "externalId")
        if value is None and keep_missing:
            external_id = self.external_id
        else:
            external_id = as_text("externalId", value)
        if len(external_id) > EXTERNAL_ID_MAX:
            raise bad_request(f"externalId is longer than {EXTERNAL_ID_MAX} characters")
        return directory.Sent(external_id, raw)

    def meta(self) -> dict:
        return {
            "resourceType": self.resource_type,
            "created": self.obj.created_at.isoformat(),
            "lastModified": self.obj.updated_at.isoformat(),
            "location": self.location,
        }

    @classmethod
    def resource_type_dict(cls, request: Any = None) -> dict:
        from ..schemas import resource_type

        return resource_type(cls.resource_type, f"/{cls.endpoint}", cls.core_schema, cls.extensions)

    # Creating ----------------------------------------------------------------------
    def create_or_adopt(self) -> models.Model:
        """A POST creates the row, or adopts the row Okta already owns under that name.

        A row that another Okta source manages (the sync, SAML sign-in: by Okta's id, users
        only; or by name) or that an Owner handed over gets a SCIM link and the body; a row
        SCIM already manages is taken (409), and a local row is refused by the directory
        (409 with the hand-over detail).
        """
        try:
            return self._create()
        except directory.AlreadyLinked as known:
            found = known.user
        except directory.DirectoryConflict:
            found = self._named()
        if found is None or found.links.filter(source=LinkSource.SCIM).exists():
            raise self._taken()
        self._check_adoptable(found)
        try:
            self._update(found)
        except directory.Refused as exc:
            raise refused(exc, 409, "uniqueness") from exc
        return found

    def _check_adoptable(self, found: models.Model) -> None:
        """Raise when this body may not adopt `found` although the names match."""
