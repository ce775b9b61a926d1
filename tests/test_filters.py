"""The one FilterSet (interviews.filters.ResultFilter): what it refuses, through every channel."""

from typing import Any

import pytest
from django.test import Client
from rest_framework.test import APIClient

from interviews.filters import ResultFilter
from interviews.models import InterviewResult
from tests.factories import InterviewResultFactory, UserFactory

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
def test_a_status_with_a_nul_character_is_a_400_not_a_500(name: str, url: str) -> None:
    InterviewResultFactory.create(status="active")
    client: Any = APIClient() if url.startswith("/api/") else Client()
    client.force_login(UserFactory.create())

    response = client.get(url, {name: "act\x00ive"})

    assert response.status_code == 400
    assert response.json() == {name: ["Null characters are not allowed."]}
