"""A real local HTTP(S) server for the report-archive tests, with one behaviour per path.

Started by the tests on a free port of 127.0.0.1; it counts hits per path and records what it
wrote, so a test can show what the fetcher did to it (never contacted it, hung up early). The
fixtures `report_server` and `archive_settings` are imported by the report test modules.

    /report.pdf          the sample PDF (examples/reports/sample-report.pdf)
    /other.pdf           another PDF
    /sample-report.pdf   the sample PDF again (the name examples/deliveries/local-report.json uses)
    /redirect?to=URL     302 to URL (to itself without `to`)
    /flaky.pdf           500 for the first `failures` hits, then the PDF
    /not-a-pdf.pdf       an HTML page sent as application/pdf
    /missing.pdf         404
    /declared-big.pdf    a Content-Length over any cap (and a PDF body)
    /slow-big.pdf        a PDF of `big_bytes`, written in small pieces with pauses
    /trickle.pdf         "%PDF-" then one byte every 0.2 s, forever
    /hang                accepts the request and never answers
    /hang-body.pdf       the headers and "%PDF-", then nothing
    /hang-once.pdf       like /hang-body.pdf the first time, then the PDF
"""

from __future__ import annotations

import ssl
import subprocess
import threading
import time
from collections import Counter
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import TracebackType
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

SAMPLE_PDF = (
    Path(__file__).resolve().parent.parent / "examples" / "reports" / "sample-report.pdf"
).read_bytes()
OTHER_PDF = SAMPLE_PDF.replace(b"Interview report", b"Another report!!")


class ReportServer:
    def __init__(
        self,
        *,
        failures: int = 1,
        big_bytes: int = 8 * 1024 * 1024,
        tls: ssl.SSLContext | None = None,
    ) -> None:
        self.failures = failures
        self.big_bytes = big_bytes
        self.hits: Counter[str] = Counter()
        self.host_headers: list[str] = []
        self.sni_names: list[str | None] = []
        self.written: dict[str, int] = {}
        self.hung_up = threading.Event()  # the client closed while we were still writing
        self.stopping = threading.Event()
        self._lock = threading.Lock()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        self.server.daemon_threads = True
        self.server.owner = self  # type: ignore[attr-defined]
        self.scheme = "http"
        if tls is not None:
            tls.sni_callback = self._record_sni
            self.server.socket = tls.wrap_socket(self.server.socket, server_side=True)
            self.scheme = "https"
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def port(self) -> int:
        return int(self.server.server_address[1])

    @property
    def host(self) -> str:
        """`127.0.0.1:<port>`, as PDF_ARCHIVE_TRUSTED_HOSTS names it."""
        return f"127.0.0.1:{self.port}"

    def url(self, path: str, *, host: str | None = None) -> str:
        return f"{self.scheme}://{host or '127.0.0.1'}:{self.port}{path}"

    def total_hits(self) -> int:
        return sum(self.hits.values())

    def _record_sni(self, sock: ssl.SSLObject, name: str | None, context: ssl.SSLContext) -> None:
        self.sni_names.append(name)

    def __enter__(self) -> ReportServer:
        self._thread.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stopping.set()
        self.server.shutdown()
        self.server.server_close()


class _Handler(BaseHTTPRequestHandler):
    # HTTP/1.0: a body without Content-Length ends when the connection closes.
    protocol_version = "HTTP/1.0"

    @property
    def owner(self) -> ReportServer:
        return self.server.owner  # type: ignore[attr-defined]

    def log_message(self, format: str, *args: object) -> None:
        pass

    def do_GET(self) -> None:
        owner = self.owner
        parts = urlsplit(self.path)
        path = parts.path
        with owner._lock:
            owner.hits[path] += 1
            hits = owner.hits[path]
            owner.host_headers.append(self.headers.get("Host", ""))
        if path in ("/report.pdf", "/sample-report.pdf"):
            self._send(200, SAMPLE_PDF)
        elif path == "/other.pdf":
            self._send(200, OTHER_PDF)
        elif path == "/redirect":
            self.send_response(302)
            self.send_header("Location", parse_qs(parts.query).get("to", ["/redirect"])[0])
            self.end_headers()
        elif path == "/flaky.pdf":
            if hits <= owner.failures:
                self._send(500, b"try later", content_type="text/plain")
            else:
                self._send(200, SAMPLE_PDF)
        elif path == "/not-a-pdf.pdf":
            self._send(200, b"<html><script>alert(1)</script></html>")
        elif path == "/missing.pdf":
            self._send(404, b"no such report", content_type="text/plain")
        elif path == "/declared-big.pdf":
            self.send_response(200)
            self.send_header("Content-Type", "application/pdf")
            self.send_header("Content-Length", str(10**12))
            self.end_headers()
            self._write(path, SAMPLE_PDF)
        elif path == "/slow-big.pdf":
            self._slow_big(path)
        elif path == "/trickle.pdf":
            self._headers()
            self._write(path, b"%PDF-")
            while not owner.stopping.is_set() and self._write(path, b"x"):
                time.sleep(0.2)
        elif path == "/hang":
            owner.stopping.wait(120)
        elif path == "/hang-once.pdf" and hits > 1:
            self._send(200, SAMPLE_PDF)
        elif path in ("/hang-body.pdf", "/hang-once.pdf"):
            self._headers()
            self._write(path, b"%PDF-")
            owner.stopping.wait(120)
        else:
            self._send(404, b"unknown behaviour", content_type="text/plain")

    def _headers(self) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "application/pdf")
        self.end_headers()
        self.wfile.flush()

    def _send(self, status: int, body: bytes, *, content_type: str = "application/pdf") -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self._write(self.path, body)

    def _write(self, path: str, data: bytes) -> bool:
        """Write and count; return False once the client has hung up."""
        try:
            self.wfile.write(data)
            self.wfile.flush()
        except (BrokenPipeError, ConnectionResetError, ssl.SSLError, OSError):
            self.owner.hung_up.set()
            return False
        with self.owner._lock:
            self.owner.written[path] = self.owner.written.get(path, 0) + len(data)
        return True

    def _slow_big(self, path: str) -> None:
        self._headers()
        piece = b"%PDF-" + b"0" * (16 * 1024 - 5)
        sent = 0
        while sent < self.owner.big_bytes and not self.owner.stopping.is_set():
            if not self._write(path, piece):
                return
            sent += len(piece)
            piece = b"0" * len(piece)
            time.sleep(0.002)


def self_signed_tls(tmp_path: Path, *, name: str) -> tuple[ssl.SSLContext, ssl.SSLContext]:
    """Return (the server's context, a client context trusting only it) for a certificate
    made for `name` with the openssl command."""
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "1",
            "-subj",
            f"/CN={name}",
            "-addext",
            f"subjectAltName=DNS:{name}",
            "-keyout",
            str(key),
            "-out",
            str(cert),
        ],
        check=True,
        capture_output=True,
    )
    server = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    server.load_cert_chain(cert, key)
    client = ssl.create_default_context(cafile=str(cert))
    return server, client


@pytest.fixture
def report_server() -> Iterator[ReportServer]:
    with ReportServer() as running:
        yield running


@pytest.fixture
def archive_settings(settings: Any, tmp_path: Path, report_server: ReportServer) -> ReportServer:
    """Reports kept under a temporary MEDIA_ROOT, fetched from `report_server` (trusted)."""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PDF_ARCHIVE_TRUSTED_HOSTS = [report_server.host]
    settings.PDF_ARCHIVE_TIMEOUT_SECONDS = 3
    settings.PDF_ARCHIVE_RETRY_BASE_SECONDS = 60
    return report_server
