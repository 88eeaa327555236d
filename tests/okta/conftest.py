"""The upgrade test syncs with the sync suite's fake org."""

from tests.sync.conftest import fake_org, org, sync_clock  # noqa: F401
