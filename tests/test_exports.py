"""The CSV writer and /results/export.csv (CONTRACT.md "CSV export")."""

import csv
import datetime as dt
import io
import tracemalloc
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from interviews.exports import BOM, CSV_COLUMNS, ROWS_PER_CHUNK
from interviews.models import Export, InterviewResult
from tests.factories import InterviewFactory, InterviewResultFactory

pytestmark = pytest.mark.django_db
URL = "/results/export.csv"
HEADER = (
    "id,interview_id,profile_interview_id,candidate_external_id,candidate_name,candidate_email,"
    "status,interview_status,processing_status,event,score,ai_analysis_recruiter_score,"
    "recruiter_go_next_round,ai_analysis_recruiter_why_hire,ai_analysis_recruiter_why_not_hire,"
    "ai_analysis_recruiter,pdf_export_url,first_received_at,last_received_at"
)
# While the 200k-row export streams, Python's own allocations stay under this.
MEMORY_BOUND_BYTES = 30 * 1024 * 1024


@pytest.fixture
def logged_in(client: Client, recruiter: Any) -> Client:
    client.force_login(recruiter)
    return client


def body(response: Any) -> bytes:
    return b"".join(response.streaming_content)


def parse(content: bytes) -> list[dict[str, str]]:
    assert content.startswith(BOM.encode())
    return list(csv.DictReader(io.StringIO(content.decode("utf-8-sig"), newline="")))


def export_rows(client: Client, query: str = "") -> list[dict[str, str]]:
    response = client.get(f"{URL}?{query}")
    assert response.status_code == 200
    return parse(body(response))


def test_it_redirects_anonymous_users_to_the_login_page(client: Client) -> None:
    response = client.get(URL)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
    assert not Export.objects.exists()


def test_it_streams_an_attachment_named_with_the_date(logged_in: Client) -> None:
    response: Any = logged_in.get(URL)
    assert response.streaming
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    today = timezone.now().date().isoformat()
    assert response["Content-Disposition"] == (
        f'attachment; filename="interview-results-{today}.csv"'
    )


def test_it_starts_with_a_bom_and_the_exact_header(logged_in: Client) -> None:
    InterviewResultFactory.create()
    content = body(logged_in.get(URL))
    assert content.startswith(b"\xef\xbb\xbf" + HEADER.encode() + b"\r\n")
    assert HEADER.split(",") == CSV_COLUMNS


def test_it_writes_one_row_per_result_with_every_column(logged_in: Client) -> None:
    result = InterviewResultFactory.create(
        score=5.12, ai_analysis_recruiter_score=4.212, recruiter_go_next_round=True
    )
    [row] = export_rows(logged_in)
    assert row["id"] == str(result.id)
    assert row["interview_id"] == str(result.interview_id)
    assert row["profile_interview_id"] == str(result.profile_interview_id)
    assert row["candidate_external_id"] == result.candidate_external_id
    assert row["candidate_name"] == result.candidate_name
    assert row["candidate_email"] == result.candidate_email
    assert (row["status"], row["interview_status"], row["processing_status"]) == (
        "active",
        "completed",
        "completed",
    )
    assert row["event"] == "submitted"
    assert (row["score"], row["ai_analysis_recruiter_score"]) == ("5.12", "4.212")
    assert row["pdf_export_url"] == result.pdf_export_url


def test_it_quotes_commas_quotes_line_breaks_and_unicode(logged_in: Client) -> None:
    name = 'Zoë "Zed" Ångström, Jr.'
    analysis = 'Strong on SQL,\r\nweak on "ops".\n日本語 ✓'
    InterviewResultFactory.create(candidate_name=name, ai_analysis_recruiter=analysis)
    content = body(logged_in.get(URL))
    assert '"Zoë ""Zed"" Ångström, Jr."'.encode() in content
    [row] = parse(content)
    assert row["candidate_name"] == name
    assert row["ai_analysis_recruiter"] == analysis


@pytest.mark.parametrize("prefix", ["=", "+", "-", "@", "\t", "\r"])
def test_it_defuses_text_cells_that_start_like_a_formula(logged_in: Client, prefix: str) -> None:
    InterviewResultFactory.create(
        candidate_name=f'{prefix}HYPERLINK("http://evil")',
        candidate_email=f"{prefix}a@example.com",
        candidate_external_id=f"{prefix}1",
        ai_analysis_recruiter=f"{prefix}cmd",
        ai_analysis_recruiter_why_hire=[f"{prefix}first", f"{prefix}second"],
    )
    [row] = export_rows(logged_in)
    assert row["candidate_name"] == f'\'{prefix}HYPERLINK("http://evil")'
    assert row["candidate_email"] == f"'{prefix}a@example.com"
    assert row["candidate_external_id"] == f"'{prefix}1"
    assert row["ai_analysis_recruiter"] == f"'{prefix}cmd"
    assert row["ai_analysis_recruiter_why_hire"] == f"'{prefix}first\n{prefix}second"


def test_it_leaves_numbers_as_numbers(logged_in: Client) -> None:
    InterviewResultFactory.create(score=-1.5, ai_analysis_recruiter_score=0.0)
    [row] = export_rows(logged_in)
    assert (row["score"], row["ai_analysis_recruiter_score"]) == ("-1.5", "0.0")


def test_it_leaves_missing_values_empty(logged_in: Client) -> None:
    InterviewResultFactory.create(
        interview=None,
        score=None,
        ai_analysis_recruiter_score=None,
        candidate_name=None,
        pdf_export_url=None,
        ai_analysis_recruiter_why_hire=[],
    )
    [row] = export_rows(logged_in)
    assert row["interview_id"] == row["score"] == row["candidate_name"] == ""
    assert row["ai_analysis_recruiter_score"] == row["pdf_export_url"] == ""
    assert row["ai_analysis_recruiter_why_hire"] == ""


@pytest.mark.parametrize(("decision", "cell"), [(True, "true"), (False, "false"), (None, "")])
def test_it_writes_the_decision_as_true_false_or_empty(
    logged_in: Client, decision: bool | None, cell: str
) -> None:
    InterviewResultFactory.create(recruiter_go_next_round=decision)
    [row] = export_rows(logged_in)
    assert row["recruiter_go_next_round"] == cell


def test_it_puts_one_reason_per_line_inside_the_cell(logged_in: Client) -> None:
    InterviewResultFactory.create(
        ai_analysis_recruiter_why_hire=["Clear answers", "Knows Django, well"],
        ai_analysis_recruiter_why_not_hire=["No on-call"],
    )
    [row] = export_rows(logged_in)
    assert row["ai_analysis_recruiter_why_hire"] == "Clear answers\nKnows Django, well"
    assert row["ai_analysis_recruiter_why_not_hire"] == "No on-call"


def test_it_writes_times_in_iso_8601_utc(logged_in: Client, settings: Any) -> None:
    settings.TIME_ZONE = "Europe/Paris"
    received = dt.datetime(2026, 3, 1, 8, 30, 15, 250000, tzinfo=dt.UTC)
    InterviewResultFactory.create(first_received_at=received, last_received_at=received)
    [row] = export_rows(logged_in)
    assert row["first_received_at"] == row["last_received_at"] == "2026-03-01T08:30:15.250000+00:00"


def test_it_exports_exactly_the_rows_the_filters_select_in_their_order(logged_in: Client) -> None:
    interview = InterviewFactory.create()
    low = InterviewResultFactory.create(interview=interview, score=2.0)
    high = InterviewResultFactory.create(interview=interview, score=6.0)
    InterviewResultFactory.create(interview=interview, score=1.0)
    InterviewResultFactory.create(score=6.5)  # another interview
    rows = export_rows(logged_in, f"interview={interview.id}&score_min=2&ordering=-score")
    assert [row["id"] for row in rows] == [str(high.id), str(low.id)]


def test_it_answers_400_with_the_messages_for_a_bad_filter(logged_in: Client) -> None:
    response = logged_in.get(f"{URL}?score_min=high&decision=maybe")
    assert response.status_code == 400
    errors = response.json()
    assert errors["score_min"] == ["Enter a number."]
    assert "decision" in errors
    assert not Export.objects.exists()


def test_it_records_who_exported_what_and_how_many_rows(logged_in: Client, recruiter: Any) -> None:
    InterviewResultFactory.create_batch(3, status="active")
    InterviewResultFactory.create(status="draft")
    body(logged_in.get(f"{URL}?status=active&status=archived&ordering=score&page_size=9"))
    export = Export.objects.get()
    assert export.user == recruiter
    assert export.channel == Export.Channel.PAGE
    assert export.params == {"status": ["active", "archived"], "ordering": ["score"]}
    assert (export.rows, export.completed) == (3, True)
    assert export.finished_at is not None


# Committed data: closing a response ends the request, which closes the database connection.
@pytest.mark.django_db(transaction=True)
def test_it_records_an_export_the_client_abandoned_midway(logged_in: Client) -> None:
    create_results(ROWS_PER_CHUNK * 3)
    response: Any = logged_in.get(URL)
    chunks = iter(response.streaming_content)
    next(chunks)  # BOM and header
    next(chunks)  # the first rows
    response.close()  # What the WSGI server does when the client goes away.
    export = Export.objects.get()
    assert (export.rows, export.completed) == (ROWS_PER_CHUNK, False)
    assert export.finished_at is not None


def test_the_page_the_api_and_the_command_export_identical_files(
    logged_in: Client, recruiter: Any, tmp_path: Path
) -> None:
    interview = InterviewFactory.create()
    InterviewResultFactory.create_batch(4, interview=interview, status="active")
    InterviewResultFactory.create(interview=interview, status="active", score=None)
    InterviewResultFactory.create(interview=interview, status="draft")
    InterviewResultFactory.create(status="active")
    query = f"status=active&interview={interview.id}&processing_status=completed&ordering=-score"

    page = body(logged_in.get(f"{URL}?{query}"))
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=recruiter).key}")
    from_api = body(api.get(f"/api/results/?format=csv&{query}"))
    output = tmp_path / "results.csv"
    call_command(
        "export_results",
        "--status=active",
        f"--interview={interview.id}",
        "--processing-status=completed",
        "--ordering=-score",
        f"--output={output}",
        stdout=io.StringIO(),
    )

    assert len(parse(page)) == 5
    assert page == from_api == output.read_bytes()
    assert sorted(Export.objects.values_list("channel", flat=True)) == ["api", "command", "page"]
    assert set(Export.objects.values_list("rows", flat=True)) == {5}


# Rows generated by the database itself: 200k rows in a second or two on either database.
SERIES = {
    "postgresql": ("", "generate_series(1, %s) AS seq(n)", "gen_random_uuid()"),
    "sqlite": (
        "WITH RECURSIVE seq(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM seq WHERE n < %s) ",
        "seq",
        "lower(hex(randomblob(16)))",  # how Django stores a UUID on SQLite
    ),
}
INSERT_RESULTS = """{with_series}INSERT INTO interviews_interviewresult (
    id, interview_id, status, interview_status, processing_status, candidate_name,
    candidate_email, candidate_external_id, score, ai_analysis_recruiter_score,
    ai_analysis_recruiter, ai_analysis_recruiter_why_hire, ai_analysis_recruiter_why_not_hire,
    event, was_submitted, first_received_at, last_received_at, record_hash
)
SELECT {new_uuid}, %s, 'active', 'completed', 'completed', 'Candidate ' || n,
    'candidate' || n || '@example.com', 'ATS-' || n, (n %% 700) / 100.0, (n %% 500) / 100.0,
    'Solid answers, limited on-call experience.', '["Clear answers", "Django"]',
    '["No on-call"]', 'submitted', %s, %s, %s, 'hash' || n
FROM {series}"""


def create_results(count: int) -> None:
    """Insert `count` submitted results of one interview, without a model instance per row."""
    with_series, series, new_uuid = SERIES[connection.vendor]
    sql = INSERT_RESULTS.format(with_series=with_series, series=series, new_uuid=new_uuid)
    interview_id = InterviewResult._meta.get_field("interview").get_db_prep_save(
        InterviewFactory.create().pk, connection
    )
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    params = [interview_id, True, now, now]
    params = [count, *params] if with_series else [*params, count]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def test_memory_stays_flat_while_200k_rows_stream(logged_in: Client) -> None:
    count = 200_000
    create_results(count)
    response: Any = logged_in.get(URL)
    lines = 0
    tracemalloc.start()
    try:
        for chunk in response.streaming_content:
            lines += chunk.count(b"\r\n")
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert lines == count + 1  # every row and the header (no cell here holds a line break)
    assert peak < MEMORY_BOUND_BYTES, f"peak {peak / 2**20:.1f} MiB"
    assert Export.objects.get().rows == count
