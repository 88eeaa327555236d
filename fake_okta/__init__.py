"""A fake Okta Management API for tests, benchmarks and demos (no Django, no SDK).

with FakeOkta(FakeOktaDirectory.generate(users=500, groups=20, memberships=1500)) as okta:
    client = OktaClient(okta.base_url, okta.token)
"""

from fake_okta.directory import FakeOktaDirectory
from fake_okta.faults import Faults
from fake_okta.routes import RecordedRequest
from fake_okta.server import FakeOkta

__all__ = ["FakeOkta", "FakeOktaDirectory", "Faults", "RecordedRequest"]
