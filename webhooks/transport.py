"""The HTTP POST of a delivery, with the SSRF guard.

The host is resolved once; every address it resolves to is checked with `ipaddress` (loopback, private,
link-local, multicast, reserved and unspecified addresses are refused unless WEBHOOKS_ALLOW_PRIVATE);
then the connection is made to a checked address itself, never by name again, so a second DNS answer
(DNS rebinding) cannot send the request elsewhere. HTTPS verifies the certificate against the host name
(SNI and the Host header carry the name). Redirects are not followed.
"""

from __future__ import annotations

import http.client
import ipaddress
import socket
import ssl
import time
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings
from django.utils.translation import gettext_lazy as _

EXCERPT_CHARS = 1000
READ_LIMIT = 64 * 1024

ADDRESS_REFUSED = _(
    "This address is on a private, loopback or link-local network: webhooks are not delivered there."
)
BAD_URL = _("Enter an http:// or https:// URL with a host name.")
UNRESOLVED = _("The host name could not be resolved.")


class AddressRefused(Exception):
    """The URL may not be delivered to (its address or its form); a retry would not help."""


IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


def address_allowed(ip: IPAddress) -> bool:
    if settings.WEBHOOKS_ALLOW_PRIVATE:
        return True
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_global and not (
        ip.is_private
        or ip.is_loopback
        or ip.is_link_local
        or ip.is_multicast
        or ip.is_reserved
        or ip.is_unspecified
    )


@dataclass(frozen=True)
class Target:
    scheme: str
    host: str
    port: int
    path: str
    addresses: tuple[str, ...]  # every one checked


def _split(url: str) -> tuple[str, str, int, str]:
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise AddressRefused(str(BAD_URL)) from exc
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.username or parts.password:
        raise AddressRefused(str(BAD_URL))
    path = parts.path or "/"
    if parts.query:
        path += "?" + parts.query
    return parts.scheme, parts.hostname, port or (443 if parts.scheme == "https" else 80), path


def resolve(url: str) -> Target:
    """The URL's host resolved and every address checked; AddressRefused for a refused or bad URL,
    OSError when the name does not resolve (a retry may help)."""
    scheme, host, port, path = _split(url)
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    addresses: list[str] = []
    for _family, _type, _proto, _name, sockaddr in infos:
        address = str(sockaddr[0]).split("%", 1)[0]
        if not address_allowed(ipaddress.ip_address(address)):
            raise AddressRefused(str(ADDRESS_REFUSED))
        if address not in addresses:
            addresses.append(address)
    if not addresses:
        raise OSError(str(UNRESOLVED))
    return Target(scheme, host, port, path, tuple(addresses))


def check_url(url: str) -> str | None:
    """The reason this URL cannot be subscribed, or None (the subscription form's check)."""
    try:
        resolve(url)
    except AddressRefused as exc:
        return str(exc)
    except (OSError, UnicodeError):
        return str(UNRESOLVED)
    return None


class _PinnedHTTPConnection(http.client.HTTPConnection):
    def __init__(self, host: str, port: int, address: str, timeout: float) -> None:
        super().__init__(host, port, timeout=timeout)
        self._address = address

    def connect(self) -> None:
        self.sock = socket.create_connection((self._address, self.port), self.timeout)


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    def __init__(self, host: str, port: int, address: str, timeout: float) -> None:
        super().__init__(host, port, timeout=timeout, context=ssl.create_default_context())
        self._address = address

    def connect(self) -> None:
        sock = socket.create_connection((self._address, self.port), self.timeout)
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)


@dataclass
class Response:
    status: int | None
    excerpt: str
    error: str
    duration_ms: int

    @property
    def ok(self) -> bool:
        return self.status is not None and 200 <= self.status < 300


def post(url: str, body: bytes, headers: dict[str, str], *, timeout: float) -> Response:
    """POST `body` to a checked address of `url`. Never raises for network trouble: the Response says
    what happened. AddressRefused (and OSError when the name does not resolve) come before any connection."""
    started = time.monotonic()
    target = resolve(url)
    connection_class = _PinnedHTTPSConnection if target.scheme == "https" else _PinnedHTTPConnection

    def elapsed() -> int:
        return int((time.monotonic() - started) * 1000)

    error = ""
    for address in target.addresses:  # the next checked address only when one cannot be connected to
        connection = connection_class(target.host, target.port, address, timeout)
        try:
            try:
                connection.connect()
            except OSError as exc:
                error = f"{type(exc).__name__}: {exc}"[:300]
                continue
            try:
                connection.request("POST", target.path, body=body, headers=headers)
                response = connection.getresponse()
                text = response.read(READ_LIMIT).decode("utf-8", errors="replace")
            except (OSError, http.client.HTTPException) as exc:
                return Response(None, "", f"{type(exc).__name__}: {exc}"[:300], elapsed())
            return Response(response.status, text[:EXCERPT_CHARS], "", elapsed())
        finally:
            connection.close()
    return Response(None, "", error, elapsed())
