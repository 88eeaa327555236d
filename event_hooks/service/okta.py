"""What processing reads from Okta, through the Okta API sync's client, settings and scope.

A hook acts for the sync: same API token, same scope (the QueryPie app's users and groups,
or the whole directory's users and OKTA_GROUP groups), same link source. So it writes only
while Synchronization is on, and a user or group the sync would not have is not created.
"""

from dataclasses import dataclass, field

from okta import connection as okta
from okta.client import OktaClient
from okta.connection import OktaSetupError, resolve_app_id
from okta.errors import OktaError
from okta.models import OktaOrg, Scope
from okta.token_crypto import TokenUnreadable
from okta.wire import GONE_STATUS

from ..models import EventStatus

DIRECTORY_GROUP_TYPE = "OKTA_GROUP"


class NotAnId(Exception):
    """The event named a user or group by something else Okta answers to (a login, `me`,
    a dot segment): only the row of an Okta id may change, so nothing is done."""


class NotReady(Exception):
    """Processing cannot read Okta now; every pending event gets `status` with the message."""

    def __init__(self, message: str, status: str = EventStatus.FAILED) -> None:
        self.status = status
        super().__init__(message)


@dataclass
class SeenUser:
    """A user as Okta has it now. `body` None: deleted in Okta."""

    okta_id: str
    body: dict | None
    in_scope: bool = False
    app_login: str | None = None
    groups: list[dict] = field(default_factory=list)  # the in-scope groups they belong to

    @property
    def deprovisioned(self) -> bool:
        return bool(self.body) and self.body.get("status") == GONE_STATUS


class Reader:
    """One processing batch's view of Okta: a client and the sync's scope."""

    def __init__(self, client: OktaClient, scope: str, app_id: str) -> None:
        self.client = client
        self.scope = scope
        self.app_id = app_id
        self._app_groups: set[str] | None = None

    def close(self) -> None:
        self.client.close()

    def user(self, okta_id: str) -> SeenUser:
        body = _by_id(self.client.find_user(okta_id), okta_id, "user")
        seen = SeenUser(okta_id, body)
        if body is None:
            return seen
        if self.scope == Scope.APP:
            app_user = self.client.find_app_user(self.app_id, okta_id)
            seen.in_scope = app_user is not None
            seen.app_login = ((app_user or {}).get("profile") or {}).get("loginId")
        else:
            seen.in_scope = True  # a DEPROVISIONED user too: that negative deactivates
        if seen.in_scope and not seen.deprovisioned:
            groups = self.client.iter_user_groups(okta_id)
            seen.groups = [g for g in groups if self.group_in_scope(g)]
        return seen

    def group(self, okta_id: str) -> tuple[dict | None, bool]:
        """The group as Okta has it now (None: deleted) and whether the sync reads it."""
        body = _by_id(self.client.find_group(okta_id), okta_id, "group")
        return body, body is not None and self.group_in_scope(body)

    def group_in_scope(self, group: dict) -> bool:
        if self.scope == Scope.APP:
            return group.get("id") in self.app_groups()
        return group.get("type") == DIRECTORY_GROUP_TYPE

    def app_groups(self) -> set[str]:
        if self._app_groups is None:
            self._app_groups = {g["id"] for g in self.client.iter_app_groups(self.app_id)}
        return self._app_groups


def _by_id(body: dict | None, okta_id: str, kind: str) -> dict | None:
    """Okta's answer, if it is the object of that id (GET /users/{login} answers too)."""
    if body is not None and body.get("id") != okta_id:
        raise NotAnId(
            f"The event names {kind} {okta_id!r}, which Okta knows as {body.get('id')!r}: "
            f"only an Okta {kind} ID is acted on."
        )
    return body


def open_reader() -> Reader:
    """A reader of the saved Okta org, or NotReady saying what is missing."""
    s = OktaOrg.load()
    if not s.enabled:
        raise NotReady(
            "Okta API synchronization is off: event hooks apply changes only while it is on "
            "(Authentication > Use Synchronization with the Authentication System).",
            EventStatus.IGNORED,
        )
    if not s.connected:
        raise NotReady("Okta API synchronization has no API URL or API token saved.")
    try:
        client = okta.client(max_retries=2)
    except (OktaSetupError, TokenUnreadable) as exc:
        raise NotReady(str(exc)) from None
    try:
        app_id = resolve_app_id(client, s.app_id) if s.scope == Scope.APP else ""
    except (OktaError, OktaSetupError) as exc:
        client.close()
        raise NotReady(getattr(exc, "user_message", str(exc))) from None
    return Reader(client, s.scope, app_id)
