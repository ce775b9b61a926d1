"""The operators' admin: read-only results and deliveries, editable interview names, exports."""

import csv
import io
import json
from typing import Any

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.auth.models import Group, Permission, User
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from interviews.admin import EstimatedCountPaginator, ScoreRangeFilter
from interviews.ingest import delivery_receive
from interviews.models import Delivery, Export, Interview, InterviewResult
from tests.conftest import payload, payload_bytes
from tests.factories import InterviewFactory, InterviewResultFactory

pytestmark = pytest.mark.django_db
RESULTS = "/admin/interviews/interviewresult/"
DELIVERIES = "/admin/interviews/delivery/"


def listed(response: Any) -> set[str]:
    assert response.status_code == 200, response.content[:500]
    return {str(result.pk) for result in response.context["cl"].result_list}


@pytest.mark.parametrize(
    ("query", "field", "value"),
    [
        ("status__exact=draft", "status", "draft"),
        (
            "interview_status__exact=completed%2C+stopped+early",
            "interview_status",
            "completed, stopped early",
        ),
        ("processing_status__exact=failed", "processing_status", "failed"),
        ("event__exact=failed", "event", "failed"),
    ],
)
def test_each_enum_filter(admin_client: Client, query: str, field: str, value: str) -> None:
    match = InterviewResultFactory.create(
        status="draft",
        interview_status="completed, stopped early" if field == "interview_status" else "failed",
        processing_status="failed",
    )
    if field == "event":
        InterviewResultFactory.create(status="draft", interview_status="completed")
    else:
        InterviewResultFactory.create()
    assert getattr(match, field) == value
    assert listed(admin_client.get(f"{RESULTS}?{query}")) == {str(match.pk)}


def test_the_score_range_filter_offers_bands_from_the_data(admin_client: Client) -> None:
    low = InterviewResultFactory.create(score=1.0)
    high = InterviewResultFactory.create(score=6.0)
    none = InterviewResultFactory.create(score=None)
    response = admin_client.get(RESULTS)
    [score_filter] = [
        f
        for f in response.context["cl"].filter_specs
        if isinstance(f, ScoreRangeFilter) and f.parameter_name == "score_range"
    ]
    values = [value for value, _ in score_filter.lookup_choices]
    assert len(values) == 6  # five bands and "no score"
    assert listed(admin_client.get(RESULTS, {"score_range": values[0]})) == {str(low.pk)}
    assert listed(admin_client.get(RESULTS, {"score_range": values[4]})) == {str(high.pk)}
    assert listed(admin_client.get(RESULTS, {"score_range": "none"})) == {str(none.pk)}


def test_a_malformed_score_range_is_not_a_server_error(admin_client: Client) -> None:
    response = admin_client.get(RESULTS, {"score_range": "a:b"})
    assert response.status_code == 302
    assert "e=1" in response["Location"]


@pytest.mark.parametrize(("value", "decision"), [("yes", True), ("no", False), ("none", None)])
def test_the_decision_filter(admin_client: Client, value: str, decision: bool | None) -> None:
    results = {
        d: InterviewResultFactory.create(recruiter_go_next_round=d) for d in (True, False, None)
    }
    assert listed(admin_client.get(RESULTS, {"decision": value})) == {str(results[decision].pk)}


def test_the_interview_filter(admin_client: Client) -> None:
    match = InterviewResultFactory.create()
    InterviewResultFactory.create()
    query = {"interview__id__exact": str(match.interview_id)}
    assert listed(admin_client.get(RESULTS, query)) == {str(match.pk)}


@pytest.mark.parametrize(
    "attribute", ["candidate_name", "candidate_email", "candidate_external_id"]
)
def test_search_by_candidate(admin_client: Client, attribute: str) -> None:
    match = InterviewResultFactory.create(
        candidate_name="Grace Hopper",
        candidate_email="grace@navy.example",
        candidate_external_id="ATS-77",
    )
    InterviewResultFactory.create(candidate_name="Alan Turing", candidate_email="alan@example.com")
    term = getattr(match, attribute)[1:-1].upper()
    assert listed(admin_client.get(RESULTS, {"q": term})) == {str(match.pk)}


def test_search_by_result_id_matches_exactly(admin_client: Client) -> None:
    match = InterviewResultFactory.create()
    InterviewResultFactory.create()
    assert listed(admin_client.get(RESULTS, {"q": f" {match.pk} "})) == {str(match.pk)}


def test_facets_are_counted_on_request(admin_client: Client) -> None:
    InterviewResultFactory.create_batch(2, status="active")
    InterviewResultFactory.create(status="draft", score=None)
    response = admin_client.get(RESULTS, {"_facets": "1"})
    assert response.status_code == 200
    assert b"active (2)" in response.content
    assert b"No score (1)" in response.content


def test_the_changelist_does_not_query_per_row(admin_client: Client) -> None:
    def queries_for(count: int) -> int:
        InterviewResult.objects.all().delete()
        InterviewResultFactory.create_batch(count)
        cache.clear()  # the status filters' choices are cached: measure both pages cold
        with CaptureQueriesContext(connection) as context:
            assert len(listed(admin_client.get(RESULTS))) == count
        return len(context)

    assert queries_for(5) == queries_for(50)


def test_the_paginator_caps_an_exact_count(monkeypatch: pytest.MonkeyPatch) -> None:
    InterviewResultFactory.create_batch(5)
    monkeypatch.setattr(EstimatedCountPaginator, "count_cap", 3)
    queryset = InterviewResult.objects.filter(score__isnull=False)
    assert EstimatedCountPaginator(queryset, 2).count == 3


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL statistics")
def test_the_paginator_estimates_a_large_unfiltered_table(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    InterviewResultFactory.create_batch(4)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE interviews_interviewresult")
    monkeypatch.setattr(EstimatedCountPaginator, "estimate_above", 1)
    with CaptureQueriesContext(connection) as context:
        assert EstimatedCountPaginator(InterviewResult.objects.all(), 2).count == 4
    assert "reltuples" in context.captured_queries[0]["sql"]
    assert not any("COUNT(" in query["sql"] for query in context.captured_queries)


def test_the_detail_page_shows_the_result_and_its_deliveries(admin_client: Client) -> None:
    first = delivery_receive(body=payload_bytes("submitted.json"))
    delivery_receive(body=payload_bytes("resend-decision.json"))
    response = admin_client.get(f"{RESULTS}{first.result_id}/change/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "delivery history" in html.lower()
    assert "<ul><li>" in html  # reasons as a list
    assert "<pre>{\n" in html  # the latest body, pretty-printed
    assert html.count("outcome") >= 1


def test_reasons_and_bodies_are_escaped(admin_client: Client) -> None:
    record = payload("submitted.json")
    record["ai_analysis_recruiter_why_hire"] = ["<script>alert(1)</script>"]
    receipt = delivery_receive(body=json.dumps(record).encode())
    html = admin_client.get(f"{RESULTS}{receipt.result_id}/change/").content.decode()
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_platform_fields_cannot_be_changed(admin_client: Client) -> None:
    result = InterviewResultFactory.create(score=3.0)
    response = admin_client.post(f"{RESULTS}{result.pk}/change/", {"score": "9"})
    assert response.status_code == 403
    result.refresh_from_db()
    assert result.score == 3.0
    assert admin_client.get(f"{RESULTS}add/").status_code == 403
    assert admin_client.post(f"{RESULTS}{result.pk}/delete/", {"post": "yes"}).status_code == 403
    assert InterviewResult.objects.filter(pk=result.pk).exists()


def test_the_export_action_exports_exactly_the_selected_rows(
    admin_client: Client, admin_user: Any
) -> None:
    chosen = InterviewResultFactory.create_batch(2)
    InterviewResultFactory.create()
    response: Any = admin_client.post(
        RESULTS,
        {"action": "export_selected", ACTION_CHECKBOX_NAME: [str(r.pk) for r in chosen]},
    )
    assert response.status_code == 200
    content = b"".join(response.streaming_content).decode("utf-8-sig")
    exported = {row["id"] for row in csv.DictReader(io.StringIO(content, newline=""))}
    assert exported == {str(r.pk) for r in chosen}
    export = Export.objects.get()
    assert (export.user, export.channel, export.rows) == (admin_user, "admin", 2)
    assert sorted(export.params["id"]) == sorted(str(r.pk) for r in chosen)


@pytest.mark.parametrize(("group", "offered"), [("Recruiters", True), ("Viewers", False)])
def test_the_export_action_needs_the_export_permission(
    client: Client, staff: User, group: str, offered: bool
) -> None:
    staff.groups.add(Group.objects.get(name=group))
    result = InterviewResultFactory.create()
    client.force_login(staff)
    assert (b"export_selected" in client.get(RESULTS).content) is offered
    response = client.post(
        RESULTS, {"action": "export_selected", ACTION_CHECKBOX_NAME: [str(result.pk)]}
    )
    assert Export.objects.exists() is offered
    assert response["Content-Type"].startswith("text/csv") is offered


def test_deliveries_are_view_only(admin_client: Client) -> None:
    receipt = delivery_receive(
        body=payload_bytes("submitted.json"), headers={"Authorization": "[redacted]"}
    )
    url = f"{DELIVERIES}{receipt.delivery.pk}/change/"
    response = admin_client.get(url)
    assert response.status_code == 200
    assert "[redacted]" in response.content.decode()
    assert admin_client.post(url, {"outcome": "rejected"}).status_code == 403
    assert admin_client.get(f"{DELIVERIES}add/").status_code == 403


def test_the_delivery_list_filters_by_outcome_and_date(admin_client: Client) -> None:
    delivery_receive(body=payload_bytes("submitted.json"))
    delivery_receive(body=payload_bytes("bad-missing-id.json"))
    response = admin_client.get(DELIVERIES, {"outcome__exact": "rejected"})
    assert [d.outcome for d in response.context["cl"].result_list] == ["rejected"]
    assert admin_client.get(DELIVERIES, {"received_at__year": "2026"}).status_code == 200


def test_replay_reapplies_the_selected_deliveries(admin_client: Client) -> None:
    accepted = delivery_receive(body=payload_bytes("submitted.json")).delivery
    rejected = delivery_receive(body=payload_bytes("bad-missing-id.json")).delivery
    response = admin_client.post(
        DELIVERIES,
        {"action": "replay_selected", ACTION_CHECKBOX_NAME: [accepted.pk, rejected.pk]},
        follow=True,
    )
    messages = [str(m) for m in response.context["messages"]]
    # The accepted one was applied already: replaying it would rewrite its history.
    assert messages == ["2 replayed: 1 rejected, 1 skipped."]
    assert Delivery.objects.filter(replayed_at__isnull=False).count() == 1


def test_replay_needs_the_change_permission(client: Client, staff: User) -> None:
    staff.user_permissions.add(*Permission.objects.filter(codename="view_delivery"))
    client.force_login(staff)
    response = client.get(DELIVERIES)
    assert response.status_code == 200
    assert b"replay_selected" not in response.content


def test_the_interview_name_is_editable_and_results_are_counted(admin_client: Client) -> None:
    interview = InterviewFactory.create(name="Old")
    InterviewResultFactory.create_batch(3, interview=interview)
    listing = admin_client.get("/admin/interviews/interview/")
    assert b">3<" in listing.content
    response = admin_client.post(
        f"/admin/interviews/interview/{interview.pk}/change/", {"name": "Backend"}
    )
    assert response.status_code == 302
    interview.refresh_from_db()
    assert interview.name == "Backend"
    assert Interview.objects.count() == 1


def test_exports_are_listed_read_only(admin_client: Client, admin_user: Any) -> None:
    export = Export.objects.create(user=admin_user, channel="page", params={"q": ["x"]}, rows=4)
    listing = admin_client.get("/admin/interviews/export/")
    assert listing.status_code == 200
    assert b"{&quot;q&quot;: [&quot;x&quot;]}" in listing.content
    url = f"/admin/interviews/export/{export.pk}/change/"
    assert admin_client.get(url).status_code == 200
    assert admin_client.post(url, {"rows": "0"}).status_code == 403


@pytest.mark.parametrize(
    "url",
    [
        "/admin/interviews/interviewresult/?status__exact=act%00ive",
        "/admin/interviews/interviewresult/?candidate_name=a%00b",
        "/admin/interviews/delivery/?outcome__exact=%00",
        "/admin/interviews/delivery/?source_ip=zz",
        "/admin/interviews/interview/?name=%00",
        "/admin/interviews/export/?channel=%00",
    ],
)
def test_a_lookup_the_database_refuses_is_an_invalid_lookup_not_a_500(
    admin_client: Client, url: str
) -> None:
    InterviewResultFactory.create()
    delivery_receive(body=payload_bytes("submitted.json"), source_ip="127.0.0.1")

    response = admin_client.get(url)

    # SQLite stores NUL and any text as an address; PostgreSQL refuses both.
    if connection.vendor == "postgresql":
        assert response.status_code == 302
        assert response["Location"].endswith("?e=1")
    else:
        assert response.status_code == 200
