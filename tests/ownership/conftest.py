"""SCIM and the Okta sync against one fake Okta org: both apps' fixtures in one place."""

from tests.scim.conftest import scim, scim_token  # noqa: F401 - fixtures, used by name
from tests.sync.conftest import fake_org, org, run_sync, sync_clock, sync_settings  # noqa: F401
