"""The test IdP's metadata, shaped like Okta's: entity ID, signing certificates (one
KeyDescriptor each; `use` may be left out), Redirect and POST SSO, and Single Logout when the
IdP offers it."""

from xml.sax.saxutils import quoteattr

from .keys import KeyPair

NAMEID_FORMATS = (
    "urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified",
    "urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress",
)


BINDINGS = {
    "redirect": "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect",
    "post": "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST",
}


def _key_descriptor(keys: KeyPair, use: str | None) -> str:
    use_attr = f' use="{use}"' if use else ""
    return (
        f"<md:KeyDescriptor{use_attr}>"
        '<ds:KeyInfo xmlns:ds="http://www.w3.org/2000/09/xmldsig#"><ds:X509Data>'
        f"<ds:X509Certificate>{keys.cert_b64}</ds:X509Certificate>"
        "</ds:X509Data></ds:KeyInfo></md:KeyDescriptor>"
    )


def idp_metadata_xml(
    entity_id: str,
    sso_url: str,
    keys: KeyPair,
    *,
    extra_keys: tuple[KeyPair, ...] = (),
    slo_url: str = "",
    slo_bindings: tuple[str, ...] = ("redirect", "post"),
) -> str:
    formats = "".join(f"<md:NameIDFormat>{f}</md:NameIDFormat>" for f in NAMEID_FORMATS)
    key_descriptors = _key_descriptor(keys, "signing")
    key_descriptors += "".join(_key_descriptor(extra, None) for extra in extra_keys)
    slo = "".join(
        f'<md:SingleLogoutService Binding="{BINDINGS[b]}" Location={quoteattr(slo_url)}/>'
        for b in (slo_bindings if slo_url else ())
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        f'<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" '
        f"entityID={quoteattr(entity_id)}>"
        '<md:IDPSSODescriptor WantAuthnRequestsSigned="false" '
        'protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">'
        f"{key_descriptors}"
        f"{slo}"
        f"{formats}"
        '<md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST" '
        f"Location={quoteattr(sso_url)}/>"
        '<md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" '
        f"Location={quoteattr(sso_url)}/>"
        "</md:IDPSSODescriptor></md:EntityDescriptor>"
    )
