"""interviews/fetch.py against real local servers (tests/report_server.py)."""

import hashlib
import ipaddress
import shutil
import socket
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from interviews import fetch
from interviews.fetch import Refused, Temporary, fetch_pdf
from tests.report_server import SAMPLE_PDF, ReportServer, self_signed_tls


@pytest.fixture
def server() -> Iterator[ReportServer]:
    with ReportServer() as running:
        yield running


@pytest.fixture
def internal() -> Iterator[ReportServer]:
    """A second server standing for something inside the network: never trusted."""
    with ReportServer() as running:
        yield running


def get(server: ReportServer, path: str, **options: Any) -> fetch.FetchedPdf:
    options.setdefault("trusted_hosts", [server.host])
    options.setdefault("timeout", 5)
    options.setdefault("max_bytes", 1024 * 1024)
    return fetch_pdf(server.url(path), **options)


def test_it_downloads_a_pdf(server: ReportServer) -> None:
    fetched = get(server, "/report.pdf")

    assert fetched.content == SAMPLE_PDF
    assert fetched.sha256 == hashlib.sha256(SAMPLE_PDF).hexdigest()
    assert fetched.size == len(SAMPLE_PDF)
    assert server.host_headers == [server.host]


def test_it_refuses_plain_http_for_an_untrusted_host(server: ReportServer) -> None:
    with pytest.raises(Refused, match="plain http"):
        get(server, "/report.pdf", trusted_hosts=[])

    assert server.total_hits() == 0


def test_it_trusts_a_host_only_on_its_port(server: ReportServer) -> None:
    with pytest.raises(Refused):
        get(server, "/report.pdf", trusted_hosts=["127.0.0.1:1"])
    assert get(server, "/report.pdf", trusted_hosts=["127.0.0.1"]).content == SAMPLE_PDF


@pytest.mark.parametrize("url", ["ftp://example.com/r.pdf", "file:///etc/passwd", "https://", "x"])
def test_it_refuses_other_schemes(url: str) -> None:
    with pytest.raises(Refused):
        fetch_pdf(url, trusted_hosts=[])


def test_it_refuses_a_redirect_to_an_internal_address_without_contacting_it(
    server: ReportServer, internal: ReportServer
) -> None:
    for target in (internal.url("/report.pdf"), f"https://127.0.0.1:{internal.port}/report.pdf"):
        with pytest.raises(Refused):
            get(server, f"/redirect?to={target}")

    assert server.hits["/redirect"] == 2
    assert internal.total_hits() == 0


def test_it_follows_a_redirect_to_a_trusted_address(server: ReportServer) -> None:
    assert get(server, "/redirect?to=/report.pdf").content == SAMPLE_PDF
    assert server.hits["/report.pdf"] == 1


def test_it_stops_after_five_redirects(server: ReportServer) -> None:
    with pytest.raises(Refused, match="redirects"):
        get(server, "/redirect?to=/redirect%3Fto%3D/redirect")

    assert server.hits["/redirect"] == 6


@pytest.mark.parametrize(
    "address",
    [
        "127.0.0.1",
        "10.1.2.3",
        "172.16.0.1",
        "192.168.1.1",
        "169.254.169.254",
        "100.64.0.1",
        "0.0.0.0",  # noqa: S104
        "224.0.0.1",
        "240.0.0.1",
        "255.255.255.255",
        "::1",
        "::",
        "fe80::1",
        "fc00::1",
        "ff02::1",
        "::ffff:127.0.0.1",
        "::ffff:10.0.0.1",
        "64:ff9b::a00:1",
        "2002:7f00:1::",
    ],
)
def test_it_knows_internal_addresses(address: str) -> None:
    assert not fetch._is_public(ipaddress.ip_address(address))


@pytest.mark.parametrize("address", ["93.184.215.14", "2606:2800:21f:cb07:6820:80da:af6b:8b2c"])
def test_it_knows_public_addresses(address: str) -> None:
    assert fetch._is_public(ipaddress.ip_address(address))


def test_it_refuses_a_name_that_resolves_inside(monkeypatch: pytest.MonkeyPatch) -> None:
    def resolve(host: str, port: int, **kwargs: Any) -> list[Any]:
        # One public and one internal answer: the name is refused as a whole.
        return [
            (socket.AF_INET, socket.SOCK_STREAM, 6, "", ("93.184.215.14", port)),
            (socket.AF_INET, socket.SOCK_STREAM, 6, "", ("10.0.0.5", port)),
        ]

    monkeypatch.setattr(fetch.socket, "getaddrinfo", resolve)

    with pytest.raises(Refused, match="internal"):
        fetch_pdf("https://reports.example.com/r.pdf", trusted_hosts=[])


def test_it_aborts_an_oversized_body_at_the_cap(server: ReportServer) -> None:
    cap = 64 * 1024
    started = time.monotonic()

    with pytest.raises(Refused, match="larger"):
        get(server, "/slow-big.pdf", max_bytes=cap)

    assert time.monotonic() - started < 3
    assert server.hung_up.wait(5)
    # The server saw the connection close long before it had written the whole body.
    assert server.written["/slow-big.pdf"] < server.big_bytes / 8


def test_it_refuses_a_declared_oversized_body_before_reading_it(server: ReportServer) -> None:
    with pytest.raises(Refused, match="larger"):
        get(server, "/declared-big.pdf")


def test_it_times_out_on_a_server_that_never_answers(server: ReportServer) -> None:
    started = time.monotonic()

    with pytest.raises(Temporary, match="in time"):
        get(server, "/hang", timeout=1)

    assert time.monotonic() - started < 3


def test_it_enforces_the_total_deadline_on_a_trickling_server(server: ReportServer) -> None:
    # A byte every 0.2 s never trips a read timeout; the total deadline still ends it.
    started = time.monotonic()

    with pytest.raises(Temporary, match="too long"):
        get(server, "/trickle.pdf", timeout=1.5)

    assert time.monotonic() - started < 2.5


def test_it_cuts_a_stalled_body_at_the_deadline(server: ReportServer) -> None:
    started = time.monotonic()

    with pytest.raises(Temporary):
        get(server, "/hang-body.pdf", timeout=1)

    assert time.monotonic() - started < 2


def test_it_treats_5xx_as_temporary(server: ReportServer) -> None:
    with pytest.raises(Temporary, match="500"):
        get(server, "/flaky.pdf")
    assert get(server, "/flaky.pdf").content == SAMPLE_PDF


def test_it_treats_4xx_as_refused(server: ReportServer) -> None:
    with pytest.raises(Refused, match="404"):
        get(server, "/missing.pdf")


def test_it_refuses_a_body_that_is_not_a_pdf_whatever_its_content_type(
    server: ReportServer,
) -> None:
    with pytest.raises(Refused, match="not give a PDF"):
        get(server, "/not-a-pdf.pdf")


def test_it_says_a_closed_port_is_temporary(server: ReportServer) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed_port = probe.getsockname()[1]
    with pytest.raises(Temporary):
        fetch_pdf(f"http://127.0.0.1:{closed_port}/r.pdf", trusted_hosts=["127.0.0.1"], timeout=2)


def test_it_never_puts_the_url_in_its_errors(server: ReportServer) -> None:
    with pytest.raises(Refused) as refused:
        get(server, "/missing.pdf?sig=secret-signature")

    assert "secret-signature" not in str(refused.value)
    assert "127.0.0.1" not in str(refused.value)


needs_openssl = pytest.mark.skipif(shutil.which("openssl") is None, reason="no openssl command")


@pytest.fixture
def reports_test_resolves_here(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """`reports.test` (no real DNS name) resolves to 127.0.0.1, for fetch's one lookup only."""
    looked_up: list[str] = []
    real = socket.getaddrinfo

    def resolve(host: str, port: Any, *args: Any, **kwargs: Any) -> Any:
        looked_up.append(host)
        if host == "reports.test":
            return real("127.0.0.1", port, *args, **kwargs)
        return real(host, port, *args, **kwargs)

    monkeypatch.setattr(fetch.socket, "getaddrinfo", resolve)
    return looked_up


@needs_openssl
def test_it_connects_to_the_checked_address_with_sni_and_certificate_of_the_name(
    tmp_path: Path, reports_test_resolves_here: list[str]
) -> None:
    server_tls, client_tls = self_signed_tls(tmp_path, name="reports.test")

    with ReportServer(tls=server_tls) as server:
        fetched = fetch_pdf(
            server.url("/report.pdf", host="reports.test"),
            trusted_hosts=[f"reports.test:{server.port}"],
            ssl_context=client_tls,
            timeout=5,
        )

    assert fetched.content == SAMPLE_PDF
    # The name was looked up once (by the check); the connection went to that address, and
    # TLS named the host: SNI, certificate and Host header.
    assert reports_test_resolves_here.count("reports.test") == 1
    assert server.sni_names == ["reports.test"]
    assert server.host_headers == [f"reports.test:{server.port}"]


@needs_openssl
def test_it_refuses_a_certificate_for_another_name(
    tmp_path: Path, reports_test_resolves_here: list[str]
) -> None:
    server_tls, client_tls = self_signed_tls(tmp_path, name="elsewhere.test")

    with ReportServer(tls=server_tls) as server:
        with pytest.raises(Refused, match="certificate"):
            fetch_pdf(
                server.url("/report.pdf", host="reports.test"),
                trusted_hosts=[f"reports.test:{server.port}"],
                ssl_context=client_tls,
                timeout=5,
            )
        assert server.total_hits() == 0
