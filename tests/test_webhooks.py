"""POST /webhooks/interview-result/: every answer of CONTRACT.md's "The webhook", over real HTTP."""

import io
import json
import logging
import uuid
from typing import Any
from unittest import mock

import pytest
from django.db import OperationalError
from django.test import Client
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from interviews.models import Delivery, Event, InterviewResult
from interviews.webhooks import InterviewResultWebhook
from tests.conftest import SECRET, WEBHOOK_URL, WebhookClient, payload, payload_bytes

pytestmark = pytest.mark.django_db

SUBMITTED_ID = "912ff898-2e65-4a31-8ff5-d3c59005eb97"


def only_delivery() -> Delivery:
    return Delivery.objects.get()


def with_field(name: str, value: Any) -> bytes:
    """Return submitted.json with one field replaced, as JSON bytes."""
    return json.dumps({**payload("submitted.json"), name: value}).encode()


def stored_row_text(delivery: Delivery) -> str:
    """Return every column of the stored delivery row as one string."""
    row = Delivery.objects.filter(pk=delivery.pk).values().get()
    parts = []
    for value in row.values():
        if isinstance(value, bytes | memoryview):
            parts.append(bytes(value).decode("utf-8", "replace"))
        else:
            parts.append(json.dumps(value, default=str))
    return "\n".join(parts)


# --- 405 ------------------------------------------------------------------------------------


@pytest.mark.parametrize("method", ["GET", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"])
def test_it_refuses_other_methods_with_405_even_without_a_secret(client: Client, method: str):
    response = client.generic(method, WEBHOOK_URL)

    assert response.status_code == 405
    assert response["Allow"] == "POST"
    assert not Delivery.objects.exists()


def test_it_answers_405_in_the_webhook_error_shape(client: Client):
    response = client.get(WEBHOOK_URL)

    assert response.json() == {"errors": {"method": ["Use POST, not GET."]}}


# --- 401 ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "authorization",
    [
        None,
        "Bearer not-the-secret",
        f"Basic {SECRET}",
        f"Token {SECRET}",
        SECRET,
        "Bearer ",
        f"Bearer {SECRET}x",
    ],
    ids=["missing", "wrong", "basic-scheme", "token-scheme", "no-scheme", "empty", "longer"],
)
def test_it_refuses_a_missing_or_wrong_secret_with_401_and_stores_nothing(
    client: Client, authorization: str | None
):
    extra: dict[str, Any] = {"HTTP_AUTHORIZATION": authorization} if authorization else {}

    response = client.post(
        WEBHOOK_URL, payload_bytes("submitted.json"), content_type="application/json", **extra
    )

    assert response.status_code == 401
    assert response.json() == {"errors": {"secret": ["Missing or wrong webhook secret."]}}
    assert response["WWW-Authenticate"].startswith("Bearer")
    assert not Delivery.objects.exists()
    assert not InterviewResult.objects.exists()


def test_it_logs_a_refusal_without_the_presented_or_configured_secret(
    webhook: WebhookClient, caplog: pytest.LogCaptureFixture
):
    with caplog.at_level(logging.DEBUG):
        webhook.post(payload_bytes("submitted.json"), secret="guessed-secret-123")
        response = webhook.client.post(
            WEBHOOK_URL,
            payload_bytes("submitted.json"),
            content_type="application/json",
            HTTP_AUTHORIZATION=f"Basic {SECRET}",
        )

    assert response.status_code == 401
    refusals = [r for r in caplog.records if r.name == "interviews.webhooks"]
    assert len(refusals) == 2
    logged = caplog.text + "".join(repr(record.__dict__) for record in caplog.records)
    assert SECRET not in logged
    assert "guessed-secret-123" not in logged


def test_it_checks_the_secret_before_the_size_and_the_content_type(
    webhook: WebhookClient, settings: Any
):
    settings.WEBHOOK_MAX_BODY_BYTES = 100

    response = webhook.post(b"x" * 1000, secret="wrong", content_type="text/plain")

    assert response.status_code == 401
    assert not Delivery.objects.exists()


def test_it_refuses_everything_when_no_secret_is_configured(webhook: WebhookClient, settings: Any):
    settings.WEBHOOK_SECRETS = []

    assert webhook.post(payload_bytes("submitted.json"), secret="").status_code == 401
    assert webhook.post(payload_bytes("submitted.json"), secret="anything").status_code == 401


# --- 413 ------------------------------------------------------------------------------------


def test_it_refuses_a_body_declared_over_the_limit_and_keeps_its_first_kib(
    webhook: WebhookClient, settings: Any
):
    settings.WEBHOOK_MAX_BODY_BYTES = 2048
    body = json.dumps({**payload("submitted.json"), "ai_analysis": "x" * 5000}).encode()

    response = webhook.post(body, content_type="text/plain")  # 413 comes before 415

    assert response.status_code == 413
    assert "2048" in response.json()["errors"]["body"][0]
    delivery = only_delivery()
    assert delivery.outcome == Delivery.Outcome.REJECTED
    assert delivery.body_size == len(body)
    assert delivery.body_truncated is True
    assert bytes(delivery.body) == body[:1024]
    assert delivery.error == response.json()["errors"]


def test_it_records_an_absurd_content_length_without_failing(webhook: WebhookClient):
    response = webhook.post(payload_bytes("submitted.json"), CONTENT_LENGTH=str(10**15))

    assert response.status_code == 413
    delivery = only_delivery()
    assert delivery.body_truncated is True
    assert delivery.body_size == 2**31 - 1


def asgi_request(body: bytes, content_length: str | None) -> Any:
    """Build a request as an ASGI server hands it over: the whole body, whatever the header."""
    from django.core.handlers.asgi import ASGIRequest

    headers = [
        (b"authorization", f"Bearer {SECRET}".encode()),
        (b"content-type", b"application/json"),
    ]
    if content_length is not None:
        headers.append((b"content-length", content_length.encode()))
    scope = {
        "type": "http",
        "method": "POST",
        "path": WEBHOOK_URL,
        "query_string": b"",
        "headers": headers,
        "client": ("198.51.100.9", 40000),
        "server": ("testserver", 80),
    }
    return ASGIRequest(scope, io.BytesIO(body))


@pytest.mark.parametrize("content_length", ["10", "0", "junk", None])
def test_it_stops_reading_at_the_limit_when_content_length_lies(
    settings: Any, content_length: str | None
):
    settings.WEBHOOK_MAX_BODY_BYTES = 2048
    body = json.dumps({**payload("submitted.json"), "ai_analysis": "x" * 5000}).encode()

    response = InterviewResultWebhook.as_view()(asgi_request(body, content_length))

    assert response.status_code == 413
    delivery = only_delivery()
    assert delivery.body_truncated is True
    assert delivery.body_size == 2049  # read up to limit + 1, never the whole body
    assert bytes(delivery.body) == body[:1024]
    assert delivery.source_ip == "198.51.100.9"


def chunked_wsgi_request(body: bytes) -> Any:
    """Build a request as gunicorn hands over a chunked body: no Content-Length, the de-chunked
    body on wsgi.input, which ends where the body ends (wsgi.input_terminated)."""
    from django.core.handlers.wsgi import WSGIRequest

    return WSGIRequest(
        {
            "REQUEST_METHOD": "POST",
            "PATH_INFO": WEBHOOK_URL,
            "SCRIPT_NAME": "",
            "QUERY_STRING": "",
            "SERVER_NAME": "testserver",
            "SERVER_PORT": "80",
            "REMOTE_ADDR": "198.51.100.9",
            "CONTENT_TYPE": "application/json",
            "HTTP_AUTHORIZATION": f"Bearer {SECRET}",
            "HTTP_TRANSFER_ENCODING": "chunked",
            "wsgi.input": io.BytesIO(body),
            "wsgi.input_terminated": True,
            "wsgi.url_scheme": "http",
        }
    )


def test_it_reads_a_chunked_body_sent_without_content_length():
    response = InterviewResultWebhook.as_view()(
        chunked_wsgi_request(payload_bytes("submitted.json"))
    )

    assert response.status_code == 200
    assert response.data["outcome"] == "created"
    assert bytes(only_delivery().body) == payload_bytes("submitted.json")


def test_it_refuses_a_chunked_body_over_the_limit_with_413(settings: Any):
    settings.WEBHOOK_MAX_BODY_BYTES = 2048
    body = json.dumps({**payload("submitted.json"), "ai_analysis": "x" * 5000}).encode()

    response = InterviewResultWebhook.as_view()(chunked_wsgi_request(body))

    assert response.status_code == 413
    delivery = only_delivery()
    assert delivery.body_truncated is True
    assert delivery.body_size == 2049
    assert bytes(delivery.body) == body[:1024]


class BrokenChunks(io.BytesIO):
    def read(self, size: int | None = -1) -> bytes:
        raise ValueError("Invalid chunk size")  # what gunicorn raises for a garbled chunk


def test_it_answers_400_not_500_for_a_garbled_chunked_body():
    request = chunked_wsgi_request(b"")
    request.META["wsgi.input"] = BrokenChunks()

    response = InterviewResultWebhook.as_view()(request)

    assert response.status_code == 400
    assert response.data == {"errors": {"body": ["The body could not be read."]}}


class DisconnectingBody(io.BytesIO):
    def read(self, size: int | None = -1) -> bytes:
        raise OSError("connection reset by peer")


def test_it_answers_400_not_500_when_the_sender_disconnects_mid_body():
    request = asgi_request(b"", "100")
    request._stream = DisconnectingBody()

    response = InterviewResultWebhook.as_view()(request)

    assert response.status_code == 400
    assert response.data == {"errors": {"body": ["The body could not be read."]}}
    recorded = Delivery.objects.get()
    assert recorded.outcome == Delivery.Outcome.REJECTED
    assert recorded.error == {"body": ["The body could not be read."]}


def test_it_accepts_a_body_exactly_at_the_limit(webhook: WebhookClient, settings: Any):
    body = payload_bytes("submitted.json")
    settings.WEBHOOK_MAX_BODY_BYTES = len(body)

    response = webhook.post(body)

    assert response.status_code == 200
    assert response.json()["outcome"] == "created"


# --- 415 ------------------------------------------------------------------------------------


@pytest.mark.parametrize("content_type", ["text/plain", "application/x-www-form-urlencoded", ""])
def test_it_refuses_a_content_type_other_than_json_with_415_and_records_it(
    webhook: WebhookClient, content_type: str
):
    body = payload_bytes("submitted.json")

    response = webhook.post(body, content_type=content_type)

    assert response.status_code == 415
    delivery = only_delivery()
    assert delivery.outcome == Delivery.Outcome.REJECTED
    assert delivery.error == response.json()["errors"]
    assert "content_type" in delivery.error
    assert bytes(delivery.body) == body
    assert not InterviewResult.objects.exists()


@pytest.mark.parametrize(
    "content_type", ["application/json; charset=utf-8", "APPLICATION/JSON", "application/ld+json"]
)
def test_it_accepts_json_content_types_with_parameters_or_suffixes(
    webhook: WebhookClient, content_type: str
):
    response = webhook.post(payload_bytes("submitted.json"), content_type=content_type)

    assert response.status_code == 200


# --- 400 ------------------------------------------------------------------------------------


def assert_rejected(response: Any, body: bytes, field: str) -> None:
    """Assert a 400 naming `field`, recorded as rejected with its error and raw body."""
    assert response.status_code == 400, response.content
    errors = response.json()["errors"]
    assert field in errors, errors
    assert all(isinstance(message, str) for message in errors[field])
    delivery = only_delivery()
    assert delivery.outcome == Delivery.Outcome.REJECTED
    assert delivery.error == errors
    assert bytes(delivery.body) == body
    assert delivery.body_truncated is False
    assert delivery.result is None
    assert not InterviewResult.objects.exists()


@pytest.mark.parametrize(
    ("name", "field"),
    [
        ("bad-array-body.json", "body"),
        ("bad-id-not-uuid.json", "id"),
        ("bad-missing-id.json", "id"),
        ("bad-reasons-objects.json", "ai_analysis_recruiter_why_hire"),
        ("bad-score-type.json", "score"),
        ("bad-truncated.json.txt", "body"),
    ],
)
def test_it_refuses_each_bad_sample_with_400_naming_the_field(
    webhook: WebhookClient, name: str, field: str
):
    body = payload_bytes(name)

    assert_rejected(webhook.post(body), body, field)


ID = f'"id": "{SUBMITTED_ID}"'


@pytest.mark.parametrize(
    ("body", "field"),
    [
        pytest.param(b'{"id": "912ff898-2e65-4a31', "body", id="truncated"),
        pytest.param(f'{{{ID}, "score": NaN}}'.encode(), "body", id="nan"),
        pytest.param(f'{{{ID}, "score": Infinity}}'.encode(), "body", id="infinity"),
        pytest.param(f'{{{ID}, "score": -Infinity}}'.encode(), "body", id="minus-infinity"),
        pytest.param(f'{{{ID}, "candidate_name": "Ma'.encode() + b'\xff"}', "body", id="not-utf8"),
        pytest.param(b"[" * 100_000 + b"]" * 100_000, "body", id="deep-lists"),
        pytest.param(
            f'{{{ID}, "extra": '.encode() + b'{"a": ' * 40 + b"1" + b"}" * 41, "body", id="deep"
        ),
        pytest.param(b"[]", "body", id="array"),
        pytest.param(b'"a string"', "body", id="string"),
        pytest.param(b"null", "body", id="null"),
        pytest.param(f'{{{ID}, "candidate_name": "\\ud800"}}'.encode(), "body", id="surrogate"),
        pytest.param(f'{{{ID}, "candidate_name": "a\\u0000b"}}'.encode(), "body", id="nul"),
        pytest.param(f'{{{ID}, "x\\u0000": 1}}'.encode(), "body", id="nul-in-key"),
        pytest.param(f'{{{ID}, "score": 1e400}}'.encode(), "score", id="huge-float"),
        pytest.param(f'{{{ID}, "score": -1e400}}'.encode(), "score", id="huge-negative-float"),
        pytest.param(f'{{{ID}, "score": {"9" * 4000}}}'.encode(), "score", id="huge-int"),
        pytest.param(f'{{{ID}, "score": {"9" * 5000}}}'.encode(), "score", id="5000-digit-int"),
        pytest.param(f'{{{ID}, "extra": [1e400]}}'.encode(), "extra.0", id="huge-float-unknown"),
    ],
)
def test_it_refuses_a_body_that_is_not_strict_json_with_400(
    webhook: WebhookClient, body: bytes, field: str
):
    assert_rejected(webhook.post(body), body, field)


def test_it_refuses_an_empty_json_body_with_400(webhook: WebhookClient):
    # The test client leaves out the content type of an empty body; the platform would not.
    response = webhook.post(b"", CONTENT_TYPE="application/json")

    assert_rejected(response, b"", "body")


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("score", "5.12"),
        ("score", True),
        ("ai_analysis_recruiter_score", False),
        ("ai_analysis_recruiter_score", [4.2]),
        ("recruiter_go_next_round", "yes"),
        ("recruiter_go_next_round", 1),
        ("recruiter_go_next_round", "true"),
        ("ai_analysis_recruiter_why_hire", [{"text": "nested"}]),
        ("ai_analysis_recruiter_why_not_hire", [1, 2]),
        ("ai_analysis_recruiter_why_hire", {"a": "b"}),
        ("ai_analysis_recruiter_why_hire", 3),
        ("id", 12345),
        ("id", None),
        ("interview_id", "not-a-uuid"),
        ("pdf_export_url", "javascript:alert(1)"),
        ("pdf_export_url", "data:text/html,<script>alert(1)</script>"),
        ("pdf_export_url", "https://example.com/a.pdf\n"),
        ("pdf_export_valid_until", "tomorrow"),
        ("pdf_export_valid_until", "9999-12-31T23:59:59-12:00"),
        ("status", 3),
        ("status", "x" * 1001),  # an enum in an indexed column: at most 1,000 bytes
        ("candidate_name", ["Maria"]),
    ],
)
def test_it_refuses_a_wrongly_typed_field_with_400_naming_it(
    webhook: WebhookClient, field: str, value: Any
):
    body = with_field(field, value)

    assert_rejected(webhook.post(body), body, field)


def test_it_refuses_an_envelope_without_a_record_object(webhook: WebhookClient):
    body = json.dumps({"type": "UPDATE", "table": "interview_result", "record": [1]}).encode()

    assert_rejected(webhook.post(body), body, "record")


# --- The samples ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "event", "interview_status"),
    [
        ("submitted.json", Event.SUBMITTED, "completed"),
        ("collected.json", Event.COLLECTED, "completed"),
        ("failed-no-speech.json", Event.FAILED, "terminated, no speech detected"),
        ("stopped-early.json", Event.SUBMITTED, "completed, stopped early"),
    ],
)
def test_it_creates_a_result_from_each_event_sample(
    webhook: WebhookClient, name: str, event: str, interview_status: str
):
    sent = payload(name)

    response = webhook.post(payload_bytes(name))

    assert response.status_code == 200
    assert response.json() == {"id": sent["id"], "outcome": "created"}
    result = InterviewResult.objects.get(pk=sent["id"])
    assert result.event == event
    assert result.interview_status == interview_status
    assert result.score == sent["score"]
    assert result.candidate_name == sent["candidate_name"]
    assert result.ai_analysis_recruiter_why_hire == (sent["ai_analysis_recruiter_why_hire"] or [])
    assert result.reset_for_retake is False
    delivery = only_delivery()
    assert delivery.outcome == Delivery.Outcome.CREATED
    assert result.current_delivery == delivery
    assert bytes(delivery.body) == payload_bytes(name)


def test_it_splits_reasons_sent_as_one_string(webhook: WebhookClient):
    webhook.post(payload_bytes("why-hire-as-text.json"))

    result = InterviewResult.objects.get(pk=payload("why-hire-as-text.json")["id"])
    assert result.ai_analysis_recruiter_why_hire == ["Strong SQL skills", "calm under pressure"]
    assert result.ai_analysis_recruiter_why_not_hire == []


def test_it_applies_the_record_of_the_legacy_envelope(webhook: WebhookClient):
    sent = payload("legacy-envelope.json")

    response = webhook.post(payload_bytes("legacy-envelope.json"))

    assert response.json() == {"id": sent["record"]["id"], "outcome": "created"}
    result = InterviewResult.objects.get(pk=sent["record"]["id"])
    assert result.processing_status == "completed"  # the record, not old_record
    assert result.pdf_export_url == sent["record"]["pdf_export_url"]
    assert result.pdf_export_valid_until is not None
    assert result.pdf_export_valid_until.isoformat().startswith("2026-12-06T05:30:19.961")
    assert only_delivery().envelope_type == "UPDATE"


@pytest.mark.parametrize("envelope", [{"type": "INSERT"}, {"type": "update"}, {}])
def test_it_applies_insert_update_and_untyped_envelopes(webhook: WebhookClient, envelope: dict):
    record = payload("submitted.json")

    response = webhook.post({**envelope, "table": "interview_result", "record": record})

    assert response.json() == {"id": record["id"], "outcome": "created"}
    assert InterviewResult.objects.get().score == record["score"]


@pytest.mark.parametrize("kind", ["DELETE", "TRUNCATE", "SOMETHING-NEW-AND-VERY-LONG-INDEED"])
@pytest.mark.parametrize("record", [{}, {"record": None}], ids=["no-record", "null-record"])
def test_it_stores_and_ignores_other_envelope_types(
    webhook: WebhookClient, kind: str, record: dict
):
    webhook.post(payload_bytes("submitted.json"))
    old_record = {**payload("submitted.json"), "score": 1.0}
    envelope = {"type": kind, "table": "interview_result", **record, "old_record": old_record}
    body = json.dumps(envelope).encode()

    response = webhook.post(body)

    assert response.status_code == 200
    assert response.json() == {"id": SUBMITTED_ID, "outcome": "ignored"}
    ignored = Delivery.objects.get(outcome=Delivery.Outcome.IGNORED)
    assert bytes(ignored.body) == body
    assert ignored.result is None
    assert ignored.envelope_type == kind[:20]
    assert InterviewResult.objects.get().score == 5.12


def test_it_ignores_a_delete_envelope_without_any_record(webhook: WebhookClient):
    response = webhook.post({"type": "DELETE", "table": "interview_result", "schema": "public"})

    assert response.status_code == 200
    assert response.json() == {"id": None, "outcome": "ignored"}
    assert Delivery.objects.get().outcome == Delivery.Outcome.IGNORED


def test_it_ignores_an_envelope_for_another_table(webhook: WebhookClient):
    body = {"type": "UPDATE", "table": "profiles", "record": {"id": "x"}}

    response = webhook.post(body)

    assert response.json()["outcome"] == "ignored"
    assert not InterviewResult.objects.exists()


def test_it_accepts_unknown_fields_and_enum_values_and_keeps_them(webhook: WebhookClient):
    sent = payload("unknown-fields.json")

    response = webhook.post(payload_bytes("unknown-fields.json"))

    assert response.json() == {"id": sent["id"], "outcome": "created"}
    result = InterviewResult.objects.get()
    assert result.interview_status == "paused"
    assert result.event == Event.OTHER
    stored = json.loads(bytes(only_delivery().body))
    assert stored["sentiment_breakdown"] == {"positive": 0.7}


def test_it_answers_duplicate_for_the_same_body_twice(webhook: WebhookClient):
    webhook.post(payload_bytes("submitted.json"))

    response = webhook.post(payload_bytes("submitted.json"))

    assert response.json() == {"id": SUBMITTED_ID, "outcome": "duplicate"}
    assert Delivery.objects.count() == 2


def test_it_answers_updated_for_a_resend(webhook: WebhookClient):
    webhook.post(payload_bytes("submitted.json"))

    response = webhook.post(payload_bytes("resend-decision.json"))

    assert response.json() == {"id": SUBMITTED_ID, "outcome": "updated"}
    assert InterviewResult.objects.get().recruiter_go_next_round is True


# --- Secrets, redaction, source address -----------------------------------------------------


def test_it_accepts_every_secret_during_a_rotation(webhook: WebhookClient, settings: Any):
    settings.WEBHOOK_SECRETS = ["old-secret", "new-secret"]

    assert webhook.post(payload_bytes("submitted.json"), secret="old-secret").status_code == 200
    assert webhook.post(payload_bytes("collected.json"), secret="new-secret").status_code == 200


def test_it_refuses_a_secret_removed_after_a_rotation(webhook: WebhookClient, settings: Any):
    settings.WEBHOOK_SECRETS = ["new-secret"]

    assert webhook.post(payload_bytes("submitted.json"), secret="old-secret").status_code == 401
    assert webhook.post(payload_bytes("submitted.json"), secret="new-secret").status_code == 200


def test_it_reads_the_whole_value_of_a_custom_secret_header(webhook: WebhookClient, settings: Any):
    settings.WEBHOOK_SECRET_HEADER = "X-Webhook-Secret"
    body = payload_bytes("submitted.json")

    assert webhook.post(body, secret=None, HTTP_X_WEBHOOK_SECRET=SECRET).status_code == 200
    bearer = f"Bearer {SECRET}"
    assert webhook.post(body, secret=None, HTTP_X_WEBHOOK_SECRET=bearer).status_code == 401
    assert webhook.post(body).status_code == 401  # Authorization is no longer the header
    unauthorized = webhook.post(body, secret=None)
    assert "WWW-Authenticate" not in unauthorized


def test_it_redacts_every_secret_bearing_header(webhook: WebhookClient, settings: Any):
    settings.WEBHOOK_SECRET_HEADER = "X-Webhook-Secret"
    webhook.post(
        payload_bytes("submitted.json"),
        secret=None,
        HTTP_X_WEBHOOK_SECRET=SECRET,
        HTTP_AUTHORIZATION="Basic dXNlcjpwYXNz",
        HTTP_COOKIE="sessionid=abc",
        HTTP_X_ACCESS_TOKEN="tok",
        HTTP_X_CLIENT_SECRET="shh",
        HTTP_X_ECHO=f"copied {SECRET} here",
        HTTP_USER_AGENT="JobMojito-Webhooks/1.0",
    )

    headers = only_delivery().headers
    for name in ["X-Webhook-Secret", "Authorization", "Cookie", "X-Access-Token"]:
        assert headers[name] == "[redacted]", name
    assert headers["X-Client-Secret"] == "[redacted]"
    assert headers["X-Echo"] == "[redacted]"
    assert headers["User-Agent"] == "JobMojito-Webhooks/1.0"


def test_it_keeps_the_secret_out_of_the_stored_delivery(webhook: WebhookClient):
    webhook.post(payload_bytes("bad-score-type.json"), HTTP_X_FORWARDED_HOST=f"h-{SECRET}")

    delivery = only_delivery()
    assert delivery.headers["Authorization"] == "[redacted]"
    assert SECRET not in stored_row_text(delivery)


def test_it_drops_nul_characters_from_stored_headers(webhook: WebhookClient):
    response = webhook.post(payload_bytes("submitted.json"), HTTP_X_ODD="a\x00b")

    assert response.status_code == 200
    assert only_delivery().headers["X-Odd"] == "ab"


@pytest.mark.parametrize(
    ("remote", "forwarded", "expected"),
    [
        ("10.0.0.5", "203.0.113.7", "203.0.113.7"),
        ("10.0.0.5", "203.0.113.7, 10.0.0.5", "203.0.113.7"),
        ("198.51.100.1", "203.0.113.7", "198.51.100.1"),
        ("10.0.0.5", "not an address", "10.0.0.5"),
        ("10.0.0.5", "fe80::1%eth0", "10.0.0.5"),
    ],
    ids=["trusted", "trusted-chain", "spoofed", "garbage", "scoped-ipv6"],
)
def test_it_records_the_source_address_behind_trusted_proxies(
    webhook: WebhookClient, settings: Any, remote: str, forwarded: str, expected: str
):
    settings.TRUSTED_PROXIES = ["10.0.0.5"]

    response = webhook.post(
        payload_bytes("submitted.json"), REMOTE_ADDR=remote, HTTP_X_FORWARDED_FOR=forwarded
    )

    assert response.status_code == 200
    assert only_delivery().source_ip == expected


# --- 503 ------------------------------------------------------------------------------------


def test_it_answers_503_with_retry_after_when_the_database_fails(settings: Any):
    client = Client(raise_request_exception=False)
    with mock.patch(
        "interviews.webhooks.delivery_receive", side_effect=OperationalError("server closed")
    ):
        response = WebhookClient(client).post(payload_bytes("submitted.json"))

    assert response.status_code == 503
    assert int(response["Retry-After"]) > 0


def test_it_answers_503_when_recording_a_refused_body_fails():
    client = Client(raise_request_exception=False)
    with mock.patch("interviews.ingest.Delivery.save", side_effect=OperationalError("locked")):
        response = WebhookClient(client).post(b"{}", content_type="text/plain")

    assert response.status_code == 503
    assert "Retry-After" in response


# --- Logging --------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["submitted.json", "bad-score-type.json"])
def test_it_logs_one_line_per_delivery_without_personal_data(
    webhook: WebhookClient, caplog: pytest.LogCaptureFixture, name: str
):
    with caplog.at_level(logging.INFO, logger="interviews"):
        webhook.post(payload_bytes(name))

    delivery = only_delivery()
    [record] = [r for r in caplog.records if r.name == "interviews.ingest"]
    assert record.delivery_id == delivery.pk  # type: ignore[attr-defined]
    assert record.outcome == delivery.outcome  # type: ignore[attr-defined]
    assert record.duration_ms >= 0  # type: ignore[attr-defined]
    assert f"delivery={delivery.pk} " in record.getMessage()
    everything = caplog.text + repr(record.__dict__)
    for personal in ["Maria Tamm", "maria.tamm@example.com", "+372 5550 1234", "ATS-10442"]:
        assert personal not in everything


# --- Nothing a sender sends is a 5xx --------------------------------------------------------

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=12,
)
record_fields = list(payload("submitted.json"))
records = st.fixed_dictionaries(
    {"id": st.uuids().map(str) | json_values},
    optional={name: json_values for name in record_fields if name != "id"},
)
fuzz = hypothesis_settings(
    max_examples=100,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@fuzz
@given(body=st.binary(max_size=512))
def test_it_never_answers_5xx_for_arbitrary_bytes(body: bytes):
    response = WebhookClient(Client(raise_request_exception=False)).post(body)

    # 415 only for b"": the test client sends an empty body without a content type.
    assert response.status_code in {200, 400, 415}


@fuzz
@given(value=st.dictionaries(st.text(max_size=12), json_values, max_size=6) | json_values)
def test_it_never_answers_5xx_for_arbitrary_json(value: Any):
    body = json.dumps(value).encode()  # NaN and Infinity included: json.dumps allows them

    response = WebhookClient(Client(raise_request_exception=False)).post(body)

    assert response.status_code in {200, 400}


@fuzz
@given(record=records, enveloped=st.booleans(), kind=st.sampled_from(["UPDATE", "DELETE", None]))
def test_it_never_answers_5xx_for_arbitrary_records(record: dict, enveloped: bool, kind: Any):
    value = {"type": kind, "table": "interview_result", "record": record} if enveloped else record

    response = WebhookClient(Client(raise_request_exception=False)).post(json.dumps(value))

    assert response.status_code in {200, 400}
    if response.status_code == 200:
        assert response.json()["outcome"] in {"created", "updated", "duplicate", "ignored"}


def test_it_answers_with_a_fresh_result_id_for_any_valid_uuid(webhook: WebhookClient):
    result_id = str(uuid.uuid4())

    response = webhook.post({**payload("submitted.json"), "id": result_id.upper()})

    assert response.json() == {"id": result_id, "outcome": "created"}
