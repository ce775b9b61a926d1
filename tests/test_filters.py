"""The one FilterSet (interviews.filters.ResultFilter): what it refuses, through every channel."""

from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client
from rest_framework.test import APIClient

from interviews.filters import ResultFilter
from interviews.models import InterviewResult
from tests.factories import InterviewResultFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("name", ["status", "interview_status", "processing_status"])
def test_a_status_with_a_nul_character_is_a_form_error(name: str) -> None:
    # PostgreSQL cannot take NUL in a query parameter: it must never reach the database.
    filterset = ResultFilter({name: ["active", "a\x00b"]}, queryset=InterviewResult.objects.all())

    assert not filterset.is_valid()
    assert filterset.errors[name] == ["Null characters are not allowed."]


@pytest.mark.parametrize("name", ["status", "interview_status", "processing_status"])
@pytest.mark.parametrize(
    "url", ["/api/results/", "/api/results/?format=csv", "/results/export.csv"]
)
def test_a_status_with_a_nul_character_is_a_400_not_a_500(
    name: str, url: str, recruiter: User
) -> None:
    InterviewResultFactory.create(status="active")
    client: Any = APIClient() if url.startswith("/api/") else Client()
    client.force_login(recruiter)

    response = client.get(url, {name: "act\x00ive"})

    assert response.status_code == 400
    assert response.json() == {name: ["Null characters are not allowed."]}


def search(term: str) -> set[str]:
    filterset = ResultFilter({"q": term}, queryset=InterviewResult.objects.all())
    assert filterset.is_valid()
    return {result.candidate_name or "" for result in filterset.qs}


def test_the_search_finds_a_reason_with_an_accent_or_a_quote() -> None:
    InterviewResultFactory.create(
        candidate_name="Aino", ai_analysis_recruiter_why_hire=['Built the "Åland" pipeline']
    )
    InterviewResultFactory.create(
        candidate_name="Lee", ai_analysis_recruiter_why_not_hire=["Prefers café hours"]
    )

    assert search("Åland") == {"Aino"}
    assert search('"Åland"') == {"Aino"}
    assert search("café") == {"Lee"}


def test_the_search_does_not_match_the_json_around_the_reasons() -> None:
    InterviewResultFactory.create(
        candidate_name="Sam",
        ai_analysis_recruiter="Solid",
        ai_analysis_recruiter_why_hire=["Clear", "Calm"],
        ai_analysis_recruiter_why_not_hire=[],
    )

    assert search('"') == set()
    assert search('", "') == set()


@pytest.mark.parametrize("offset", ["%2B23:59", "-20:00", "%2B15:59"])
def test_a_received_bound_with_any_utc_offset_filters_instead_of_failing(
    offset: str, viewer: User
) -> None:
    InterviewResultFactory.create(candidate_name="Maria")
    client = APIClient()
    client.force_authenticate(viewer)

    response = client.get(f"/api/results/?received_after=2000-01-01T00:00:00{offset}")

    assert response.status_code == 200
    assert [row["candidate_name"] for row in response.json()["results"]] == ["Maria"]
