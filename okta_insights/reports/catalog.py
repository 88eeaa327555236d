"""Every access review report, in the order the Access review page lists them."""

from . import access, accounts, changes  # noqa: F401 - importing registers each report
from .base import REGISTERED

ORDER = (
    "stale-accounts",
    "admins-without-mfa",
    "super-admins",
    "app-access",
    "unused-assignments",
    "privilege-changes",
)
REPORTS = {slug: REGISTERED[slug] for slug in ORDER}
