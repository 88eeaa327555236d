"""Why a SAML sign-in was refused: the reason for the audit log, the kind for the page."""

INVALID = "invalid"
UNPROVISIONED = "unprovisioned"
INACTIVE = "inactive"
PASSWORD_ACCOUNT = "password_account"  # a local account: the console's password form only
NOT_CONFIGURED = "not_configured"


class SamlRefused(Exception):
    """A refused sign-in; `reason` goes to the audit log, `kind` picks the page's message."""

    def __init__(self, reason: str, kind: str = INVALID, subject: str = "") -> None:
        super().__init__(reason)
        self.reason = reason
        self.kind = kind
        self.subject = subject
