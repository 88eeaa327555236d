"""Outbound calls reach the right address and end in bounded time (querypie_admin.outbound).

Every refusal here happens before a packet is sent: nothing in these tests connects to
anything but 127.0.0.1.
"""

import socket
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import requests

from okta.address import normalize_okta_base_url
from okta.client import OktaClient
from okta.errors import InvalidOktaURL, OktaNetworkError
from querypie_admin import outbound
from sso.fetch import fetch_metadata
from sso.metadata import MetadataError
from tests.fake_okta_fixtures import (  # noqa: F401 - fixtures used by name
    clock_fixture,
    directory_fixture,
    fake_okta_fixture,
)

# The spellings: 169.254.169.254 (cloud metadata), 10.0.0.1, and IPv6 NAT64 / 6to4
# addresses that carry 169.254.169.254.
INTERNAL_SPELLINGS = [
    "2852039166",
    "0xa9fea9fe",
    "012.0.0.1",
    "10.1",
    "[64:ff9b::a9fe:a9fe]",
    "[2002:a9fe:a9fe::]",
    "[::ffff:169.254.169.254]",
    "0x7f000001",
    "[64:ff9b:1::a00:1]",
]


@pytest.fixture
def dribbling_server() -> Iterator[str]:
    """Accepts, sends a status line, then one byte every 0.2 s for as long as it is read."""
    server = socket.create_server(("127.0.0.1", 0))
    stop = threading.Event()

    def feed(conn: socket.socket) -> None:
        try:
            conn.recv(65536)
            conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\n")
            while not stop.is_set():
                conn.sendall(b"x")
                time.sleep(0.2)
        except OSError:
            pass
        finally:
            conn.close()

    def accept() -> None:
        while not stop.is_set():
            try:
                conn, _ = server.accept()
            except OSError:
                return
            threading.Thread(target=feed, args=(conn,), daemon=True).start()

    threading.Thread(target=accept, daemon=True).start()
    yield f"http://127.0.0.1:{server.getsockname()[1]}"
    stop.set()
    server.close()


@pytest.fixture
def redirecting_server() -> Iterator[str]:
    """Answers every GET with a redirect to the path's own text (`/to/<url>`)."""

    class Redirect(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 - http.server's name
            self.send_response(302)
            self.send_header("Location", self.path.removeprefix("/to/"))
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Redirect)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    server.server_close()


@pytest.mark.parametrize("host", INTERNAL_SPELLINGS)
def test_every_spelling_of_an_internal_address_is_refused_before_connecting(host):
    session = outbound.OutboundSession()
    with pytest.raises(outbound.Refused) as refused:
        session.get(f"https://{host}/latest/meta-data")
    assert refused.value.reason.startswith(("a link-local", "a private", "a loopback"))


def test_a_dns_answer_of_loopback_is_refused_unless_the_switch_allows_it(redirecting_server):
    port = redirecting_server.rsplit(":", 1)[1]
    with pytest.raises(outbound.Refused, match="localhost is a loopback address"):
        outbound.OutboundSession().get(f"http://localhost:{port}/", allow_redirects=False)
    allowed = outbound.OutboundSession(allow_loopback=True)
    assert allowed.get(f"http://localhost:{port}/", allow_redirects=False).status_code == 302


@pytest.mark.parametrize("target", ["http://2852039166/", "http://10.1/x"])
def test_a_redirect_to_an_internal_address_is_refused(redirecting_server, target):
    session = outbound.OutboundSession(allow_loopback=True)
    with pytest.raises(outbound.Refused):
        session.get(f"{redirecting_server}/to/{target}")


def test_a_server_answering_a_byte_at_a_time_is_cut_off_at_the_deadline(dribbling_server):
    session = outbound.OutboundSession(allow_loopback=True, call_seconds=1.0)
    started = time.monotonic()
    with pytest.raises(outbound.DeadlineExceeded):
        session.get(dribbling_server, timeout=(5, 30))  # per-read timeouts never fire
    assert time.monotonic() - started < 2.5


@pytest.mark.parametrize("host", INTERNAL_SPELLINGS)
def test_the_okta_api_url_refuses_internal_addresses_in_any_spelling(host, settings):
    settings.OKTA_API_ALLOW_LOOPBACK = False
    with pytest.raises(InvalidOktaURL, match="private or link-local|loopback"):
        normalize_okta_base_url(f"https://{host}")


def test_the_okta_api_reaches_loopback_only_with_the_demo_switch(settings, fake_okta):
    settings.OKTA_API_ALLOW_LOOPBACK = False
    with pytest.raises(InvalidOktaURL, match="loopback"):
        OktaClient(fake_okta.base_url, fake_okta.token)
    port = fake_okta.base_url.rsplit(":", 1)[1]
    settings.OKTA_API_ALLOW_LOOPBACK = True
    client = OktaClient(f"http://localhost:{port}", fake_okta.token)
    client.check_credentials()
    client._session.close()  # the next call opens a new connection, whose address is checked
    client._session.allow_loopback = False
    with pytest.raises(OktaNetworkError, match="localhost is a loopback address"):
        client.check_credentials()


def test_the_okta_connection_check_answers_within_its_deadline(dribbling_server, settings):
    client = OktaClient(dribbling_server, "00token", deadline=1.5, max_retries=3)
    started = time.monotonic()
    with pytest.raises(OktaNetworkError) as error:
        client.check_credentials()
    assert error.value.kind == "timeout"
    assert time.monotonic() - started < 3


def test_a_metadata_url_answering_a_byte_at_a_time_stops_at_the_setting(dribbling_server, settings):
    """A 5 s setting held a fetch 44 s: each byte reset the read timeout."""
    settings.SSO_METADATA_FETCH_ALLOW_LOOPBACK = True
    settings.SSO_METADATA_FETCH_TIMEOUT = 1.0
    started = time.monotonic()
    with pytest.raises(MetadataError, match="did not answer in time"):
        fetch_metadata(f"{dribbling_server}/metadata")
    assert time.monotonic() - started < 2.5


def test_no_proxy_from_the_environment_is_used(monkeypatch, redirecting_server):
    monkeypatch.setenv("HTTP_PROXY", "http://127.0.0.1:9")
    session = outbound.OutboundSession(allow_loopback=True)
    assert session.get(redirecting_server, allow_redirects=False).status_code == 302
    with pytest.raises(requests.exceptions.InvalidProxyURL):
        session.get(redirecting_server, proxies={"http": "http://127.0.0.1:9"})


@pytest.mark.django_db
def test_dry_run_says_okta_timed_out_within_seconds(admin_client, dribbling_server, monkeypatch):
    """The connection check of Dry Run held a web request 179 s (4 request threads in all)."""
    monkeypatch.setattr("sync.actions.CONNECTION_CHECK_SECONDS", 1.5)
    data = {
        "enabled": "on", "api_url": dribbling_server, "api_token": "00abcdefghijklmnWXYZ",
        "app_id": "", "scope": "app", "frequency": "off", "every_minutes": "30",
        "daily_at": "", "cron": "", "deactivation_threshold": "20", "op": "dry_run",
    }  # fmt: skip
    started = time.monotonic()
    response = admin_client.post("/administrator/authentication/okta-sync/", data)
    assert time.monotonic() - started < 4
    assert response.status_code == 400
    assert "did not answer within 1.5 seconds" in response.context["sync_form"].errors["api_url"][0]
