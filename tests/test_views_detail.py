"""One result: /results/<id>/ (scores and rank, reasons, PDF, timeline, stepping)."""

import datetime as dt
import uuid
from urllib.parse import urlencode

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from interviews.ingest import delivery_receive
from interviews.models import Delivery, InterviewResult
from tests.conftest import payload_bytes
from tests.factories import InterviewFactory, InterviewResultFactory

pytestmark = pytest.mark.django_db


def url(result: InterviewResult, back: str | None = None) -> str:
    query = f"?{urlencode({'back': back})}" if back is not None else ""
    return f"/results/{result.pk}/{query}"


def test_it_redirects_anonymous_visitors_to_the_login_page(client: Client) -> None:
    result = InterviewResultFactory.create()
    response = client.get(url(result))
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=")


def test_it_answers_404_for_an_unknown_result(recruiter_client: Client) -> None:
    response = recruiter_client.get(f"/results/{uuid.uuid4()}/")
    assert response.status_code == 404
    assert b"We could not find that page" in response.content


def test_it_shows_the_candidate_and_the_interview(recruiter_client: Client) -> None:
    result = InterviewResultFactory.create(
        candidate_name="Maria Tamm",
        candidate_email="maria@example.com",
        candidate_phone_number="+372 5550 1234",
        candidate_external_id="ATS-12345",
        interview=InterviewFactory.create(name="Backend Engineer"),
    )
    content = recruiter_client.get(url(result)).content.decode()
    for text in ("Maria Tamm", "maria@example.com", "+372 5550 1234", "ATS-12345"):
        assert text in content
    assert "Backend Engineer" in content
    assert "Content-Security-Policy" in recruiter_client.get(url(result)).headers


def test_it_says_unlinked_candidate_when_the_platform_sent_nobody(recruiter_client: Client) -> None:
    result = InterviewResultFactory.create(
        candidate_name=None, candidate_email=None, candidate_external_id=None
    )
    assert b"Unlinked candidate" in recruiter_client.get(url(result)).content


def test_it_ranks_the_score_within_its_interview(recruiter_client: Client) -> None:
    interview = InterviewFactory.create(name="Backend Engineer")
    results = [
        InterviewResultFactory.create(
            interview=interview, score=value, ai_analysis_recruiter_score=None
        )
        for value in (1.0, 2.0, 3.0, 4.0)
    ]
    InterviewResultFactory.create(score=9.0)  # another interview does not count
    content = recruiter_client.get(url(results[2])).content.decode()
    assert "Ranked #2 of 4 in Backend Engineer · top 50%" in content
    assert "No score sent yet" in content  # the AI score is missing


def test_it_handles_a_result_without_a_score(recruiter_client: Client) -> None:
    result = InterviewResultFactory.create(score=None, ai_analysis_recruiter_score=None)
    response = recruiter_client.get(url(result))
    assert response.status_code == 200
    assert response.context["ranks"] == {"score": None, "ai_score": None}


def test_it_keeps_the_analysis_line_breaks_and_escapes_it(recruiter_client: Client) -> None:
    result = InterviewResultFactory.create(
        ai_analysis_recruiter="Strong answers.\n<b>Probe</b> depth."
    )
    content = recruiter_client.get(url(result)).content.decode()
    assert "Strong answers.<br>&lt;b&gt;Probe&lt;/b&gt; depth." in content


def test_it_shows_reasons_as_text_not_html(recruiter_client: Client) -> None:
    result = InterviewResultFactory.create(
        ai_analysis_recruiter_why_hire=["<script>alert(1)</script>", "Strong SQL"],
        ai_analysis_recruiter_why_not_hire=["No on-call"],
    )
    content = recruiter_client.get(url(result)).content.decode()
    assert "<li><bdi>&lt;script&gt;alert(1)&lt;/script&gt;</bdi></li>" in content
    assert "<script>alert(1)" not in content
    assert "Why not hire" in content and "<li><bdi>No on-call</bdi></li>" in content


def test_it_links_the_pdf_report_safely_and_says_the_link_expires(recruiter_client: Client) -> None:
    result = InterviewResultFactory.create(
        pdf_export_url="https://reports.example.com/r.pdf?sig=a&b=c",
        pdf_export_valid_until=timezone.make_aware(dt.datetime(2026, 3, 1, 12, 0)),
    )
    content = recruiter_client.get(url(result)).content.decode()
    assert (
        'href="https://reports.example.com/r.pdf?sig=a&amp;b=c" target="_blank" '
        'rel="noopener noreferrer"' in content
    )
    assert "valid until" in content and "1 Mar 2026" in content


@pytest.mark.parametrize("link", ["javascript:alert(1)", "data:text/html,hi", "//evil.example/x"])
def test_it_never_links_a_report_url_that_is_not_http(recruiter_client: Client, link: str) -> None:
    result = InterviewResultFactory.create(pdf_export_url=link)
    content = recruiter_client.get(url(result)).content.decode()
    assert f'href="{link}' not in content
    assert "not a plain web address" in content


def test_it_shows_the_platform_decision_read_only(recruiter_client: Client) -> None:
    result = InterviewResultFactory.create(recruiter_go_next_round=False)
    content = recruiter_client.get(url(result)).content.decode()
    assert "Reject" in content and "(decided on the platform)" in content


def test_its_timeline_shows_every_delivery_and_what_changed(recruiter_client: Client) -> None:
    delivery_receive(body=payload_bytes("submitted.json"))
    delivery_receive(body=payload_bytes("resend-decision.json"))
    delivery_receive(body=payload_bytes("submitted.json"))  # the old version again
    result = InterviewResult.objects.get()
    content = recruiter_client.get(url(result)).content.decode()
    assert content.count('class="timeline__item"') == 3
    assert "Possible late retry" in content
    decision_change = content.split('<span class="changes__field">Decision</span>', 1)[1]
    assert decision_change.split("</li>", 1)[0].count("Undecided") == 1
    assert "Advance" in decision_change.split("</li>", 1)[0]
    assert "First delivery of this result." in content


def test_its_query_count_does_not_grow_with_the_deliveries(recruiter_client: Client) -> None:
    def queries(result: InterviewResult) -> int:
        with CaptureQueriesContext(connection) as context:
            assert recruiter_client.get(url(result, back="ordering=-score")).status_code == 200
        return len(
            [
                q
                for q in context.captured_queries
                if "interviews_usersession" not in q["sql"] and "auth_user" not in q["sql"]
            ]
        )

    counts = []
    for deliveries in (1, 20):
        result = InterviewResultFactory.create()
        for index in range(deliveries):
            Delivery.objects.create(
                result=result,
                received_at=timezone.now() - dt.timedelta(minutes=index),
                body=b"{}",
                body_size=2,
                outcome=Delivery.Outcome.UPDATED,
                changes=[{"field": "score", "old": 1, "new": 2}],
            )
        counts.append(queries(result))
    assert counts[0] == counts[1]
    assert counts[1] <= 8


# --- Stepping through the list the recruiter came from ----------------------------------------


@pytest.fixture
def ranked() -> list[InterviewResult]:
    """Three results, best score first."""
    return [
        InterviewResultFactory.create(candidate_name=name, score=score, status="active")
        for name, score in (("First", 9.0), ("Second", 5.0), ("Third", 1.0))
    ]


def test_it_steps_to_the_neighbours_in_the_lists_order(
    recruiter_client: Client, ranked: list[InterviewResult]
) -> None:
    InterviewResultFactory.create(candidate_name="Filtered out", score=7.0, status="draft")
    back = "status=active&ordering=-score"
    response = recruiter_client.get(url(ranked[1], back=back))
    step = "?" + urlencode({"back": back})
    assert response.context["previous_url"] == f"/results/{ranked[0].pk}/{step}"
    assert response.context["next_url"] == f"/results/{ranked[2].pk}/{step}"
    assert response.context["back_url"] == "/results/?status=active&ordering=-score"
    content = response.content.decode()
    assert 'data-shortcut="next"' in content and 'data-shortcut="back"' in content


def test_it_has_no_previous_at_the_top_and_no_next_at_the_bottom(
    recruiter_client: Client, ranked: list[InterviewResult]
) -> None:
    assert (
        recruiter_client.get(url(ranked[0], back="ordering=-score")).context["previous_url"] is None
    )
    assert recruiter_client.get(url(ranked[2], back="ordering=-score")).context["next_url"] is None


@pytest.mark.parametrize(
    "back", ["score_min=abc", "ordering=bogus", "decision=maybe", "interview=x"]
)
def test_it_ignores_an_invalid_list_query_for_stepping(
    recruiter_client: Client, ranked: list[InterviewResult], back: str
) -> None:
    response = recruiter_client.get(url(ranked[1], back=back))
    assert response.status_code == 200
    assert response.context["next_url"] is None and response.context["previous_url"] is None


def test_it_steps_through_the_default_order_without_a_list_query(
    recruiter_client: Client, ranked: list[InterviewResult]
) -> None:
    response = recruiter_client.get(url(ranked[1]))
    assert response.context["back_url"] == "/results/"
    assert response.context["next_url"] is not None or response.context["previous_url"] is not None
