"""HTTPS through the pinned connection: the socket goes to the checked address while TLS verifies the
certificate against the URL's host name (SNI), so pinning never weakens the certificate check."""

from __future__ import annotations

import shutil
import ssl
import subprocess
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest

from webhooks import transport

pytestmark = pytest.mark.skipif(shutil.which("openssl") is None, reason="needs the openssl command")


def _certificate(tmp_path, name: str):
    key, cert = tmp_path / f"{name}.key", tmp_path / f"{name}.pem"
    subprocess.run(
        [
            "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
            "-keyout", str(key), "-out", str(cert), "-subj", f"/CN={name}",
            "-addext", f"subjectAltName=DNS:{name}",
        ],
        check=True,
        capture_output=True,
    )  # fmt: skip
    return key, cert


@pytest.fixture
def tls_receiver(tmp_path, monkeypatch, settings):
    settings.WEBHOOKS_ALLOW_PRIVATE = True
    default_context = ssl.create_default_context
    seen: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            self.rfile.read(int(self.headers.get("Content-Length") or 0))
            seen.append(self.headers["Host"])
            self.send_response(204)
            self.end_headers()

        def log_message(self, *args) -> None:
            pass

    def start(cert_name: str) -> str:
        key, cert = _certificate(tmp_path, cert_name)
        server = HTTPServer(("127.0.0.1", 0), Handler)
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(cert, key)
        server.socket = context.wrap_socket(server.socket, server_side=True)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        # The client trusts this test certificate only (its own default context otherwise).
        monkeypatch.setattr(transport.ssl, "create_default_context", lambda: default_context(cafile=cert))
        return f"https://localhost:{server.server_address[1]}/hooks"

    servers: list[HTTPServer] = []
    yield start, seen
    for server in servers:
        server.shutdown()
        server.server_close()


def test_https_to_the_checked_address_verifies_the_certificate_of_the_host_name(tls_receiver):
    start, seen = tls_receiver
    url = start("localhost")
    response = transport.post(url, b"{}", {"Content-Type": "application/json"}, timeout=5)
    assert (response.status, response.error) == (204, "")
    assert seen == [url.split("/")[2]]  # the Host header names the host, not the address


def test_a_certificate_for_another_name_is_refused(tls_receiver):
    start, seen = tls_receiver
    url = start("other.example")
    response = transport.post(url, b"{}", {}, timeout=5)
    assert response.status is None and "certificate" in response.error.lower()
    assert seen == []
