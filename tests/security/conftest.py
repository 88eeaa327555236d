"""Security tests reuse the SCIM token fixture."""

from tests.scim.conftest import scim_token  # noqa: F401
