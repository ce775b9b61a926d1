"""Download a PDF report from a URL that came from outside, without letting it reach inside.

The URL arrives in a webhook delivery, so it is treated like any user input: https only (plain
http only for `PDF_ARCHIVE_TRUSTED_HOSTS`), every resolved address checked against internal
ranges, and the connection made to the very address that was checked (the request goes to the
IP, with the `Host` header, TLS SNI and certificate check naming the original host), so a second
DNS answer cannot point it elsewhere. Redirects are followed by hand, each hop checked again.
The body is streamed under a size cap and a total deadline, and must start with `%PDF-`; it is
never parsed or rendered here. Caller: `reports.report_archive_attempt`.
"""

from __future__ import annotations

import contextlib
import hashlib
import ipaddress
import socket
import ssl
import threading
import time
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

import httpx
from django.conf import settings

MAX_REDIRECTS = 5
CONNECT_TIMEOUT_SECONDS = 5.0
PDF_MAGIC = b"%PDF-"
USER_AGENT = "interview-results-report-archiver"
# NAT64 (RFC 6052) embeds an IPv4 address in its last 32 bits.
NAT64_PREFIX = ipaddress.IPv6Network("64:ff9b::/96")

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


class FetchError(Exception):
    """A download that did not give a PDF. The message is ours, safe to store and show: it
    never contains the URL (which is signed) or anything from the response body."""


class Refused(FetchError):
    """Trying again would give the same answer: a bad scheme, an internal address, a 4xx, not
    a PDF, too big."""


class Temporary(FetchError):
    """Worth trying again later: a timeout, a broken connection, a 5xx."""


@dataclass(frozen=True)
class FetchedPdf:
    content: bytes
    sha256: str

    @property
    def size(self) -> int:
        return len(self.content)


@dataclass(frozen=True)
class _Target:
    """One hop: where to connect (the checked address) and which host to name."""

    scheme: str
    hostname: str
    port: int
    address: str
    path: str

    @property
    def connect_url(self) -> str:
        host = f"[{self.address}]" if ":" in self.address else self.address
        return f"{self.scheme}://{host}:{self.port}{self.path}"

    @property
    def host_header(self) -> str:
        host = f"[{self.hostname}]" if ":" in self.hostname else self.hostname
        default_port = 443 if self.scheme == "https" else 80
        return host if self.port == default_port else f"{host}:{self.port}"


def fetch_pdf(
    url: str,
    *,
    trusted_hosts: list[str] | None = None,
    max_bytes: int | None = None,
    timeout: float | None = None,
    ssl_context: ssl.SSLContext | None = None,
) -> FetchedPdf:
    """Download the PDF at `url` and return it, or raise `Refused` or `Temporary`.

    Defaults come from the `PDF_ARCHIVE_*` settings; `ssl_context` lets tests trust their own
    certificate authority (the default verifies against the system's).
    """
    if trusted_hosts is None:
        trusted_hosts = settings.PDF_ARCHIVE_TRUSTED_HOSTS
    if max_bytes is None:
        max_bytes = settings.PDF_ARCHIVE_MAX_BYTES
    if timeout is None:
        timeout = settings.PDF_ARCHIVE_TIMEOUT_SECONDS
    deadline = time.monotonic() + timeout
    trusted = {entry.strip().lower() for entry in trusted_hosts if entry.strip()}

    # No proxies from the environment (they would connect elsewhere than the checked address)
    # and no kept-alive connections (each hop connects to the address checked for it).
    with httpx.Client(
        trust_env=False,
        verify=ssl_context if ssl_context is not None else True,
        follow_redirects=False,
        limits=httpx.Limits(max_keepalive_connections=0),
    ) as client:
        for _hop in range(MAX_REDIRECTS + 1):
            target = _check(url, trusted=trusted)
            response = _send(client, target, deadline=deadline)
            try:
                if response.is_redirect and "location" in response.headers:
                    url = urljoin(url, response.headers["location"]).split("#", 1)[0]
                    continue
                _check_status(response.status_code)
                return _read_pdf(response, max_bytes=max_bytes, deadline=deadline)
            finally:
                response.close()
    raise Refused(f"More than {MAX_REDIRECTS} redirects.")


def _check(url: str, *, trusted: set[str]) -> _Target:
    """Return where to connect for `url`, or raise `Refused` for a URL we must not fetch."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:
        raise Refused("The link is not a valid URL.") from None
    scheme = parts.scheme.lower()
    hostname = (parts.hostname or "").lower()
    if scheme not in ("https", "http") or not hostname:
        raise Refused("The link is not an https URL.")
    if port is None:
        port = 443 if scheme == "https" else 80
    is_trusted = hostname in trusted or f"{hostname}:{port}" in trusted
    if scheme == "http" and not is_trusted:
        raise Refused("The link uses plain http; only https is fetched.")

    try:
        infos = socket.getaddrinfo(hostname, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError):
        raise Temporary("The report's host name could not be resolved.") from None
    addresses = list(dict.fromkeys(str(info[4][0]) for info in infos))
    if not addresses:
        raise Temporary("The report's host name could not be resolved.")
    # Every address must be public: a name that also resolves inside is refused as a whole.
    if not is_trusted and not all(_is_public(_parse_ip(address)) for address in addresses):
        raise Refused("The link points at an internal address.")
    path = parts.path or "/"
    if parts.query:
        path += "?" + parts.query
    return _Target(scheme=scheme, hostname=hostname, port=port, address=addresses[0], path=path)


def _parse_ip(address: str) -> IPAddress:
    return ipaddress.ip_address(address.split("%", 1)[0])


def _is_public(address: IPAddress) -> bool:
    """Return whether `address` is on the public internet (not loopback, private, ...)."""
    if isinstance(address, ipaddress.IPv6Address):
        embedded = address.ipv4_mapped or address.sixtofour
        if address.teredo:
            embedded = address.teredo[1]
        if address in NAT64_PREFIX:
            embedded = ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
        if embedded is not None and not _is_public(embedded):
            return False
    # is_global alone lets IPv4 multicast through; the explicit checks say what is refused.
    return address.is_global and not (
        address.is_loopback
        or address.is_private
        or address.is_link_local
        or address.is_multicast
        or address.is_reserved
        or address.is_unspecified
    )


def _send(client: httpx.Client, target: _Target, *, deadline: float) -> httpx.Response:
    remaining = deadline - time.monotonic()
    if remaining <= 0:
        raise Temporary("The download took too long.")
    timeout = httpx.Timeout(
        connect=min(CONNECT_TIMEOUT_SECONDS, remaining),
        read=remaining,
        write=remaining,
        pool=remaining,
    )
    extensions = {"sni_hostname": target.hostname} if target.scheme == "https" else {}
    request = client.build_request(
        "GET",
        target.connect_url,
        headers={
            "Host": target.host_header,
            "Accept": "application/pdf",
            # A compressed body could grow past the cap in one decoded chunk.
            "Accept-Encoding": "identity",
            "User-Agent": USER_AGENT,
        },
        timeout=timeout,
        extensions=extensions,
    )
    try:
        return client.send(request, stream=True)
    except httpx.TimeoutException:
        raise Temporary("The report's server did not answer in time.") from None
    except httpx.ConnectError as exc:
        if isinstance(exc.__context__, ssl.SSLCertVerificationError) or (
            "CERTIFICATE_VERIFY_FAILED" in str(exc)
        ):
            raise Refused("The report's server has no valid certificate for its name.") from None
        raise Temporary("The report's server could not be reached.") from None
    except httpx.HTTPError:
        raise Temporary("The connection to the report's server failed.") from None


def _check_status(status: int) -> None:
    if 200 <= status < 300:
        return
    if status >= 500 or status in (408, 429):
        raise Temporary(f"The report's server answered {status}.")
    raise Refused(f"The report's server answered {status}.")


def _read_pdf(response: httpx.Response, *, max_bytes: int, deadline: float) -> FetchedPdf:
    """Stream the body under the cap and the deadline; return it when it is a PDF."""
    encoding = response.headers.get("content-encoding", "identity").strip().lower()
    if encoding not in ("", "identity"):
        raise Refused("The report came compressed; only plain bodies are accepted.")
    declared = response.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > max_bytes:
        raise Refused(f"The report is larger than {max_bytes} bytes.")

    watchdog = _Watchdog(response, deadline=deadline)
    digest = hashlib.sha256()
    chunks: list[bytes] = []
    size = 0
    looked = False
    try:
        for chunk in response.iter_raw():
            size += len(chunk)
            if size > max_bytes:
                raise Refused(f"The report is larger than {max_bytes} bytes.")
            chunks.append(chunk)
            digest.update(chunk)
            # Stop at the first bytes when they are not a PDF's (Content-Type proves nothing).
            if not looked and size >= len(PDF_MAGIC):
                looked = True
                if not b"".join(chunks).startswith(PDF_MAGIC):
                    raise Refused("The link did not give a PDF.")
            if time.monotonic() > deadline:
                raise Temporary("The download took too long.")
    except httpx.TimeoutException:
        raise Temporary("The download took too long.") from None
    except httpx.HTTPError:
        if watchdog.fired:
            raise Temporary("The download took too long.") from None
        raise Temporary("The connection broke during the download.") from None
    finally:
        watchdog.cancel()
    if watchdog.fired:
        # The cut connection may read as the end of a body without a length: not a whole PDF.
        raise Temporary("The download took too long.")
    content = b"".join(chunks)
    if not content.startswith(PDF_MAGIC):
        raise Refused("The link did not give a PDF.")
    return FetchedPdf(content=content, sha256=digest.hexdigest())


class _Watchdog:
    """Cut the connection at the deadline, so a server that trickles bytes cannot hold a
    worker past it (a read timeout only bounds the wait for each chunk)."""

    def __init__(self, response: httpx.Response, *, deadline: float) -> None:
        self.fired = False
        stream = response.extensions.get("network_stream")
        self._socket = stream.get_extra_info("socket") if stream is not None else None
        self._timer = threading.Timer(max(0.0, deadline - time.monotonic()), self._fire)
        self._timer.daemon = True
        if self._socket is not None:
            self._timer.start()

    def _fire(self) -> None:
        self.fired = True
        # The plain socket's shutdown: it wakes a read blocked in another thread, also under
        # TLS (SSLSocket.shutdown would tear down its state under the reader).
        if self._socket is not None:
            with contextlib.suppress(OSError):
                socket.socket.shutdown(self._socket, socket.SHUT_RDWR)

    def cancel(self) -> None:
        self._timer.cancel()
