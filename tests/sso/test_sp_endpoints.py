"""SP metadata, the AuthnRequest, xmlsec itself, and the saml_configure command."""

import io

import pytest
import xmlsec
from django.core.management import CommandError, call_command
from lxml import etree

from sso.models import SamlSettings
from tests.saml_idp.idp import ResponseSpec, TestIdentityProvider
from tests.saml_idp.keys import make_key_pair
from tests.sso.conftest import authn_request_from, configure

pytestmark = pytest.mark.django_db
MD = {"md": "urn:oasis:names:tc:SAML:2.0:metadata", "ds": "http://www.w3.org/2000/09/xmldsig#"}


def test_xmlsec_imports_and_validates_a_signature():
    """lxml and xmlsec must share libxml2 (lxml==6.1.3, xmlsec==1.3.17, both wheels)."""
    idp = TestIdentityProvider()
    xml = idp.response_xml(ResponseSpec(name_id="a", audience="b", destination="https://c/"))
    root = etree.fromstring(xml.encode())
    assertion = root.find("{urn:oasis:names:tc:SAML:2.0:assertion}Assertion")
    xmlsec.tree.add_ids(assertion, ["ID"])
    signature = xmlsec.tree.find_node(assertion, xmlsec.constants.NodeSignature)
    ctx = xmlsec.SignatureContext()
    ctx.key = xmlsec.Key.from_memory(idp.keys.cert_pem, xmlsec.constants.KeyDataFormatCertPem)
    ctx.verify(signature)
    other = make_key_pair("Other")
    ctx.key = xmlsec.Key.from_memory(other.cert_pem, xmlsec.constants.KeyDataFormatCertPem)
    with pytest.raises(xmlsec.Error):
        ctx.verify(signature)


def sp_metadata(client) -> etree._Element:
    response = client.get("/saml/sp/metadata")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/samlmetadata+xml")
    return etree.fromstring(response.content)


def test_sp_metadata_names_entity_id_acs_slo_and_name_id_format(client, db):
    root = sp_metadata(client)
    assert root.get("entityID") == "http://testserver/saml/sp/metadata"
    acs = root.find(".//md:AssertionConsumerService", MD)
    assert acs.get("Location") == "http://testserver/saml/sp/acs"
    assert acs.get("Binding") == "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST"
    slo = {
        s.get("Binding"): s.get("Location") for s in root.iterfind(".//md:SingleLogoutService", MD)
    }
    assert slo == {
        "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect": "http://testserver/saml/sp/slo",
        "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST": "http://testserver/saml/sp/slo",
    }
    assert root.findtext(".//md:NameIDFormat", namespaces=MD).endswith("unspecified")
    assert root.find(".//md:SPSSODescriptor", MD).get("WantAssertionsSigned") == "true"
    [signing] = root.findall(".//md:KeyDescriptor", MD)  # it signs Single Logout messages
    assert signing.get("use") == "signing"


def test_sp_metadata_has_the_certificate_when_signing_is_on(client, idp):
    configure(idp, sign_authn_requests=True)
    root = sp_metadata(client)
    assert root.find(".//md:SPSSODescriptor", MD).get("AuthnRequestsSigned") == "true"
    cert = root.findtext(".//md:KeyDescriptor//ds:X509Certificate", namespaces=MD)
    config = SamlSettings.load()
    assert cert and "".join(cert.split()) in "".join(config.sp_certificate_pem.split())
    assert "PRIVATE KEY" not in config.sp_private_key_encrypted
    assert sp_metadata(client).findtext(".//ds:X509Certificate", namespaces=MD) == cert


def test_signed_authn_request_carries_a_signature(client, idp):
    configure(idp, sign_authn_requests=True)
    location = client.get("/saml/sp/login")["Location"]
    request, query = authn_request_from(location)
    assert query["SigAlg"] == ["http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"]
    assert query["Signature"][0]
    assert request.get("AssertionConsumerServiceURL") == "http://testserver/saml/sp/acs"
    assert request.get("Destination") == idp.sso_url


def test_saml_configure_command_saves_and_prints_what_it_parsed(tmp_path, idp):
    path = tmp_path / "okta.xml"
    path.write_text(idp.metadata_xml())
    out = io.StringIO()
    call_command(
        "saml_configure", "--metadata-file", str(path), "--type", "saml", "--jit", stdout=out
    )
    text = out.getvalue()
    assert idp.entity_id in text and idp.sso_url in text and "CN=Test IdP" in text
    assert "http://testserver/saml/sp/acs" in text
    config = SamlSettings.load()
    assert config.authentication_type == "saml" and config.jit_enabled
    call_command("saml_configure", "--metadata-file", str(path), "--no-jit", stdout=out)
    assert SamlSettings.load().authentication_type == "okta"
    assert not SamlSettings.load().jit_enabled


def test_saml_configure_refuses_bad_metadata_and_saves_nothing(tmp_path, db):
    path = tmp_path / "bad.xml"
    path.write_text('<!DOCTYPE x [<!ENTITY a SYSTEM "file:///etc/passwd">]><x>&a;</x>')
    with pytest.raises(CommandError, match="DTD or entity declarations"):
        call_command("saml_configure", "--metadata-file", str(path))
    assert SamlSettings.load().authentication_type == "querypie"


def test_sp_private_key_is_encrypted_with_a_key_derived_from_secret_key(client, idp, settings):
    from querypie_admin.encryption import SecretUnreadable
    from sso.keys import decrypt_private_key

    configure(idp, sign_authn_requests=True)
    client.get("/saml/sp/metadata")
    token = SamlSettings.load().sp_private_key_encrypted
    assert decrypt_private_key(token).startswith("-----BEGIN PRIVATE KEY-----")
    settings.SECRET_KEY = "another secret key"
    with pytest.raises(SecretUnreadable):
        decrypt_private_key(token)


def test_sp_metadata_and_login_survive_a_rotated_secret_key(client, idp, settings):
    """A key pair that no longer decrypts is replaced, never a 500."""
    configure(idp, sign_authn_requests=True)
    before = sp_metadata(client).findtext(".//ds:X509Certificate", namespaces=MD)
    settings.SECRET_KEY = "a rotated secret key"
    after = sp_metadata(client).findtext(".//ds:X509Certificate", namespaces=MD)
    assert after and after != before
    location = client.get("/saml/sp/login")["Location"]
    assert location.startswith(idp.sso_url + "?") and "Signature=" in location
