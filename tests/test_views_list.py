"""The candidate list: /results/ (filters, sorts, pages, htmx, escaping, query count)."""

import datetime as dt
import uuid
from typing import Any

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from interviews.models import Event
from tests.factories import InterviewFactory, InterviewResultFactory

URL = "/results/"
pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fresh_cache() -> None:
    # The status checkboxes are cached; every test starts from the same query count.
    cache.clear()


def names(response: Any) -> list[str]:
    return [row.candidate_label for row in response.context["rows"]]


def get(client: Client, query: str = "", **extra: Any) -> Any:
    return client.get(URL + (f"?{query}" if query else ""), **extra)


def app_queries(client: Client, url: str) -> int:
    """Return how many queries a page issues, not counting the session and user look-ups."""
    with CaptureQueriesContext(connection) as context:
        response = client.get(url)
    assert response.status_code == 200
    return len(
        [
            query
            for query in context.captured_queries
            if "interviews_usersession" not in query["sql"] and "auth_user" not in query["sql"]
        ]
    )


# --- Access -----------------------------------------------------------------------------------


def test_it_redirects_anonymous_visitors_to_the_login_page(client: Client) -> None:
    response = get(client)
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/results/"


def test_it_shows_the_list_to_a_logged_in_recruiter(recruiter_client: Client) -> None:
    InterviewResultFactory.create(candidate_name="Maria Tamm")
    response = get(recruiter_client)
    assert response.status_code == 200
    assert names(response) == ["Maria Tamm"]
    assert b"Maria Tamm" in response.content


def test_it_sends_a_strict_content_security_policy(recruiter_client: Client) -> None:
    policy = get(recruiter_client)["Content-Security-Policy"]
    assert "script-src 'self'" in policy
    assert "style-src 'self'" in policy
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy


def test_it_has_no_inline_styles_or_scripts(recruiter_client: Client) -> None:
    InterviewResultFactory.create_batch(3)
    content = get(recruiter_client).content.decode()
    assert " style=" not in content and "<style" not in content
    assert "<script>" not in content  # every script has a src


# --- Filters (CONTRACT.md "Filters") ------------------------------------------------------------


def test_it_filters_by_two_statuses(recruiter_client: Client) -> None:
    for status in ("draft", "active", "archived"):
        InterviewResultFactory.create(candidate_name=status, status=status)
    assert sorted(names(get(recruiter_client, "status=draft&status=archived"))) == [
        "archived",
        "draft",
    ]


def test_it_does_not_split_an_interview_status_on_its_comma(recruiter_client: Client) -> None:
    InterviewResultFactory.create(candidate_name="Whole", interview_status="completed")
    InterviewResultFactory.create(
        candidate_name="Early", interview_status="completed, stopped early"
    )
    response = get(recruiter_client, "interview_status=completed%2C+stopped+early")
    assert names(response) == ["Early"]
    both = get(
        recruiter_client, "interview_status=completed&interview_status=completed%2C+stopped+early"
    )
    assert sorted(names(both)) == ["Early", "Whole"]


def test_it_offers_status_values_present_in_the_data(recruiter_client: Client) -> None:
    InterviewResultFactory.create(processing_status="queued-for-review")
    content = get(recruiter_client).content.decode()
    assert 'value="queued-for-review"' in content
    assert 'value="terminated, no speech detected"' in content


def test_it_filters_by_two_processing_statuses(recruiter_client: Client) -> None:
    for value in ("new", "processing", "completed"):
        InterviewResultFactory.create(candidate_name=value, processing_status=value)
    response = get(recruiter_client, "processing_status=new&processing_status=completed")
    assert sorted(names(response)) == ["completed", "new"]


def test_it_filters_by_two_events(recruiter_client: Client) -> None:
    InterviewResultFactory.create(candidate_name="Submitted", status="active")
    InterviewResultFactory.create(candidate_name="Collected", status="draft")
    InterviewResultFactory.create(
        candidate_name="Failed", status="draft", interview_status="abandoned"
    )
    response = get(recruiter_client, "event=collected&event=failed")
    assert sorted(names(response)) == ["Collected", "Failed"]


@pytest.mark.parametrize(("value", "expected"), [("yes", "Yes"), ("no", "No"), ("none", "None")])
def test_it_filters_by_decision(recruiter_client: Client, value: str, expected: str) -> None:
    for name, decision in (("Yes", True), ("No", False), ("None", None)):
        InterviewResultFactory.create(candidate_name=name, recruiter_go_next_round=decision)
    assert names(get(recruiter_client, f"decision={value}")) == [expected]


def test_it_filters_by_an_inclusive_score_range_without_unscored_results(
    recruiter_client: Client,
) -> None:
    for name, score in (("Low", 1.0), ("Edge", 2.5), ("Mid", 3.0), ("Top", 4.0), ("None", None)):
        InterviewResultFactory.create(candidate_name=name, score=score)
    response = get(recruiter_client, "score_min=2.5&score_max=3&ordering=score")
    assert names(response) == ["Edge", "Mid"]


def test_it_filters_by_an_inclusive_ai_score_range(recruiter_client: Client) -> None:
    for name, score in (("Low", 1.0), ("Edge", 4.212), ("None", None)):
        InterviewResultFactory.create(candidate_name=name, ai_analysis_recruiter_score=score)
    assert names(get(recruiter_client, "ai_score_min=4.212")) == ["Edge"]
    assert names(get(recruiter_client, "ai_score_max=1")) == ["Low"]


def test_it_filters_by_two_interviews_and_shows_their_names(recruiter_client: Client) -> None:
    backend, support, data = (
        InterviewFactory.create(name=n) for n in ("Backend", "Support", "Data")
    )
    for interview in (backend, support, data):
        InterviewResultFactory.create(candidate_name=interview.name, interview=interview)
    response = get(recruiter_client, f"interview={backend.pk}&interview={data.pk}")
    assert sorted(names(response)) == ["Backend", "Data"]
    assert f'value="{support.pk}"' in response.content.decode()


@pytest.mark.parametrize("query", ["tamm", "MARIA.T@EXAMPLE", "ats-777", "pressure"])
def test_it_searches_names_emails_ids_and_reasons(recruiter_client: Client, query: str) -> None:
    InterviewResultFactory.create(
        candidate_name="Maria Tamm",
        candidate_email="maria.t@example.com",
        candidate_external_id="ATS-777",
        ai_analysis_recruiter_why_hire=["Calm under pressure"],
    )
    InterviewResultFactory.create(candidate_name="Jonas Berg", ai_analysis_recruiter_why_hire=[])
    assert names(get(recruiter_client, f"q={query}")) == ["Maria Tamm"]


def test_it_filters_by_received_dates_including_both_days(recruiter_client: Client) -> None:
    for day in (1, 2, 3, 4):
        moment = timezone.make_aware(dt.datetime(2026, 1, day, 23, 30))
        InterviewResultFactory.create(
            candidate_name=f"Jan {day}", first_received_at=moment, last_received_at=moment
        )
    response = get(recruiter_client, "received_after=2026-01-02&received_before=2026-01-03")
    assert names(response) == ["Jan 3", "Jan 2"]


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("score_min=abc", "score_min"),
        ("ai_score_max=NaN-ish", "ai_score_max"),
        ("received_after=yesterday", "received_after"),
        ("received_before=9999-12-31", "received_before"),
        ("received_after=0001-01-01T00:00:00%2B05:00", "received_after"),
        ("score_max=1e999", "score_max"),
        ("event=bogus", "event"),
        ("interview=not-a-uuid", "interview"),
        (f"interview={uuid.uuid4()}", "interview"),
        ("decision=maybe", "decision"),
        ("ordering=shoe_size", "ordering"),
    ],
)
def test_it_answers_an_invalid_filter_with_a_form_error_and_no_list(
    recruiter_client: Client, query: str, field: str
) -> None:
    InterviewResultFactory.create(candidate_name="Maria Tamm")
    response = get(recruiter_client, query)
    assert response.status_code == 400
    assert field in response.context["form"].errors
    content = response.content.decode()
    assert "Some filters could not be applied" in content
    assert "Maria Tamm" not in content
    assert "rows" not in response.context


def test_it_shows_the_error_next_to_the_field(recruiter_client: Client) -> None:
    content = get(recruiter_client, "score_min=abc").content.decode()
    error_box = content.split('id="errors-score_min"', 1)[1].split("</div>", 1)[0]
    assert "Enter a number." in error_box


# --- Sorting ----------------------------------------------------------------------------------


@pytest.fixture
def scored(recruiter_client: Client) -> dict[str, Any]:
    """Two results tied on score, one lower, one higher and one without a score."""
    tie_ids = sorted([uuid.uuid4(), uuid.uuid4()])
    return {
        "low": InterviewResultFactory.create(
            candidate_name="Low", score=1, ai_analysis_recruiter_score=1
        ),
        "tie_a": InterviewResultFactory.create(
            id=tie_ids[0], candidate_name="Tie A", score=3, ai_analysis_recruiter_score=3
        ),
        "tie_b": InterviewResultFactory.create(
            id=tie_ids[1], candidate_name="Tie B", score=3, ai_analysis_recruiter_score=3
        ),
        "high": InterviewResultFactory.create(
            candidate_name="High", score=5, ai_analysis_recruiter_score=5
        ),
        "none": InterviewResultFactory.create(
            candidate_name="None", score=None, ai_analysis_recruiter_score=None
        ),
    }


@pytest.mark.parametrize("key", ["score", "ai_score"])
def test_it_sorts_scores_high_to_low_with_unscored_last_and_ties_by_id(
    recruiter_client: Client, scored: dict[str, Any], key: str
) -> None:
    assert names(get(recruiter_client, f"ordering=-{key}")) == [
        "High",
        "Tie B",
        "Tie A",
        "Low",
        "None",
    ]


@pytest.mark.parametrize("key", ["score", "ai_score"])
def test_it_sorts_scores_low_to_high_with_unscored_still_last(
    recruiter_client: Client, scored: dict[str, Any], key: str
) -> None:
    assert names(get(recruiter_client, f"ordering={key}")) == [
        "Low",
        "Tie A",
        "Tie B",
        "High",
        "None",
    ]


def test_it_sorts_by_received_time_both_ways(recruiter_client: Client) -> None:
    now = timezone.now()
    for minutes, name in ((3, "Oldest"), (2, "Middle"), (1, "Newest")):
        moment = now - dt.timedelta(minutes=minutes)
        InterviewResultFactory.create(
            candidate_name=name, first_received_at=moment, last_received_at=moment
        )
    assert names(get(recruiter_client)) == ["Newest", "Middle", "Oldest"]
    assert names(get(recruiter_client, "ordering=received")) == ["Oldest", "Middle", "Newest"]


def test_its_column_headers_toggle_the_sort_and_keep_the_filter(recruiter_client: Client) -> None:
    InterviewResultFactory.create()
    response = get(recruiter_client, "ordering=-score&status=active&cursor=abc")
    columns = response.context["columns"]
    assert columns["score"]["state"] == "descending"
    assert columns["score"]["url"] == "?status=active&ordering=score"
    assert columns["ai_score"]["url"] == "?status=active&ordering=-ai_score"
    assert 'aria-sort="descending"' in response.content.decode()


# --- Pages ------------------------------------------------------------------------------------


def test_its_next_and_previous_cursors_round_trip(recruiter_client: Client) -> None:
    now = timezone.now()
    for index in range(25):
        moment = now - dt.timedelta(minutes=index)
        InterviewResultFactory.create(
            candidate_name=f"C{index:02}", first_received_at=moment, last_received_at=moment
        )
    first = get(recruiter_client, "per_page=10")
    assert names(first) == [f"C{index:02}" for index in range(10)]
    assert first.context["previous_url"] is None
    second = recruiter_client.get(URL + first.context["next_url"])
    assert names(second) == [f"C{index:02}" for index in range(10, 20)]
    third = recruiter_client.get(URL + second.context["next_url"])
    assert names(third) == [f"C{index:02}" for index in range(20, 25)]
    assert third.context["next_url"] is None
    back = recruiter_client.get(URL + third.context["previous_url"])
    assert names(back) == names(second)
    assert "per_page=10" in first.context["next_url"]


@pytest.mark.parametrize(
    "cursor",
    ["garbage", "eyJvIjoic2NvcmUifQ", "eyJvIjoiLXJlY2VpdmVkIiwidiI6MSwiaWQiOiJ4IiwiZCI6Im4ifQ"],
)
def test_it_shows_the_first_page_for_a_tampered_cursor(
    recruiter_client: Client, cursor: str
) -> None:
    InterviewResultFactory.create(candidate_name="Maria Tamm")
    response = get(recruiter_client, f"cursor={cursor}")
    assert response.status_code == 200
    assert names(response) == ["Maria Tamm"]
    assert b"That page link was out of date or damaged" in response.content


def test_a_cursor_made_for_another_ordering_shows_the_first_page(recruiter_client: Client) -> None:
    InterviewResultFactory.create_batch(12)
    next_url = get(recruiter_client, "per_page=10").context["next_url"]
    response = recruiter_client.get(
        URL + next_url.replace("per_page=10", "per_page=10&ordering=score")
    )
    assert response.status_code == 200
    assert response.context["cursor_invalid"] is True


@pytest.mark.parametrize(("value", "size"), [("5", 10), ("1000", 100), ("x", 50), ("25", 25)])
def test_it_keeps_the_page_size_between_10_and_100(
    recruiter_client: Client, value: str, size: int
) -> None:
    assert get(recruiter_client, f"per_page={value}").context.get("page_size", size) == size


# --- What each row shows ----------------------------------------------------------------------


def test_it_shows_reasons_as_text_not_html(recruiter_client: Client) -> None:
    InterviewResultFactory.create(
        candidate_name="<img src=x onerror=alert(1)>",
        ai_analysis_recruiter_why_hire=["<script>alert(1)</script>"],
        ai_analysis_recruiter_why_not_hire=["<b>bold</b>"],
    )
    content = get(recruiter_client).content.decode()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in content
    assert "<script>alert(1)" not in content
    assert "&lt;b&gt;bold&lt;/b&gt;" in content
    assert "<img src=x" not in content


def test_it_shows_every_reason_in_the_list(recruiter_client: Client) -> None:
    InterviewResultFactory.create(
        ai_analysis_recruiter_why_hire=["Clear answers", "Strong SQL"],
        ai_analysis_recruiter_why_not_hire=["No on-call"],
    )
    content = get(recruiter_client).content.decode()
    assert "<details" in content
    for reason in ("Clear answers", "Strong SQL", "No on-call"):
        assert reason in content


def test_it_labels_unlinked_candidates_and_unnamed_interviews(recruiter_client: Client) -> None:
    interview = InterviewFactory.create(name="")
    InterviewResultFactory.create(
        interview=interview, candidate_name=None, candidate_email=None, candidate_external_id=None
    )
    content = get(recruiter_client).content.decode()
    assert "Unlinked candidate" in content
    assert str(interview.pk)[:8] in content


def test_it_marks_a_result_reset_for_a_retake(recruiter_client: Client) -> None:
    InterviewResultFactory.create(status="draft", interview_status="failed", was_submitted=True)
    assert b"Reset for retake" in get(recruiter_client).content


def test_it_labels_the_ai_score_as_advice_and_shows_decisions_in_words(
    recruiter_client: Client,
) -> None:
    InterviewResultFactory.create(recruiter_go_next_round=True)
    InterviewResultFactory.create(recruiter_go_next_round=None)
    content = get(recruiter_client).content.decode()
    assert "(advice)" in content
    assert ">Advance<" in content and ">Undecided<" in content


def test_it_shows_received_times_humanized_with_the_exact_time(recruiter_client: Client) -> None:
    moment = timezone.now() - dt.timedelta(hours=3)
    InterviewResultFactory.create(first_received_at=moment, last_received_at=moment)
    content = get(recruiter_client).content.decode()
    assert "3\xa0hours ago" in content
    assert f'datetime="{moment.isoformat()}"' in content or 'datetime="' in content


def test_it_counts_results_per_event_and_decision_for_the_filter(recruiter_client: Client) -> None:
    InterviewResultFactory.create(status="active", recruiter_go_next_round=True, score=4)
    InterviewResultFactory.create(status="active", recruiter_go_next_round=None, score=2)
    InterviewResultFactory.create(status="draft", recruiter_go_next_round=None, score=None)
    InterviewResultFactory.create(
        status="draft", interview_status="failed", recruiter_go_next_round=False
    )
    summary = get(recruiter_client, "decision=none").context["summary"]
    assert summary.total == 2
    assert summary.events == {"submitted": 1, "collected": 1, "failed": 0, "other": 0}
    assert summary.decisions == {"yes": 0, "no": 0, "none": 2}
    everything = get(recruiter_client).context["summary"]
    assert everything.decisions == {"yes": 1, "no": 1, "none": 2}
    assert everything.events[Event.FAILED] == 1


def test_it_draws_the_histogram_from_the_datas_own_range(recruiter_client: Client) -> None:
    for value in (10.0, 20.0, 20.0, 30.0):
        InterviewResultFactory.create(score=value)
    histogram = get(recruiter_client).context["histogram"]
    assert histogram.bars[0].label.startswith("10")
    assert histogram.bars[-1].label.endswith("30")
    assert sum(bar.count for bar in histogram.bars) == 4


def test_its_export_link_keeps_the_filter_but_not_the_page(recruiter_client: Client) -> None:
    InterviewResultFactory.create()
    response = get(recruiter_client, "status=active&score_min=1&cursor=abc")
    assert response.context["export_url"] == "/results/export.csv?status=active&score_min=1"


# --- Empty states -----------------------------------------------------------------------------


def test_it_explains_how_to_connect_the_platform_when_nothing_arrived(
    recruiter_client: Client,
) -> None:
    content = get(recruiter_client).content.decode()
    assert "No interview results yet" in content
    assert "http://testserver/webhooks/interview-result/" in content
    assert "Authorization: Bearer &lt;one of the WEBHOOK_SECRETS&gt;" in content


def test_its_setup_hint_names_a_custom_secret_header(
    recruiter_client: Client, settings: Any
) -> None:
    settings.WEBHOOK_SECRET_HEADER = "X-Webhook-Secret"
    content = get(recruiter_client).content.decode()
    assert "X-Webhook-Secret: &lt;one of the WEBHOOK_SECRETS&gt;" in content


def test_it_offers_to_clear_filters_when_nothing_matches(recruiter_client: Client) -> None:
    InterviewResultFactory.create(score=1)
    content = get(recruiter_client, "score_min=5").content.decode()
    assert "No candidates match these filters" in content
    assert 'href="/results/"' in content


# --- htmx -------------------------------------------------------------------------------------


def test_it_answers_htmx_with_only_the_results_region(recruiter_client: Client) -> None:
    InterviewResultFactory.create(candidate_name="Maria Tamm")
    response = get(recruiter_client, "", HTTP_HX_REQUEST="true", HTTP_HX_TARGET="results")
    content = response.content.decode()
    assert "Maria Tamm" in content
    assert "<html" not in content and 'id="filters"' not in content
    assert 'hx-swap-oob="true"' in content


def test_it_answers_an_htmx_history_restore_with_the_whole_page(recruiter_client: Client) -> None:
    headers = {"HTTP_HX_REQUEST": "true", "HTTP_HX_HISTORY_RESTORE_REQUEST": "true"}
    assert b"<html" in get(recruiter_client, "", **headers).content


def test_it_varies_on_the_hx_request_header(recruiter_client: Client) -> None:
    assert "HX-Request" in get(recruiter_client)["Vary"]
    assert "HX-Request" in get(recruiter_client, "score_min=abc")["Vary"]


# --- Cost -------------------------------------------------------------------------------------


def test_its_query_count_does_not_grow_with_the_page(recruiter_client: Client) -> None:
    InterviewResultFactory.create_batch(5)
    cache.clear()
    five = app_queries(recruiter_client, URL)
    InterviewResultFactory.create_batch(45)
    cache.clear()
    fifty = app_queries(recruiter_client, URL)
    assert five == fifty
    assert fifty <= 8


def test_its_htmx_region_answers_the_table_first_and_loads_the_summary_after(
    recruiter_client: Client,
) -> None:
    InterviewResultFactory.create(candidate_name="Maria Tamm", score=3)
    response = get(
        recruiter_client, "score_min=1&cursor=abc", HTTP_HX_REQUEST="true", HTTP_HX_TARGET="results"
    )
    content = response.content.decode()
    assert "Maria Tamm" in content and response.context["total"] == 1
    assert "summary" not in response.context
    # The panel keeps the filter but not the page.
    assert 'hx-get="/results/summary/?score_min=1"' in content
    assert 'hx-trigger="load"' in content


def test_its_whole_page_renders_the_summary_inline_without_javascript(
    recruiter_client: Client,
) -> None:
    InterviewResultFactory.create(score=3, recruiter_go_next_round=True)
    content = get(recruiter_client).content.decode()
    assert 'id="summary"' in content and "/results/summary/" not in content
    assert "Where candidates are" in content and 'href="/results/?decision=yes"' in content


def test_its_summary_panel_counts_the_filter_and_links_back_to_the_list(
    recruiter_client: Client,
) -> None:
    InterviewResultFactory.create(status="active", recruiter_go_next_round=True, score=4)
    InterviewResultFactory.create(status="draft", recruiter_go_next_round=None, score=2)
    response = recruiter_client.get(
        "/results/summary/?status=active&ordering=-score", headers={"HX-Request": "true"}
    )
    assert response.status_code == 200
    assert response.context["summary"].total == 1
    assert "<html" not in response.content.decode()
    assert 'href="/results/?status=active&amp;ordering=-score&amp;event=collected"' in (
        response.content.decode()
    )


def test_its_summary_panel_refuses_an_invalid_filter(recruiter_client: Client) -> None:
    response = recruiter_client.get("/results/summary/?score_min=abc")
    assert response.status_code == 400
    assert b"once every filter is valid" in response.content


def test_its_summary_panel_is_for_recruiters_only(client: Client) -> None:
    assert client.get("/results/summary/").status_code == 302


def test_it_folds_reasons_only_when_there_are_more_than_one_a_side(
    recruiter_client: Client,
) -> None:
    InterviewResultFactory.create(
        ai_analysis_recruiter_why_hire=["Clear answers"], ai_analysis_recruiter_why_not_hire=[]
    )
    content = get(recruiter_client).content.decode()
    assert "Clear answers" in content and '<details class="reasons"' not in content
    assert "0 against" not in content


def test_its_htmx_region_and_panel_query_counts_do_not_grow_with_the_page(
    recruiter_client: Client,
) -> None:
    region = {"HTTP_HX_REQUEST": "true", "HTTP_HX_TARGET": "results"}

    def counts() -> tuple[int, int]:
        cache.clear()
        with CaptureQueriesContext(connection) as context:
            assert get(recruiter_client, "", **region).status_code == 200
        page = [q for q in context.captured_queries if "interviews_usersession" not in q["sql"]]
        panel = app_queries(recruiter_client, "/results/summary/")
        return len([q for q in page if "auth_user" not in q["sql"]]), panel

    InterviewResultFactory.create_batch(5, score=2)
    five = counts()
    InterviewResultFactory.create_batch(45, score=3)
    fifty = counts()
    assert five == fifty
    assert fifty[0] <= 8 and fifty[1] <= 8


def test_it_keeps_an_invalid_score_visible_beside_its_error(recruiter_client: Client) -> None:
    content = get(recruiter_client, "score_min=abc").content.decode()
    field = content.split('name="score_min"', 1)[0].rsplit("<input", 1)[1]
    rest = content.split('name="score_min"', 1)[1].split(">", 1)[0]
    assert 'type="text"' in field + rest
    assert 'value="abc"' in field + rest


def test_a_very_large_list_shows_an_estimate_and_loads_its_charts_afterwards(
    recruiter_client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    InterviewResultFactory.create(candidate_name="Maria Tamm")
    monkeypatch.setattr("interviews.selectors.result_count_estimate", lambda *, queryset: 1_234_567)

    response = get(recruiter_client, "status=active")

    content = response.content.decode()
    assert "About <strong>1,234,567</strong>" in content
    assert "Maria Tamm" in content
    assert "summary" not in response.context
    assert 'hx-get="/results/summary/?status=active"' in content


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the planner's estimate")
def test_the_estimate_comes_from_postgresqls_planner(
    recruiter_client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    from interviews import selectors

    InterviewResultFactory.create_batch(3)
    queryset = selectors.result_list(params={})
    assert selectors.result_count_estimate(queryset=queryset) is None
    monkeypatch.setattr(selectors, "LARGE_RESULT_SET", 0)
    estimate = selectors.result_count_estimate(queryset=queryset)
    assert estimate is not None
    assert estimate >= 1


def test_the_counts_and_charts_are_a_page_of_their_own_without_javascript(
    recruiter_client: Client,
) -> None:
    InterviewResultFactory.create(status="active", recruiter_go_next_round=True)

    response = recruiter_client.get("/results/summary/?status=active")

    content = response.content.decode()
    assert response.status_code == 200
    assert "<h1>Counts and charts</h1>" in content
    assert 'href="/results/?status=active"' in content
    assert response.context["summary"].total == 1


def test_it_keeps_an_invalid_date_visible_beside_its_error(recruiter_client: Client) -> None:
    content = get(recruiter_client, "received_after=yesterday").content.decode()
    tag = content.split('name="received_after"', 1)
    field = tag[0].rsplit("<input", 1)[1] + tag[1].split(">", 1)[0]
    assert 'type="text"' in field
    assert 'value="yesterday"' in field
