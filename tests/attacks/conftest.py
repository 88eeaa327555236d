"""The attacks use the real parts of each suite: the SCIM HTTP client, the fake Okta served
over HTTP with saved sync settings, and the test IdP that signs SAML responses."""

from tests.scim.conftest import scim, scim_token  # noqa: F401
from tests.sso.conftest import idp, post_acs, saml_configured, spec  # noqa: F401
from tests.sync.conftest import fake_org, org, run_sync, sync_clock, sync_settings  # noqa: F401
