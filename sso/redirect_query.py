"""The HTTP-Redirect binding's query string, read once, from the bytes as sent.

The IdP signs SAMLRequest (or SAMLResponse), RelayState and SigAlg exactly as they appear in
the query, so the values acted on must come from those same parts. Django's request.GET
decodes names (`SAML%52equest` is `SAMLRequest`) and keeps the last of two: a signature
checked on the first part and a message read from an appended, unsigned second one let a
forged LogoutRequest end a victim's sessions. So every SAML parameter is taken from the raw
query here, and a query naming one twice, however its name is percent-encoded, is refused.
"""

from dataclasses import dataclass
from urllib.parse import unquote_plus

from .refusals import SamlRefused

MESSAGES = ("SAMLRequest", "SAMLResponse")
SAML_PARAMETERS = (*MESSAGES, "RelayState", "SigAlg", "Signature")


@dataclass(frozen=True)
class RedirectQuery:
    """Each SAML parameter of the query: its part (`name=value`) exactly as sent."""

    parts: dict[str, str]

    def value(self, name: str) -> str:
        return unquote_plus(self.parts.get(name, "").partition("=")[2])

    def signed(self, saml_type: str) -> str:
        """The octets the IdP signed: the message, RelayState and SigAlg, in that order."""
        names = (saml_type, "RelayState", "SigAlg")
        return "&".join(self.parts[name] for name in names if name in self.parts)


def parse(raw_query: str) -> RedirectQuery:
    """The SAML parameters of `raw_query`; SamlRefused when one is there twice, or when it
    carries both a SAMLRequest and a SAMLResponse."""
    parts: dict[str, str] = {}
    for part in raw_query.split("&"):
        name = unquote_plus(part.partition("=")[0])
        if name not in SAML_PARAMETERS:
            continue
        if name in parts:
            raise SamlRefused(f"the query carries {name} more than once")
        parts[name] = part
    if all(name in parts for name in MESSAGES):
        raise SamlRefused("the query carries both a SAMLRequest and a SAMLResponse")
    return RedirectQuery(parts)


def refuse_repeated_fields(post: dict) -> None:
    """The HTTP-POST binding's form, likewise: a SAML field sent twice is refused."""
    for name in SAML_PARAMETERS:
        if len(post.getlist(name)) > 1:
            raise SamlRefused(f"the form carries {name} more than once")
