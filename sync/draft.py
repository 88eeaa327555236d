"""The Synchronization form as it was typed for a Dry Run, kept for the way back.

Dry Run leads to the run's page; "Dry Run, Save Changes, Synchronize" must not mean typing
the settings twice (issue 23). The values are kept in the session, which lives on the server
(database sessions), and the API token typed with them is kept encrypted as the saved token is
(okta.token_crypto): it is never rendered into a page, only used again by the next Dry Run or
Save Changes, and only for the API URL it was typed with (a kept token, like a saved one, goes
nowhere else). The draft ends at Save Changes, at "Discard", or after LIFETIME.
"""

import datetime
from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest
from django.utils import timezone

from okta.token_crypto import TokenUnreadable, decrypt_token, encrypt_token

SESSION_KEY = "okta_sync_draft"
LIFETIME = datetime.timedelta(minutes=30)


@dataclass(frozen=True)
class Draft:
    values: dict[str, str]  # the form's raw values, the token left out
    api_url: str  # the URL the kept token may be sent to
    token_encrypted: str  # "" when the Dry Run used the saved token
    kept_at: datetime.datetime

    @property
    def has_token(self) -> bool:
        return bool(self.token_encrypted)

    def token_for(self, api_url: str) -> str:
        """The kept token in clear, for this URL only; "" for another URL or none kept."""
        if not self.token_encrypted or api_url != self.api_url:
            return ""
        try:
            return decrypt_token(self.token_encrypted)
        except TokenUnreadable:  # the secret key changed since: as if none was kept
            return ""

    def initial(self) -> dict[str, Any]:
        """The values to show in the form again (unbound: a draft is not re-validated)."""
        return {**self.values, "enabled": "enabled" in self.values}


def keep(request: HttpRequest, raw: Any, cleaned: dict[str, Any], fields: list[str]) -> None:
    """Keep a validated Dry Run's values: `raw` the POST, `cleaned` the form's data."""
    token = cleaned.get("api_token", "")
    request.session[SESSION_KEY] = {
        "values": {name: raw[name] for name in fields if name in raw and name != "api_token"},
        "api_url": cleaned.get("api_url", ""),
        "token": encrypt_token(token) if token else "",
        "at": timezone.now().isoformat(),
    }


def load(request: HttpRequest) -> Draft | None:
    """The draft of this session, if it is still alive."""
    stored = request.session.get(SESSION_KEY)
    if not stored:
        return None
    kept_at = datetime.datetime.fromisoformat(stored["at"])
    if timezone.now() - kept_at > LIFETIME:
        drop(request)
        return None
    return Draft(stored["values"], stored["api_url"], stored["token"], kept_at)


def drop(request: HttpRequest) -> None:
    request.session.pop(SESSION_KEY, None)
