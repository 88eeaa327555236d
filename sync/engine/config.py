"""What one run needs to know, taken from the settings row or from a Dry Run's form."""

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings

from okta.address import loopback_allowed
from okta.client import OktaClientStats
from okta.models import DEFAULT_DEACTIVATION_THRESHOLD, OktaOrg, Scope
from okta.token_crypto import decrypt_token

from ..models import SyncSettings
from .members import MemberReaders

# Okta's search index is eventually consistent: read changes from a little before the last run.
INCREMENTAL_LAG = timedelta(minutes=5)
# Hard deletes show only in a full listing, so a full run happens at least this often.
FULL_SYNC_EVERY = timedelta(hours=24)


@dataclass(frozen=True)
class RunConfig:
    api_url: str
    app_id: str = ""
    scope: str = Scope.APP
    deactivation_threshold: int = DEFAULT_DEACTIVATION_THRESHOLD
    since: datetime | None = None  # set for incremental runs

    @property
    def incremental(self) -> bool:
        return self.since is not None

    def as_json(self) -> dict[str, Any]:
        return {
            "api_url": self.api_url,
            "app_id": self.app_id,
            "scope": self.scope,
            "deactivation_threshold": self.deactivation_threshold,
            "since": self.since.isoformat() if self.since else None,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> "RunConfig":
        since = datetime.fromisoformat(data["since"]) if data.get("since") else None
        return cls(
            api_url=data["api_url"],
            app_id=data.get("app_id", ""),
            scope=data.get("scope", Scope.APP),
            deactivation_threshold=data.get(
                "deactivation_threshold", DEFAULT_DEACTIVATION_THRESHOLD
            ),
            since=since,
        )


def config_from_settings(s: OktaOrg, *, since: datetime | None = None) -> RunConfig:
    return RunConfig(
        api_url=s.api_url,
        app_id=s.app_id,
        scope=s.scope,
        deactivation_threshold=s.deactivation_threshold,
        since=since,
    )


def incremental_since(s: SyncSettings, now: datetime) -> datetime | None:
    """Where an automatic run may start reading, or None when it must be a full run.

    In app scope only profiles and memberships are read incrementally; the app's own
    listings are read whole every time (see app_scope.py).
    """
    if not s.last_full_sync_at or not s.last_sync_read_at:
        return None
    if now - s.last_full_sync_at >= FULL_SYNC_EVERY:
        return None
    return s.last_sync_read_at - INCREMENTAL_LAG


def member_reader(config: RunConfig, encrypted_token: str, stats: OktaClientStats) -> MemberReaders:
    """Read members with a few clients (settings.OKTA_SYNC_MEMBER_READERS, default 3) that
    add to one set of counters, in a child process (members.py) unless
    settings.OKTA_SYNC_MEMBERS_IN_CHILD is False. The run's own client, made from the same
    address and token by okta.connection.client, has already refused what a client refuses.

    Each keeps to the whole configured share: Okta's X-Rate-Limit-Remaining counts the
    bucket's use by everyone, the other readers included, so they all pause once the share is
    used, at most one request each past it.
    """
    return MemberReaders(
        api_url=config.api_url,
        token=decrypt_token(encrypted_token),
        options=getattr(settings, "OKTA_SYNC_CLIENT", {}),
        readers=max(1, getattr(settings, "OKTA_SYNC_MEMBER_READERS", 3)),
        stats=stats,
        in_child=getattr(settings, "OKTA_SYNC_MEMBERS_IN_CHILD", True),
        allow_loopback=loopback_allowed(),
    )
