"""The SAML attribute statements, in one place: the Authentication page lists them for the
administrator to add in Okta, and sign-in reads the same names from the assertion."""

from typing import NamedTuple


class Statement(NamedTuple):
    name: str  # the attribute's Name in the assertion
    value: str  # the Okta expression that fills it
    field: str  # the console user field it sets
    name_format: str = "Unspecified"


LOGIN_ID = Statement("loginId", "user.login", "login_id")
PROFILE = (
    Statement("firstName", "user.firstName", "first_name"),
    Statement("lastName", "user.lastName", "last_name"),
    Statement("email", "user.email", "email"),
)
# In the order the provisioning guide lists them.
STATEMENTS = (*PROFILE, LOGIN_ID)
