"""What the directory refuses, each with a message fit to show the person who asked."""

from collections.abc import Iterator
from contextlib import contextmanager

from django.db import models

from .caller import Caller


class DirectoryConflict(Exception):
    """A login ID or group name is already taken (case-insensitively)."""


class AlreadyLinked(Exception):
    """The user to create is one another Okta source already links by the same external id
    (Okta's id): that user is `user`, and nothing was created."""

    def __init__(self, user: models.Model) -> None:
        self.user = user
        super().__init__(f"Already linked: {user}")


class DirectoryInvalid(ValueError):
    """A field value the directory does not store (too long, NUL, not an email, unknown)."""

    def __init__(self, field: str, message: str) -> None:
        self.field = field
        super().__init__(message)


class Refused(Exception):
    """An ownership or Owner rule forbids this write; nothing was changed.

    The refusal is audited by whoever catches it, once any transaction it rolled back is
    over (see `refusals_audited`), so the audit entry is not rolled back with the write.
    """

    def __init__(
        self, caller: Caller, action: str, target: models.Model | None, message: str
    ) -> None:
        self.caller = caller
        self.action = action
        self.target = target
        super().__init__(message)

    def record(self) -> None:
        self.caller.record(self.action, target=self.target, outcome="failure", reason=str(self))


class IdClaimRefused(Refused):
    """A group's Okta id is refused: it would move or claim a role mapping. `scim_type` is
    the SCIM error type a SCIM request answers with (409 "mutability" or "uniqueness")."""

    def __init__(
        self, caller: Caller, action: str, target: models.Model | None, message: str, scim_type: str
    ) -> None:
        self.scim_type = scim_type
        super().__init__(caller, action, target, message)


@contextmanager
def refusals_audited() -> Iterator[None]:
    """Wrap an entry point (a view, a command, a SCIM request) outside its transactions."""
    try:
        yield
    except Refused as exc:
        exc.record()
        raise
