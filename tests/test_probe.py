"""What an outside probe found (issue 8, "Found by an outside probe"), each finding replayed as
the attacker sent it, end to end through the real stack."""

import base64
import csv
import io
import json
import uuid
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.http import HttpResponse
from django.test import Client, RequestFactory
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from interviews.exports import _text
from interviews.ingest import delivery_receive, delivery_reject
from interviews.middleware import PrivateCacheMiddleware
from interviews.models import Delivery, InterviewResult
from interviews.templatetags.dashboard import http_url, isolate, url_host
from tests.conftest import PAYLOADS, WebhookClient, payload, payload_bytes
from tests.factories import InterviewResultFactory

pytestmark = pytest.mark.django_db
RESULT_ID = "912ff898-2e65-4a31-8ff5-d3c59005eb97"


@pytest.fixture
def api(recruiter: User) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=recruiter).key}")
    return client


# --- A crafted page cursor ------------------------------------------------------------------

NESTED_CURSOR = base64.urlsafe_b64encode(b"[" * 1100).decode()


def test_a_crafted_cursor_is_a_400_on_the_api(api: APIClient) -> None:
    InterviewResultFactory.create()

    response = api.get("/api/results/", {"cursor": NESTED_CURSOR})

    assert response.status_code == 400
    assert response.json() == {"cursor": ["Invalid cursor."]}


def test_a_crafted_cursor_shows_the_first_page_with_a_notice(recruiter_client: Client) -> None:
    result = InterviewResultFactory.create()

    response = recruiter_client.get("/results/", {"cursor": NESTED_CURSOR})

    assert response.status_code == 200
    assert "out of date or damaged" in response.content.decode()
    assert [row.pk for row in response.context["rows"]] == [result.pk]


# --- The admin's delivery page, for whatever body was stored ---------------------------------

REJECTED_SAMPLES = sorted(path.name for path in PAYLOADS.iterdir() if path.name.startswith("bad-"))
HOSTILE_BODIES = {
    "escaped-lone-surrogate": f'{{"id": "{RESULT_ID}", "candidate_name": "\\ud800"}}'.encode(),
    "raw-surrogate-bytes": b'{"candidate_name": "\xed\xa0\x80"}',
    "invalid-utf8": b'{"candidate_name": "Ma\xff\xfe"}',
    "deep-nesting": b"[" * 100_000 + b"]" * 100_000,
    "nesting-json-parses-but-not-prints": b"[" * 900 + b"]" * 900,
    "huge": json.dumps({"id": "not-a-uuid", "notes": "x" * 500_000}).encode(),
}


@pytest.fixture
def admin_client(client: Client, superuser: User) -> Client:
    client.force_login(superuser)
    return client


def delivery_page(admin_client: Client, delivery: Delivery) -> str:
    response = admin_client.get(f"/admin/interviews/delivery/{delivery.pk}/change/")
    assert response.status_code == 200, response.content[:300]
    return response.content.decode()


@pytest.mark.parametrize("name", REJECTED_SAMPLES)
def test_the_delivery_page_shows_every_rejected_sample(admin_client: Client, name: str) -> None:
    receipt = delivery_receive(body=payload_bytes(name))
    assert receipt.delivery.outcome == Delivery.Outcome.REJECTED

    delivery_page(admin_client, receipt.delivery)


@pytest.mark.parametrize("name", list(HOSTILE_BODIES))
def test_the_delivery_page_shows_any_stored_body(admin_client: Client, name: str) -> None:
    receipt = delivery_receive(body=HOSTILE_BODIES[name])
    assert receipt.delivery.outcome == Delivery.Outcome.REJECTED

    delivery_page(admin_client, receipt.delivery)


def test_undecodable_bytes_and_surrogates_show_as_escapes(admin_client: Client) -> None:
    invalid = delivery_receive(body=HOSTILE_BODIES["invalid-utf8"]).delivery
    surrogate = delivery_receive(body=HOSTILE_BODIES["escaped-lone-surrogate"]).delivery

    assert "Ma\\xff\\xfe" in delivery_page(admin_client, invalid)
    assert "\\ud800" in delivery_page(admin_client, surrogate)


def test_the_page_of_an_oversized_delivery_shows_its_first_kib(admin_client: Client) -> None:
    head = b'{"candidate_name": "' + b"\xc3\xa9" * 600
    delivery = delivery_reject(
        body=head[:1024],
        size=10_000_000,
        errors={"body": ["Too large."]},
        headers={},
        source_ip=None,
    )

    assert "é" * 100 in delivery_page(admin_client, delivery)


# --- Long text is stored as sent --------------------------------------------------------------


def test_over_long_text_is_stored_as_sent(webhook: WebhookClient) -> None:
    long = {
        "candidate_name": "Maria " + "Tamm-" * 400,
        "candidate_email": "m" * 300 + "@example.com",
        "candidate_external_id": "ATS-" + "9" * 5000,
        "candidate_phone_number": "+372 " + "5" * 300,
    }

    response = webhook.post({**payload("submitted.json"), **long})

    assert response.status_code == 200, response.content
    result = InterviewResult.objects.get()
    assert {field: getattr(result, field) for field in long} == long


def test_a_status_of_1000_bytes_is_kept_and_one_of_1001_is_refused(
    webhook: WebhookClient,
) -> None:
    fits = webhook.post({**payload("submitted.json"), "interview_status": "é" * 500})
    too_long = webhook.post({**payload("collected.json"), "processing_status": "é" * 500 + "x"})

    assert fits.status_code == 200
    assert InterviewResult.objects.get().interview_status == "é" * 500
    assert too_long.status_code == 400
    assert list(too_long.json()["errors"]) == ["processing_status"]


def test_the_search_finds_a_long_name(webhook: WebhookClient, api: APIClient) -> None:
    name = "Maria " + "Tamm-" * 1000 + "Zyxwvut"
    webhook.post({**payload("submitted.json"), "candidate_name": name})

    response = api.get("/api/results/", {"q": "zyxwvut"})

    assert [row["candidate_name"] for row in response.json()["results"]] == [name]


# --- An envelope with its own id ---------------------------------------------------------------


def test_an_envelope_with_its_own_id_applies_its_record(webhook: WebhookClient) -> None:
    event_id = str(uuid.uuid4())
    body = {
        "id": event_id,
        "type": "INSERT",
        "table": "interview_result",
        "record": payload("submitted.json"),
    }

    response = webhook.post(body)

    assert response.json() == {"id": RESULT_ID, "outcome": "created"}
    assert list(InterviewResult.objects.values_list("pk", flat=True)) == [uuid.UUID(RESULT_ID)]
    assert InterviewResult.objects.get().candidate_name == "Maria Tamm"


@pytest.mark.parametrize(
    "body",
    [
        pytest.param({"id": RESULT_ID}, id="flat"),
        pytest.param({"id": RESULT_ID, "score": None, "status": ""}, id="flat-all-null"),
        pytest.param(
            {"id": str(uuid.uuid4()), "type": "UPDATE", "record": {"id": RESULT_ID}},
            id="enveloped",
        ),
    ],
)
def test_a_record_with_nothing_but_an_id_is_refused(webhook: WebhookClient, body: dict) -> None:
    response = webhook.post(body)

    assert response.status_code == 400
    assert "body" in response.json()["errors"]
    assert not InterviewResult.objects.exists()


# --- One number rule; encodings ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("extra", "named"),
    [
        pytest.param({"sentiment": 1e400}, "sentiment", id="unknown-field"),
        pytest.param({"breakdown": {"positive": -1e400}}, "breakdown.positive", id="nested"),
        pytest.param({"counts": [1, 1e400]}, "counts.1", id="in-a-list"),
    ],
)
def test_a_number_no_double_holds_is_refused_anywhere(
    webhook: WebhookClient, extra: dict, named: str
) -> None:
    text = json.dumps({**payload("submitted.json"), **extra}).replace("Infinity", "1e400")

    response = webhook.post(text.encode())

    assert response.status_code == 400
    assert list(response.json()["errors"]) == [named]
    assert not InterviewResult.objects.exists()


def test_a_huge_integer_is_refused_without_quoting_the_interpreter(
    webhook: WebhookClient,
) -> None:
    text = json.dumps(payload("submitted.json"))[:-1] + ', "views": ' + "9" * 5000 + "}"

    response = webhook.post(text.encode())

    assert response.status_code == 400
    message = json.dumps(response.json())
    assert "views" in response.json()["errors"]
    assert "int_max_str_digits" not in message
    assert "limit" not in message.lower()


@pytest.mark.parametrize("encoding", ["gzip", "br", "deflate, identity", "x-custom"])
def test_a_compressed_body_is_a_415(webhook: WebhookClient, encoding: str) -> None:
    response = webhook.post(payload_bytes("submitted.json"), HTTP_CONTENT_ENCODING=encoding)

    assert response.status_code == 415
    assert "content_encoding" in response.json()["errors"]
    assert Delivery.objects.get().outcome == Delivery.Outcome.REJECTED


def test_identity_encoding_is_accepted(webhook: WebhookClient) -> None:
    response = webhook.post(payload_bytes("submitted.json"), HTTP_CONTENT_ENCODING="identity")

    assert response.status_code == 200


# --- No caching of personal data ---------------------------------------------------------------


def assert_private(response: Any) -> None:
    directives = {part.strip() for part in response.get("Cache-Control", "").split(",")}
    assert {"private", "no-store"} <= directives, response.get("Cache-Control")
    assert "public" not in directives


def test_every_signed_in_page_is_private_and_not_stored(recruiter_client: Client) -> None:
    result = InterviewResultFactory.create()

    for url in ["/results/", f"/results/{result.pk}/", "/results/export.csv"]:
        response = recruiter_client.get(url)
        assert response.status_code == 200, url
        assert_private(response)


def test_every_api_answer_to_a_token_is_private_and_not_stored(api: APIClient) -> None:
    result = InterviewResultFactory.create()

    for url in ["/api/results/", f"/api/results/{result.pk}/", "/api/results/?format=csv"]:
        response = api.get(url)
        assert response.status_code == 200, url
        assert_private(response)


def test_an_api_refusal_to_a_bad_token_is_private_too(client: Client) -> None:
    response = client.get("/api/results/", HTTP_AUTHORIZATION="Token wrong")

    assert response.status_code == 401
    assert_private(response)


@pytest.mark.parametrize(
    ("extra", "private"),
    [
        ({}, False),
        ({"HTTP_AUTHORIZATION": "Token x"}, True),
        ({"HTTP_COOKIE": "sessionid=abc"}, True),
    ],
)
def test_the_rule_is_any_request_that_carries_credentials(extra: dict, private: bool) -> None:
    request = RequestFactory().get("/static/css/app.css", **extra)
    middleware = PrivateCacheMiddleware(lambda request: HttpResponse("public bytes"))

    response = middleware(request)

    assert ("no-store" in response.get("Cache-Control", "")) is private


# --- Links and text a sender controls ----------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "https://trusted.example@evil.example/x.pdf",
        "https://user:pw@evil.example/x.pdf",
        "javascript:alert(1)",
        "data:text/html,<script>alert(1)</script>",
        "ftp://files.example/x.pdf",
        "https://reports.example:notaport/x.pdf",
        "https:///x.pdf",
    ],
)
def test_a_link_that_hides_or_is_not_a_web_address_is_not_linked(url: str) -> None:
    assert http_url(url) == ""
    assert url_host(url) == ""


def test_a_link_shows_the_host_it_leads_to() -> None:
    assert url_host("https://Reports.Example:8443/r/x.pdf?sig=1") == "reports.example:8443"
    assert http_url(" https://reports.example/x.pdf ") == "https://reports.example/x.pdf"


def test_the_detail_page_names_the_reports_host(recruiter_client: Client) -> None:
    result = InterviewResultFactory.create(pdf_export_url="https://reports.example/x.pdf")

    html = recruiter_client.get(f"/results/{result.pk}/").content.decode()

    assert 'href="https://reports.example/x.pdf"' in html
    assert '(<bdi class="link-host">reports.example</bdi>)' in html


def test_the_detail_page_never_links_a_url_with_user_info(recruiter_client: Client) -> None:
    result = InterviewResultFactory.create(
        pdf_export_url="https://trusted.example@evil.example/x.pdf"
    )

    html = recruiter_client.get(f"/results/{result.pk}/").content.decode()

    assert "evil.example" not in html.replace("trusted.example@evil.example", "")
    assert 'href="https://trusted.example@evil.example' not in html
    assert "not a plain web address" in html


RLO_NAME = "\u202eexe.fdp"


def test_names_are_isolated_on_the_list_and_the_detail(recruiter_client: Client) -> None:
    result = InterviewResultFactory.create(candidate_name=RLO_NAME, candidate_email="a@b.example")

    listing = recruiter_client.get("/results/").content.decode()
    detail = recruiter_client.get(f"/results/{result.pk}/").content.decode()

    assert f"<bdi>{RLO_NAME}</bdi>" in listing
    assert f"<bdi>{RLO_NAME}</bdi>" in detail
    assert f"<title>{isolate(RLO_NAME)}" in detail
    assert RLO_NAME not in detail.replace(f"<bdi>{RLO_NAME}</bdi>", "").replace(
        isolate(RLO_NAME), ""
    )


def test_names_are_isolated_in_the_admin_list(admin_client: Client) -> None:
    InterviewResultFactory.create(candidate_name=RLO_NAME)

    html = admin_client.get("/admin/interviews/interviewresult/").content.decode()

    assert f"<bdi>{RLO_NAME}</bdi>" in html


def test_csv_cells_lose_control_characters_but_keep_bidi_marks() -> None:
    assert _text("A\x07B\x1bC\x85D\x7f\u202eE\tF\nG\rH") == "ABCD\u202eE\tF\nG\rH"
    # Stripping first, so a control character cannot hide a formula from the defusing.
    assert _text("\x01=HYPERLINK(1)") == "'=HYPERLINK(1)"
    assert _text("\x01") == ""


def test_the_csv_export_strips_control_characters(recruiter_client: Client) -> None:
    InterviewResultFactory.create(
        candidate_name="Ma\x1b[31mria\u202e",
        ai_analysis_recruiter_why_hire=["\x08=1+1", "ok\x9b"],
    )

    response: Any = recruiter_client.get("/results/export.csv")
    content = b"".join(response.streaming_content).decode("utf-8-sig")
    [row] = list(csv.DictReader(io.StringIO(content, newline="")))

    assert row["candidate_name"] == "Ma[31mria\u202e"
    assert row["ai_analysis_recruiter_why_hire"] == "'=1+1\nok"


# --- Every answer under /api/ is JSON ----------------------------------------------------------


@pytest.mark.parametrize("url", ["/api/results/0/", "/api/results/not-a-uuid/", "/api/nothing/"])
def test_an_unknown_api_path_is_a_json_404(api: APIClient, url: str) -> None:
    response = api.get(url)

    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"detail": "Not found."}


def test_an_unknown_api_path_is_a_json_404_also_anonymously(client: Client) -> None:
    response = client.get("/api/results/0/")

    assert (response.status_code, response.json()) == (404, {"detail": "Not found."})


def test_a_page_404_stays_a_page(recruiter_client: Client) -> None:
    response = recruiter_client.get("/results/0/")

    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")
