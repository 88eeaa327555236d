"""IdP metadata: Okta-style metadata parses; every unsafe or unusable document is refused."""

import datetime
import socket

import pytest
from django.test import override_settings

from sso.fetch import check_url, fetch_metadata
from sso.metadata import MD_NS, MetadataError, parse_idp_metadata
from tests.saml_idp.idp import TestIdentityProvider
from tests.saml_idp.keys import make_key_pair
from tests.saml_idp.server import IdpServer

BILLION_LAUGHS = """<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>
<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" entityID="&lol3;"/>"""

XXE = """<?xml version="1.0"?>
<!DOCTYPE md [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" entityID="&xxe;"/>"""


@pytest.fixture
def okta_metadata() -> str:
    return TestIdentityProvider().metadata_xml()


def test_okta_style_metadata_parses(okta_metadata):
    parsed = parse_idp_metadata(okta_metadata)
    assert parsed.entity_id == "http://www.okta.com/exk1testidp0000"
    assert parsed.sso_url == "https://corp.okta.example/app/querypie/exk1testidp0000/sso/saml"
    assert parsed.binding_label == "HTTP-Redirect"
    [cert] = parsed.certificates
    assert cert.subject == "CN=Test IdP" and not cert.expiry_warning


def test_certificate_expiring_within_30_days_gets_a_warning():
    keys = make_key_pair("Soon", valid_days=10)
    [cert] = parse_idp_metadata(TestIdentityProvider(keys=keys).metadata_xml()).certificates
    assert "expires on" in cert.expiry_warning
    assert cert.not_after < datetime.datetime.now(datetime.UTC) + datetime.timedelta(days=11)


def test_expired_certificate_gets_a_warning():
    keys = make_key_pair("Old", expired=True)
    [cert] = parse_idp_metadata(TestIdentityProvider(keys=keys).metadata_xml()).certificates
    assert cert.expired and "expired on" in cert.expiry_warning


def bad(okta_metadata: str, case: str) -> str:
    cert_start = okta_metadata.index("<ds:X509Certificate>") + len("<ds:X509Certificate>")
    return {
        "not XML": "this is not XML <md:",
        "empty": "   ",
        "billion laughs": BILLION_LAUGHS,
        "XXE": XXE,
        "DTD": '<!DOCTYPE md SYSTEM "http://evil.example/x.dtd">' + okta_metadata.split("?>", 1)[1],
        "no IdP": f'<md:EntityDescriptor xmlns:md="{MD_NS}" entityID="x"/>',
        "no SSO service": okta_metadata.replace("SingleSignOnService", "ArtifactResolutionService"),
        "no signing certificate": okta_metadata.replace('use="signing"', 'use="encryption"'),
        "unparsable certificate": okta_metadata[:cert_start]
        + "AAAA"
        + okta_metadata[cert_start + 40 :],
        "overlong entityID": okta_metadata.replace(
            "http://www.okta.com/exk1testidp0000", "http://www.okta.com/" + "x" * 1000
        ),
        "overlong SSO URL": okta_metadata.replace("/sso/saml", "/sso/saml/" + "x" * 1000),
    }[case]


@pytest.mark.parametrize(
    ("case", "message"),
    [
        ("not XML", "not well-formed XML"),
        ("empty", "empty"),
        ("billion laughs", "DTD or entity declarations"),
        ("XXE", "DTD or entity declarations"),
        ("DTD", "DTD or entity declarations"),
        ("no IdP", "no SAML 2.0 identity provider"),
        ("no SSO service", "no single sign-on service"),
        ("no signing certificate", "no signing certificate"),
        ("unparsable certificate", "cannot be read"),
        ("overlong entityID", "entityID is longer than 1000 characters"),
        ("overlong SSO URL", "SSO URL is longer than 1000 characters"),
    ],
)
def test_bad_metadata_is_refused_with_a_clear_message(okta_metadata, case, message):
    with pytest.raises(MetadataError, match=message):
        parse_idp_metadata(bad(okta_metadata, case))


@pytest.fixture
def idp_server():
    with IdpServer(acs_url="http://testserver/saml/sp/acs", audience="x", users={}) as server:
        yield server


@override_settings(SSO_METADATA_FETCH_ALLOW_LOOPBACK=True)
def test_metadata_url_fetch_reads_a_local_server(idp_server):
    parsed = parse_idp_metadata(fetch_metadata(idp_server.metadata_url))
    assert parsed.sso_url == idp_server.sso_url


@override_settings(SSO_METADATA_FETCH_ALLOW_LOOPBACK=False)
def test_loopback_is_refused_unless_allowed(idp_server):
    with pytest.raises(MetadataError, match="loopback"):
        fetch_metadata(idp_server.metadata_url)


@override_settings(SSO_METADATA_FETCH_ALLOW_LOOPBACK=True, SSO_METADATA_MAX_BYTES=100)
def test_metadata_url_fetch_has_a_size_cap(idp_server):
    with pytest.raises(MetadataError, match="larger than"):
        fetch_metadata(idp_server.metadata_url)


@override_settings(SSO_METADATA_FETCH_ALLOW_LOOPBACK=True, SSO_METADATA_FETCH_TIMEOUT=0.5)
def test_metadata_url_fetch_times_out():
    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen(1)  # accepts the connection, never answers
    try:
        with pytest.raises(MetadataError, match="did not answer in time"):
            fetch_metadata(f"http://127.0.0.1:{silent.getsockname()[1]}/metadata")
    finally:
        silent.close()


@override_settings(SSO_METADATA_FETCH_ALLOW_LOOPBACK=True)
def test_metadata_url_error_status_is_refused(idp_server):
    with pytest.raises(MetadataError, match="HTTP 404"):
        fetch_metadata(idp_server.base_url + "/nothing")


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("http://93.184.215.14/metadata", "must use https"),
        ("ftp://example.com/metadata", "must be an https"),
        ("https://10.0.0.5/metadata", "private address"),
        ("https://192.168.1.1/metadata", "private address"),
        ("https://172.16.0.1/metadata", "private address"),
        ("https://169.254.169.254/latest/meta-data", "link-local"),
        ("https://[fe80::1]/metadata", "link-local"),
        ("https://[::1]/metadata", "loopback"),
        ("https://127.0.0.1/metadata", "loopback"),
        ("https://0.0.0.0/metadata", "private address"),
        ("https://example.com:99999/metadata", "invalid port"),
    ],
)
def test_metadata_url_to_private_or_plain_http_is_refused(url, message):
    with pytest.raises(MetadataError, match=message):
        check_url(url)


@override_settings(SSO_METADATA_FETCH_ALLOW_LOOPBACK=True)
def test_plain_http_is_refused_for_a_public_host_even_when_loopback_is_allowed():
    with pytest.raises(MetadataError, match="must use https"):
        check_url("http://93.184.215.14/metadata")
