"""The Okta app's signing key credentials, read with the Okta org's API token and Application ID.

Okta lets an admin generate the app's next certificate while the current one stays active;
the Metadata URL shows only the active one, but `/api/v1/apps/{id}/credentials/keys` lists
both, so reading it trusts the next certificate before the Okta admin activates it.
"""

import base64
import binascii

from okta import connection as okta
from okta.connection import OktaSetupError
from okta.errors import OktaError
from okta.models import OktaOrg
from okta.token_crypto import TokenUnreadable

from .metadata import Certificate, certificate_from_der


class OktaKeysUnavailable(Exception):
    """The key credentials could not be read; the message is shown to the admin as is."""


def configured() -> bool:
    """Both the Okta API token and the Application ID are saved."""
    org = OktaOrg.load()
    return org.connected and bool(org.app_id)


def _certificates(keys: list) -> list[Certificate]:
    """The first certificate of each key's x5c chain; a key without one is skipped."""
    found = []
    for key in keys:
        chain = key.get("x5c") if isinstance(key, dict) else None
        if not chain or not isinstance(chain[0], str):
            continue
        try:
            found.append(certificate_from_der(base64.b64decode(chain[0], validate=True)))
        except (binascii.Error, ValueError) as exc:
            raise OktaKeysUnavailable(
                f"Okta sent a key {key.get('kid')!r} that cannot be read."
            ) from exc
    return found


def read_certificates() -> list[Certificate]:
    """The certificates of the app's key credentials, or OktaKeysUnavailable."""
    try:
        with okta.client(max_retries=1, read_timeout=10) as client:
            keys = client.app_key_credentials(OktaOrg.load().app_id)
    except (OktaError, OktaSetupError, TokenUnreadable) as exc:
        raise OktaKeysUnavailable(f"Okta's key credentials could not be read: {exc}") from exc
    return _certificates(keys)
