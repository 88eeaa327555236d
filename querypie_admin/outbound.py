"""Outbound HTTP (the Okta API, the SAML Metadata URL): the right address, in bounded time.

Address: the rule is applied to the address each connection actually reached, after DNS,
for every connection a call makes (redirects and next-page links included). So no spelling
of a host (`2852039166`, `0xa9fea9fe`, `012.0.0.1`, `[64:ff9b::a9fe:a9fe]`) and no DNS
answer reaches loopback, private, link-local, reserved or NAT64/6to4-mapped ranges; loopback
only where the caller's demo switch allows it. Proxies from the environment are not used:
through a proxy the address reached would be the proxy's, and the rule could not hold.

Time: each call has an overall deadline, not a per-read timeout: a server that answers one
byte a second is cut off when the deadline passes (a watchdog shuts the call's sockets),
and the call raises DeadlineExceeded, a requests Timeout.
"""

import contextlib
import contextvars
import ipaddress
import os
import socket
import threading
import time
from collections.abc import Iterator
from http.client import HTTPException
from typing import Any

import requests
from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool
from urllib3.exceptions import (
    ConnectTimeoutError,
    HTTPError,
    NameResolutionError,
    NewConnectionError,
)

Address = ipaddress.IPv4Address | ipaddress.IPv6Address
NAT64 = ipaddress.ip_network("64:ff9b::/96")
NAT64_LOCAL = ipaddress.ip_network("64:ff9b:1::/48")


class Refused(Exception):
    """The address reached is one the console never calls; nothing was sent to it."""

    def __init__(self, host: str, address: Address, reason: str) -> None:
        self.host, self.address, self.reason = host, address, reason
        super().__init__(f"{host} is {reason} ({address}); the console does not connect there.")


class DeadlineExceeded(requests.exceptions.Timeout):
    """The call did not finish within its overall deadline."""


def embedded_ipv4(address: Address) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 one carries (mapped, NAT64, 6to4, Teredo client), if any."""
    if not isinstance(address, ipaddress.IPv6Address):
        return None
    if address in NAT64:
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    if address.teredo:
        return address.teredo[1]
    return address.ipv4_mapped or address.sixtofour


def refusal(address: Address, allow_loopback: bool = False) -> str:
    """Why the console must not connect to `address`, or "" when it may."""
    inner = embedded_ipv4(address)
    if inner is not None:
        reason = refusal(inner)
        return f"{reason} mapped into IPv6" if reason else ""
    if address.is_loopback:
        return "" if allow_loopback else "a loopback address"
    if address.is_link_local:
        return "a link-local address"
    if address in NAT64_LOCAL or address.is_private or address.is_multicast:
        return "a private address"
    if address.is_reserved or address.is_unspecified or not address.is_global:
        return "a non-public address"
    return ""


def literal_address(host: str) -> Address | None:
    """The address a host written as numbers means, in any spelling the resolver accepts
    (`2852039166`, `0xa9fe.0xa9fe`, `10.1`), or None for a host name."""
    with contextlib.suppress(ValueError):
        return ipaddress.ip_address(host.strip("[]"))
    if host and all(c in "0123456789abcdefxABCDEFX." for c in host):
        with contextlib.suppress(OSError):
            return ipaddress.IPv4Address(socket.inet_aton(host))
    return None


# One call in progress in this thread: its switch, its deadline and the sockets it opened.
_current: contextvars.ContextVar["_Call | None"] = contextvars.ContextVar("outbound_call")


class _Call:
    def __init__(self, seconds: float, allow_loopback: bool) -> None:
        self.allow_loopback = allow_loopback
        self.ends = time.monotonic() + seconds
        self.expired = False
        self._lock = threading.Lock()
        self._sockets: list[socket.socket] = []
        self._timer = threading.Timer(max(seconds, 0), self._expire)
        self._timer.daemon = True

    def remaining(self) -> float:
        return self.ends - time.monotonic()

    def watch(self, sock: socket.socket) -> None:
        """Keep a duplicate of the socket's descriptor: it survives TLS wrapping, and
        shutting it down ends the connection the call is blocked on."""
        with self._lock:
            if not self.expired:
                self._sockets.append(socket.socket(fileno=os.dup(sock.fileno())))

    def _expire(self) -> None:
        with self._lock:
            self.expired = True
            for sock in self._sockets:
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)

    def __enter__(self) -> "_Call":
        if self.remaining() <= 0:
            self.expired = True
            raise DeadlineExceeded("The deadline passed before the call began.")
        self._token = _current.set(self)
        self._timer.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._timer.cancel()
        _current.reset(self._token)
        with self._lock:
            for sock in self._sockets:
                sock.close()
            self._sockets.clear()


def _call() -> _Call:
    call = _current.get(None)
    if call is None:  # a connection is only ever made inside an OutboundSession call
        raise RuntimeError("Outbound connections are made through OutboundSession only")
    return call


class _CheckedConnectionMixin:
    """Resolve, refuse a bad address before any packet is sent, then connect to the checked
    address itself (a second DNS answer cannot differ) and check the peer once more."""

    _dns_host: str
    port: int
    sock: Any
    timeout: Any

    def _new_conn(self) -> socket.socket:
        call = _call()
        if isinstance(self.timeout, int | float):
            self.timeout = max(0.001, min(self.timeout, call.remaining()))
        host, failure = self._dns_host, None
        for address in self._checked_addresses(call):
            self._dns_host = str(address)
            try:
                sock = super()._new_conn()  # type: ignore[misc]
            except (ConnectTimeoutError, NewConnectionError) as exc:
                failure = exc
                continue
            finally:
                self._dns_host = host
            self._check_peer(sock, call)
            return sock
        raise failure or NewConnectionError(self, f"{host} has no address")

    def _checked_addresses(self, call: "_Call") -> list[Address]:
        try:
            infos = socket.getaddrinfo(self._dns_host, self.port, type=socket.SOCK_STREAM)
        except (socket.gaierror, UnicodeError) as exc:
            raise NameResolutionError(self._dns_host, self, exc) from exc  # type: ignore[arg-type]
        addresses = list(dict.fromkeys(ipaddress.ip_address(i[4][0].split("%")[0]) for i in infos))
        for address in addresses:
            reason = refusal(address, call.allow_loopback)
            if reason:
                raise Refused(self._dns_host, address, reason)
        return addresses

    def _check_peer(self, sock: socket.socket, call: "_Call") -> None:
        address = ipaddress.ip_address(sock.getpeername()[0].split("%")[0])
        reason = refusal(address, call.allow_loopback)
        if reason:
            sock.close()
            raise Refused(self._dns_host, address, reason)
        call.watch(sock)

    def request(self, *args: Any, **kwargs: Any) -> Any:
        if self.sock is not None:  # a kept-alive connection serves this call too
            _call().watch(self.sock)
        return super().request(*args, **kwargs)  # type: ignore[misc]


class _CheckedHTTPConnection(_CheckedConnectionMixin, HTTPConnection):
    pass


class _CheckedHTTPSConnection(_CheckedConnectionMixin, HTTPSConnection):
    pass


class _CheckedHTTPPool(HTTPConnectionPool):
    ConnectionCls = _CheckedHTTPConnection


class _CheckedHTTPSPool(HTTPSConnectionPool):
    ConnectionCls = _CheckedHTTPSConnection


class _CheckedAdapter(HTTPAdapter):
    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = {
            "http": _CheckedHTTPPool,
            "https": _CheckedHTTPSPool,
        }

    def proxy_manager_for(self, proxy: str, **kwargs: Any) -> Any:
        raise requests.exceptions.InvalidProxyURL("Outbound calls do not go through proxies")


class OutboundSession(requests.Session):
    """A requests Session whose every call is checked and bounded.

    `call_seconds` bounds each call (its connections, redirects and whole body); `until`,
    when set, is a monotonic time by which every call must also be done (a connection
    check that must answer within seconds, retries included).
    """

    def __init__(self, *, allow_loopback: bool = False, call_seconds: float = 30.0) -> None:
        super().__init__()
        self.trust_env = False  # no proxies, no ~/.netrc
        self.allow_loopback = allow_loopback
        self.call_seconds = call_seconds
        self.until: float | None = None
        adapter = _CheckedAdapter()
        self.mount("http://", adapter)
        self.mount("https://", adapter)

    def out_of_time(self) -> bool:
        return self.until is not None and time.monotonic() >= self.until

    @contextlib.contextmanager
    def call(self) -> Iterator[_Call]:
        """The deadline of one call; a call already in progress in this thread goes on."""
        current = _current.get(None)
        if current is not None:
            yield current
            return
        seconds = self.call_seconds
        if self.until is not None:
            seconds = min(seconds, self.until - time.monotonic())
        with _Call(seconds, self.allow_loopback) as call:
            try:
                yield call
            except (requests.RequestException, OSError, HTTPException, HTTPError) as exc:
                if call.expired and not isinstance(exc, DeadlineExceeded):
                    raise DeadlineExceeded(f"No answer within {seconds:g} s") from exc
                raise
            if call.expired:  # cut off mid-answer: what was read is not the answer
                raise DeadlineExceeded(f"No whole answer within {seconds:g} s")

    def request(self, method: str | bytes, url: str | bytes, *args: Any, **kwargs: Any) -> Any:
        with self.call() as call:
            kwargs["timeout"] = _bounded(kwargs.get("timeout"), call.remaining())
            return super().request(method, url, *args, **kwargs)


def _bounded(timeout: Any, remaining: float) -> tuple[float, float]:
    """(connect, read) timeouts that never outlast the call's deadline."""
    connect, read = timeout if isinstance(timeout, tuple) else (timeout, timeout)
    return (
        max(0.001, min(connect or remaining, remaining)),
        max(0.001, min(read or remaining, remaining)),
    )


class TooLarge(Exception):
    """The answer was larger than the caller allows."""


def read_body(session: OutboundSession, url: str, max_bytes: int) -> requests.Response:
    """GET `url` without following redirects; the whole body, at most `max_bytes`, within
    the session's deadline. The response's `content` holds the body."""
    with session.call(), session.get(url, stream=True, allow_redirects=False) as response:
        body = bytearray()
        for chunk in response.iter_content(64 * 1024):
            body += chunk
            if len(body) > max_bytes:
                raise TooLarge(f"larger than {max_bytes} bytes")
        response._content = bytes(body)  # noqa: SLF001 - what requests does when it reads
        return response
