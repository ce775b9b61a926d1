"""The platform's webhook: POST /webhooks/interview-result/.

Checks in CONTRACT.md's order: 405 method, 401 secret (before the body is read), 413 size
(Content-Length, then while reading), 415 content type or a Content-Encoding other than identity,
400 body, 200 with the outcome. Any 2xx
tells the platform to stop retrying, so a 200 is only sent once the delivery is committed.
"""

import hmac
import logging
from typing import Any

from django.conf import settings
from django.http import HttpRequest, UnreadablePostError
from rest_framework.negotiation import BaseContentNegotiation
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from interviews.ingest import delivery_receive, delivery_reject
from interviews.models import Delivery
from interviews.proxies import client_ip

logger = logging.getLogger("interviews.webhooks")

REDACTED = "[redacted]"
# Headers that carry credentials whatever the platform's configuration.
SECRET_HEADERS = {"authorization", "proxy-authorization", "cookie", "x-api-key"}
SECRET_HINTS = ("secret", "token", "signature", "password", "auth", "key")
READ_CHUNK = 64 * 1024


class AlwaysJSON(BaseContentNegotiation):
    """The platform's Accept header never turns a delivery into a 406."""

    def select_parser(self, request, parsers):
        return None

    def select_renderer(self, request, renderers, format_suffix=None):
        return renderers[0], renderers[0].media_type


def secret_from_request(request: HttpRequest) -> str | None:
    """Return the secret the sender presented in WEBHOOK_SECRET_HEADER, if any."""
    value = request.headers.get(settings.WEBHOOK_SECRET_HEADER)
    if value is None:
        return None
    if settings.WEBHOOK_SECRET_HEADER.lower() == "authorization":
        scheme, _, token = value.partition(" ")
        return token.strip() if scheme.lower() == "bearer" else None
    return value.strip()


def secret_is_valid(presented: str | None) -> bool:
    """Compare in constant time against every configured secret (several during rotation)."""
    if not presented:
        return False
    matched = False
    for secret in settings.WEBHOOK_SECRETS:
        matched |= hmac.compare_digest(presented.encode(), secret.encode())
    return matched


def redacted_headers(request: HttpRequest) -> dict[str, str]:
    """Return the request's headers with every secret-bearing value replaced."""
    configured = settings.WEBHOOK_SECRET_HEADER.lower()
    headers = {}
    for name, value in request.headers.items():
        lowered = name.lower()
        if (
            lowered == configured
            or lowered in SECRET_HEADERS
            or any(hint in lowered for hint in SECRET_HINTS)
            or any(secret and secret in value for secret in settings.WEBHOOK_SECRETS)
        ):
            value = REDACTED
        # PostgreSQL's jsonb cannot hold NUL, and a sender can put one in a header.
        headers[name] = value.replace("\x00", "")
    return headers


def is_json_content_type(content_type: str) -> bool:
    media_type = content_type.split(";", 1)[0].strip().lower()
    return media_type == "application/json" or (
        media_type.startswith("application/") and media_type.endswith("+json")
    )


def is_identity_encoding(content_encoding: str) -> bool:
    """Return whether the body is sent as is: no Content-Encoding, or only `identity`."""
    codings = [coding.strip().lower() for coding in content_encoding.split(",")]
    return all(coding in ("", "identity") for coding in codings)


def error_response(status: int, errors: dict) -> Response:
    return Response({"errors": errors}, status=status)


class ServerStream:
    """The WSGI server's own input stream, for a body sent without Content-Length.

    A chunked body (Transfer-Encoding: chunked) reaches Django without Content-Length, and
    Django then reads it as empty. gunicorn de-chunks it and ends the stream at the body's end
    (`wsgi.input_terminated`), so the webhook reads that stream itself, still up to its limit.
    """

    def __init__(self, stream: Any) -> None:
        self.stream = stream

    def read(self, size: int) -> bytes:
        try:
            return self.stream.read(size)
        except Exception as exc:  # A broken chunk or a dropped connection, in the server's words.
            raise UnreadablePostError(str(exc)) from exc


def body_stream(request: HttpRequest) -> HttpRequest | ServerStream:
    """Return what to read the body from: the request, or the server's stream when the body
    came without Content-Length (chunked) and the server marks where it ends."""
    meta = request.META
    if (
        not meta.get("CONTENT_LENGTH")
        and meta.get("wsgi.input_terminated")
        and "wsgi.input" in meta
    ):
        return ServerStream(meta["wsgi.input"])
    return request


def declared_length(request: HttpRequest) -> int:
    """Return the Content-Length the sender declared (0 when absent or not a number)."""
    try:
        return max(int(request.META.get("CONTENT_LENGTH") or 0), 0)
    except ValueError:
        return 0


class InterviewResultWebhook(APIView):
    """Receive one interview-result delivery from the platform."""

    http_method_names = ["post"]
    # The platform authenticates with a shared secret in a header, checked below; no session,
    # no CSRF (DRF exempts its views), no throttling that could refuse a retry.
    authentication_classes: list = []
    permission_classes: list = []
    throttle_classes: list = []
    renderer_classes = [JSONRenderer]
    content_negotiation_class = AlwaysJSON
    schema = None  # not part of the read API's OpenAPI document

    def http_method_not_allowed(  # type: ignore[override]  # the signature of DRF's own stubs
        self, request: Request, *args: Any, **kwargs: Any
    ) -> Response:
        """Answer 405 in the webhook's error shape; the Allow header says POST."""
        return error_response(405, {"method": [f"Use POST, not {request.method}."]})

    def post(self, request: Request) -> Response:
        django_request = request._request
        source_ip = client_ip(django_request)
        if not secret_is_valid(secret_from_request(django_request)):
            # Never log what was presented: a near-miss may be a real secret.
            logger.warning("refused a delivery without a valid secret from %s", source_ip)
            response = error_response(401, {"secret": ["Missing or wrong webhook secret."]})
            if settings.WEBHOOK_SECRET_HEADER.lower() == "authorization":
                response["WWW-Authenticate"] = 'Bearer realm="webhook"'
            return response

        headers = redacted_headers(django_request)
        limit = settings.WEBHOOK_MAX_BODY_BYTES
        declared = declared_length(django_request)
        stream = body_stream(django_request)
        try:
            if declared > limit:
                head = stream.read(1024)
                return self._too_large(head, declared, limit, headers, source_ip)
            body = self._read_body(stream, limit)
        except UnreadablePostError:
            # The sender went away mid-body; nobody reads this answer, but it is not a 500,
            # and the attempt is on record like any authenticated delivery.
            errors = {"body": ["The body could not be read."]}
            delivery_reject(body=b"", errors=errors, headers=headers, source_ip=source_ip)
            return error_response(400, errors)
        if len(body) > limit:
            return self._too_large(body, max(len(body), declared), limit, headers, source_ip)

        if not is_json_content_type(django_request.META.get("CONTENT_TYPE", "")):
            errors = {"content_type": ["Send the delivery as application/json."]}
            delivery_reject(body=body, errors=errors, headers=headers, source_ip=source_ip)
            return error_response(415, errors)
        if not is_identity_encoding(django_request.headers.get("Content-Encoding", "")):
            # A compressed body is not JSON until decoded, and we never decode one: say so,
            # rather than a 400 about UTF-8.
            errors = {"content_encoding": ["Send the delivery uncompressed (no Content-Encoding)."]}
            delivery_reject(body=body, errors=errors, headers=headers, source_ip=source_ip)
            return error_response(415, errors)

        receipt = delivery_receive(body=body, headers=headers, source_ip=source_ip)
        if receipt.outcome == Delivery.Outcome.REJECTED:
            return error_response(400, receipt.delivery.error or {})
        return Response({"id": receipt.result_id, "outcome": receipt.outcome})

    @staticmethod
    def _read_body(request: HttpRequest | ServerStream, limit: int) -> bytes:
        """Read at most limit + 1 bytes: enough to know the body is too large."""
        chunks, size = [], 0
        while size <= limit:
            chunk = request.read(min(READ_CHUNK, limit + 1 - size))
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
        return b"".join(chunks)

    @staticmethod
    def _too_large(
        head: bytes, size: int, limit: int, headers: dict[str, str], source_ip: str | None
    ) -> Response:
        errors = {"body": [f"Body is larger than the limit of {limit} bytes."]}
        delivery_reject(
            body=head[:1024], size=size, errors=errors, headers=headers, source_ip=source_ip
        )
        return error_response(413, errors)
