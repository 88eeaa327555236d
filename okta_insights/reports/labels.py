"""Okta's codes in the product's words."""

ROLE_NAMES = {
    "SUPER_ADMIN": "Super Administrator",
    "ORG_ADMIN": "Organization Administrator",
    "APP_ADMIN": "Application Administrator",
    "USER_ADMIN": "Group Administrator",
    "HELP_DESK_ADMIN": "Help Desk Administrator",
    "READ_ONLY_ADMIN": "Read-Only Administrator",
    "MOBILE_ADMIN": "Mobile Administrator",
    "API_ACCESS_MANAGEMENT_ADMIN": "API Access Management Administrator",
    "REPORT_ADMIN": "Report Administrator",
    "GROUP_MEMBERSHIP_ADMIN": "Group Membership Administrator",
}
SIGN_ON_MODES = {
    "SAML_2_0": "SAML 2.0",
    "SAML_1_1": "SAML 1.1",
    "OPENID_CONNECT": "OpenID Connect",
    "WS_FEDERATION": "WS-Federation",
    "BROWSER_PLUGIN": "Secure Web Authentication",
    "SECURE_PASSWORD_STORE": "Secure Password Store",
    "AUTO_LOGIN": "Auto login",
    "BASIC_AUTH": "Basic authentication",
    "BOOKMARK": "Bookmark",
}
# Okta statuses in which a person can still sign in: "active in Okta".
ACTIVE_STATUSES = ("ACTIVE", "PASSWORD_EXPIRED", "LOCKED_OUT", "RECOVERY")


def role_name(role_type: str, label: str) -> str:
    """A standard role by the product's name; a custom role by its own label."""
    if role_type == "CUSTOM":
        return f"{label} (custom role)"
    return ROLE_NAMES.get(role_type, label or role_type)


def sign_on_mode(code: str) -> str:
    return SIGN_ON_MODES.get(code, code.replace("_", " ").title() if code else "—")
