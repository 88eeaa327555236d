"""The app's SAML signing key credentials: sign-in trusts a new certificate before the Okta
admin activates it (sso.okta_keys)."""

from ..wire import path_id


class AppKeys:
    def app_key_credentials(self, app_id: str) -> list[dict]:
        """The app's signing key credentials (JWKs with ``x5c``), the next one included."""
        path = f"/api/v1/apps/{path_id(app_id)}/credentials/keys"
        response, _ = self._fetch(self._url(path, {}), path, 1)
        return self._json(response, path, 1, list)
