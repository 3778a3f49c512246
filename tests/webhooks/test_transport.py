"""The SSRF guard: which addresses are refused, and that the connection goes to the checked address."""

from __future__ import annotations

import ipaddress
import random
import socket

import pytest

from webhooks import transport
from webhooks.services import retry_delay


@pytest.mark.parametrize(
    "address",
    [
        "127.0.0.1",
        "10.1.2.3",
        "172.16.0.1",
        "192.168.1.10",
        "169.254.169.254",  # cloud metadata: link-local
        "0.0.0.0",
        "100.64.0.1",  # carrier-grade NAT
        "224.0.0.1",
        "::1",
        "fe80::1",
        "fc00::1",
        "::ffff:127.0.0.1",  # IPv4-mapped loopback
        "::ffff:10.0.0.1",
    ],
)
def test_private_loopback_and_link_local_addresses_are_refused(settings, address):
    settings.WEBHOOKS_ALLOW_PRIVATE = False
    assert not transport.address_allowed(ipaddress.ip_address(address))
    settings.WEBHOOKS_ALLOW_PRIVATE = True
    assert transport.address_allowed(ipaddress.ip_address(address))


@pytest.mark.parametrize("address", ["93.184.216.34", "2606:2800:220:1:248:1893:25c8:1946"])
def test_public_addresses_are_allowed(settings, address):
    settings.WEBHOOKS_ALLOW_PRIVATE = False
    assert transport.address_allowed(ipaddress.ip_address(address))


def _answers(*addresses):
    return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (a, 443)) for a in addresses]


def test_one_private_address_among_the_answers_refuses_the_url(settings, monkeypatch):
    settings.WEBHOOKS_ALLOW_PRIVATE = False
    monkeypatch.setattr(socket, "getaddrinfo", lambda *a, **k: _answers("93.184.216.34", "10.0.0.5"))
    with pytest.raises(transport.AddressRefused):
        transport.resolve("https://hooks.example.com/in")
    assert transport.check_url("https://hooks.example.com/in") == str(transport.ADDRESS_REFUSED)


def test_the_connection_goes_to_the_checked_address_not_to_a_second_dns_answer(settings, monkeypatch):
    """DNS rebinding: the name answers a public address when checked and a private one afterwards; the
    socket is opened to the checked address, and the name is resolved once."""
    settings.WEBHOOKS_ALLOW_PRIVATE = False
    answers = iter([_answers("93.184.216.34"), _answers("127.0.0.1")])
    lookups = []

    def getaddrinfo(host, *args, **kwargs):
        lookups.append(host)
        return next(answers)

    connected = []

    def create_connection(address, *args, **kwargs):
        connected.append(address)
        raise ConnectionRefusedError("test: no network")

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    monkeypatch.setattr(socket, "create_connection", create_connection)
    response = transport.post("http://hooks.example.com/in", b"{}", {}, timeout=1)
    assert lookups == ["hooks.example.com"]
    assert connected == [("93.184.216.34", 80)]
    assert response.status is None and "ConnectionRefusedError" in response.error


@pytest.mark.parametrize(
    "url", ["ftp://hooks.example.com/", "http:///nohost", "https://user:pw@hooks.example.com/", "http://[::1"]
)
def test_malformed_urls_are_refused(url):
    with pytest.raises(transport.AddressRefused):
        transport.resolve(url)


def test_the_backoff_doubles_with_jitter_and_stays_bounded(settings):
    settings.WEBHOOKS_RETRY_BASE_SECONDS = 30
    settings.WEBHOOKS_RETRY_MAX_SECONDS = 600
    random.seed(1)
    for attempt, ceiling in [(1, 30), (2, 60), (3, 120), (5, 480), (6, 600), (20, 600)]:
        delays = [retry_delay(attempt) for _ in range(50)]
        assert all(ceiling / 2 <= d <= ceiling for d in delays), (attempt, min(delays), max(delays))
        assert len(set(delays)) > 1  # jitter
