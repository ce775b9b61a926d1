"""The REST API: /api/results/ and /api/results/<id>/ (CONTRACT.md "Endpoints", "Filters")."""

import base64
import csv
import datetime as dt
import io
import uuid
from typing import Any

import pytest
from django.core import signing
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from interviews.models import Export, InterviewResult
from interviews.pagination import CURSOR_SALT
from interviews.throttling import UserThrottle
from tests.factories import InterviewFactory, InterviewResultFactory

pytestmark = pytest.mark.django_db
URL = "/api/results/"
FIELDS = {
    "id",
    "interview_id",
    "question_set_id",
    "status",
    "interview_status",
    "processing_status",
    "profile_interview_id",
    "profile_id",
    "candidate_external_id",
    "candidate_name",
    "candidate_email",
    "candidate_phone_number",
    "recruiter_go_next_round",
    "score",
    "ai_analysis_recruiter_score",
    "ai_analysis_recruiter",
    "ai_analysis",
    "ai_analysis_recruiter_why_hire",
    "ai_analysis_recruiter_why_not_hire",
    "pdf_export_url",
    "pdf_export_valid_until",
    "reason",
    "event",
    "reset_for_retake",
    "interview_name",
    "first_received_at",
    "last_received_at",
    "report_pdf_url",
    "report_archive",
}


@pytest.fixture
def api(recruiter: Any) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=recruiter).key}")
    return client


def ids(response: Any) -> list[str]:
    assert response.status_code == 200, response.content
    return [row["id"] for row in response.json()["results"]]


def all_pages(api: APIClient, url: str) -> list[str]:
    seen: list[str] = []
    while url:
        response = api.get(url)
        seen += ids(response)
        url = response.json()["next"]
    return seen


def test_it_answers_401_to_anonymous_clients() -> None:
    assert APIClient().get(URL).status_code == 401
    assert APIClient().get(f"{URL}{uuid.uuid4()}/").status_code == 401


def test_it_refuses_a_wrong_token() -> None:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Token not-a-token")
    assert client.get(URL).status_code == 401


def test_it_accepts_a_session(client: Any, recruiter: Any) -> None:
    client.force_login(recruiter)
    assert client.get(URL).status_code == 200


def test_a_result_has_the_payload_field_names_plus_event_and_times(api: APIClient) -> None:
    result = InterviewResultFactory.create(
        interview__name="Backend engineer",
        recruiter_go_next_round=False,
        ai_analysis_recruiter_why_hire=["Clear answers"],
    )
    body = api.get(f"{URL}{result.id}/").json()
    assert set(body) == FIELDS
    assert body["id"] == str(result.id)
    assert body["interview_id"] == str(result.interview_id)
    assert body["interview_name"] == "Backend engineer"
    assert body["recruiter_go_next_round"] is False
    assert body["ai_analysis_recruiter_why_hire"] == ["Clear answers"]
    assert body["event"] == "submitted"
    assert body["reset_for_retake"] is False
    assert body["score"] == result.score


def test_a_result_without_an_interview_has_null_interview_fields(api: APIClient) -> None:
    result = InterviewResultFactory.create(interview=None)
    body = api.get(f"{URL}{result.id}/").json()
    assert body["interview_id"] is None
    assert body["interview_name"] is None


def test_it_answers_404_for_an_unknown_or_malformed_id(api: APIClient) -> None:
    assert api.get(f"{URL}{uuid.uuid4()}/").status_code == 404
    assert api.get(f"{URL}not-a-uuid/").status_code == 404


def test_the_detail_ignores_list_filters(api: APIClient) -> None:
    result = InterviewResultFactory.create(status="active")
    assert api.get(f"{URL}{result.id}/?status=draft").status_code == 200


def test_the_list_has_exactly_next_previous_and_results(api: APIClient) -> None:
    InterviewResultFactory.create()
    body = api.get(URL).json()
    assert list(body) == ["next", "previous", "results"]
    assert (body["next"], body["previous"]) == (None, None)
    assert set(body["results"][0]) == FIELDS


def test_the_list_filters_through_the_filterset(api: APIClient) -> None:
    interview = InterviewFactory.create()
    match = InterviewResultFactory.create(
        interview=interview, interview_status="completed, stopped early", score=4.0
    )
    InterviewResultFactory.create(interview=interview, interview_status="completed", score=4.0)
    InterviewResultFactory.create(interview_status="completed, stopped early", score=4.0)
    query = f"interview={interview.id}&interview_status=completed%2C+stopped+early&score_min=4"
    assert ids(api.get(f"{URL}?{query}")) == [str(match.id)]


def test_it_answers_400_with_the_messages_for_bad_filters(api: APIClient) -> None:
    response = api.get(f"{URL}?score_min=abc&event=nope&ordering=name")
    assert response.status_code == 400
    body = response.json()
    assert body["score_min"] == ["Enter a number."]
    assert set(body) == {"score_min", "event", "ordering"}


@pytest.mark.parametrize(
    "query", ["received_before=9999-12-31", "received_after=0001-01-01T00:00:00%2B05:00"]
)
def test_it_answers_400_for_received_dates_out_of_range(api: APIClient, query: str) -> None:
    response = api.get(f"{URL}?{query}")
    assert response.status_code == 400
    assert "Enter a date between 1900 and 8999." in str(response.json())


@pytest.mark.parametrize(
    "ordering", ["score", "-score", "ai_score", "-ai_score", "received", "-received"]
)
def test_pages_walk_every_result_once_in_each_ordering(api: APIClient, ordering: str) -> None:
    now = timezone.now()
    results = [
        InterviewResultFactory.create(
            score=None if n % 4 == 0 else float(n % 3),
            ai_analysis_recruiter_score=None if n % 5 == 0 else float(n % 2),
            last_received_at=now - dt.timedelta(minutes=n % 3),
        )
        for n in range(13)
    ]
    walked = all_pages(api, f"{URL}?ordering={ordering}&page_size=4")
    everything = ids(api.get(f"{URL}?ordering={ordering}&page_size=200"))
    assert walked == everything
    assert sorted(walked) == sorted(str(result.id) for result in results)


def test_previous_goes_back_to_the_same_page(api: APIClient) -> None:
    InterviewResultFactory.create_batch(7)
    first = api.get(f"{URL}?page_size=3&ordering=score").json()
    second = api.get(first["next"]).json()
    assert api.get(second["previous"]).json()["results"] == first["results"]


def test_links_keep_the_filters(api: APIClient) -> None:
    InterviewResultFactory.create_batch(3, status="active")
    body = api.get(f"{URL}?status=active&ordering=-score&page_size=2").json()
    assert "status=active" in body["next"]
    assert "ordering=-score" in body["next"]
    assert "page_size=2" in body["next"]


def test_the_page_size_defaults_to_50_and_is_capped_at_200(api: APIClient) -> None:
    InterviewResultFactory.create_batch(201)
    assert len(ids(api.get(URL))) == 50
    assert len(ids(api.get(f"{URL}?page_size=1000"))) == 200


@pytest.mark.parametrize("size", ["0", "-1", "ten", "1.5"])
def test_it_answers_400_for_a_bad_page_size(api: APIClient, size: str) -> None:
    response = api.get(f"{URL}?page_size={size}")
    assert response.status_code == 400
    assert "page_size" in response.json()


def encoded(payload: Any) -> str:
    """Return `payload` as a validly signed cursor: its content is still checked."""
    return signing.Signer(salt=CURSOR_SALT).sign_object(payload)


ANY_ID = str(uuid.uuid4())


@pytest.mark.parametrize(
    ("ordering", "cursor"),
    [
        ("-received", "garbage"),
        ("-received", "%%%"),
        ("-received", encoded({"o": "-received", "v": "yesterday", "id": ANY_ID, "d": "n"})),
        ("-received", encoded({"o": "-received", "v": "2026-01-01T00:00:00", "id": "x", "d": "n"})),
        ("-received", encoded({"o": "score", "v": 1.0, "id": ANY_ID, "d": "n"})),
        ("-received", encoded({"o": "-received", "v": None, "id": ANY_ID, "d": "sideways"})),
        ("score", encoded({"o": "score", "v": "1", "id": ANY_ID, "d": "n"})),
        ("score", encoded({"o": "score", "v": True, "id": ANY_ID, "d": "n"})),
        ("score", encoded([1, 2])),
        ("score", base64.urlsafe_b64encode(b"[" * 1100).decode()),
        ("score", encoded({"o": "score", "v": 10**400, "id": ANY_ID, "d": "n"})),
    ],
)
def test_it_answers_400_for_a_tampered_or_foreign_cursor(
    api: APIClient, ordering: str, cursor: str
) -> None:
    InterviewResultFactory.create()
    response = api.get(URL, {"cursor": cursor, "ordering": ordering})
    assert response.status_code == 400
    assert "cursor" in response.json()


def test_a_cursor_with_a_huge_score_pages_instead_of_failing(api: APIClient) -> None:
    cursor = encoded({"o": "score", "v": 10**30, "id": ANY_ID, "d": "p"})
    assert api.get(URL, {"cursor": cursor, "ordering": "score"}).status_code == 200


def test_a_stale_cursor_for_a_deleted_row_still_pages(api: APIClient) -> None:
    InterviewResultFactory.create_batch(5)
    first = api.get(f"{URL}?page_size=2").json()
    InterviewResult.objects.filter(pk__in=[row["id"] for row in first["results"]]).delete()
    assert len(ids(api.get(first["next"]))) == 2


def test_format_csv_streams_every_matching_row_unpaginated(api: APIClient, recruiter: Any) -> None:
    InterviewResultFactory.create_batch(60, status="active")
    InterviewResultFactory.create(status="draft")
    response: Any = api.get(f"{URL}?format=csv&status=active")
    assert response.status_code == 200
    assert response.streaming
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert "attachment" in response["Content-Disposition"]
    content = b"".join(response.streaming_content).decode("utf-8-sig")
    assert len(list(csv.reader(io.StringIO(content, newline="")))) == 61
    export = Export.objects.get()
    assert (export.user, export.channel, export.rows) == (recruiter, "api", 60)
    assert export.params == {"status": ["active"]}


def test_accept_text_csv_selects_the_export(api: APIClient) -> None:
    response = api.get(URL, HTTP_ACCEPT="text/csv")
    assert response.streaming
    assert response["Content-Type"] == "text/csv; charset=utf-8"


def test_format_csv_with_a_bad_filter_answers_json_400(api: APIClient) -> None:
    response = api.get(f"{URL}?format=csv&score_max=lots")
    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"score_max": ["Enter a number."]}
    assert not Export.objects.exists()


def test_it_throttles_per_user(api: APIClient, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(UserThrottle, "THROTTLE_RATES", {"user": "2/min"})
    assert [api.get(URL).status_code for _ in range(3)] == [200, 200, 429]
