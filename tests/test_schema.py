"""The OpenAPI schema and its docs: generated without warnings, served to logged-in users, and
honoured by the API (schemathesis through the WSGI app)."""

import re
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from django.core.cache import cache
from django.core.handlers.wsgi import WSGIHandler
from django.core.management import call_command
from django.test import Client
from drf_spectacular.generators import SchemaGenerator
from hypothesis import HealthCheck, settings
from rest_framework.authtoken.models import Token
from schemathesis.checks import not_a_server_error, response_schema_conformance

from tests.factories import InterviewResultFactory, UserFactory


def test_the_schema_generates_without_warnings(tmp_path: Path) -> None:
    call_command("spectacular", "--fail-on-warn", "--validate", "--file", str(tmp_path / "s.yml"))


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/api/schema/", "/api/docs/"])
def test_schema_and_docs_need_a_login(client: Client, url: str) -> None:
    assert client.get(url).status_code in (401, 403)


@pytest.mark.django_db
def test_the_schema_is_served_to_a_logged_in_user(client: Client) -> None:
    client.force_login(UserFactory.create())
    response = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    assert "/api/results/" in response.json()["paths"]


@pytest.mark.django_db
def test_the_docs_load_without_inline_script(client: Client) -> None:
    client.force_login(UserFactory.create())
    response = client.get("/api/docs/")
    assert response.status_code == 200
    html = response.content.decode()
    scripts = re.findall(r"<script\b[^>]*>", html)
    assert scripts, "the docs page loads Swagger UI"
    assert all("src=" in tag for tag in scripts), scripts
    policy = response.get("Content-Security-Policy", "")
    assert "unsafe-inline" not in policy
    directives = dict(part.strip().split(" ", 1) for part in policy.split(";") if part.strip())
    assert "unsafe-hashes" not in directives["script-src"]
    assert "'unsafe-hashes' 'sha256-" in directives["style-src"]


@pytest.fixture
def api_schema(settings: Any) -> Any:
    settings.ALLOWED_HOSTS = ["localhost"]  # the host schemathesis' WSGI calls send
    raw = SchemaGenerator().get_schema(request=None, public=True)
    return schemathesis.from_dict(raw, app=WSGIHandler())


@pytest.fixture
def token() -> str:
    user = UserFactory.create()
    InterviewResultFactory.create_batch(3)
    InterviewResultFactory.create(score=None, recruiter_go_next_round=False, interview=None)
    return Token.objects.create(user=user).key


CHECKS = (not_a_server_error, response_schema_conformance)
# Hand-picked requests, each validated against the schema: valid and invalid filters, pages,
# the CSV format, a found and an unknown result.
EXAMPLES = [
    ("/api/results/", {}, {}, 200),
    (
        "/api/results/",
        {},
        {"status": ["active", "draft"], "ordering": "-score", "page_size": 1},
        200,
    ),
    ("/api/results/", {}, {"score_min": "x", "decision": "maybe", "interview": ["nope"]}, 400),
    ("/api/results/", {}, {"cursor": "garbage"}, 400),
    ("/api/results/", {}, {"page_size": 0}, 400),
    ("/api/results/", {}, {"received_after": "2026-01-31", "received_before": "2026-13-01"}, 400),
    ("/api/results/", {}, {"format": "csv", "q": "a"}, 200),
    ("/api/results/{id}/", {"id": "00000000-0000-0000-0000-000000000000"}, {}, 404),
]


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(("path", "path_parameters", "query", "status"), EXAMPLES)
def test_chosen_requests_conform_to_the_schema(
    api_schema: Any, token: str, path: str, path_parameters: dict, query: dict, status: int
) -> None:
    cache.clear()
    case = api_schema[path]["GET"].make_case(path_parameters=path_parameters, query=query)
    response = case.call_wsgi(headers={"Authorization": f"Token {token}"})
    assert response.status_code == status
    case.validate_response(response, checks=CHECKS)
    response.close()  # as a WSGI server does: ends the CSV stream and records its export


@pytest.mark.django_db(transaction=True)
def test_a_found_result_conforms_to_the_schema(api_schema: Any, token: str) -> None:
    result = InterviewResultFactory.create(score=None, interview=None, recruiter_go_next_round=None)
    case = api_schema["/api/results/{id}/"]["GET"].make_case(path_parameters={"id": str(result.id)})
    response = case.call_wsgi(headers={"Authorization": f"Token {token}"})
    assert response.status_code == 200
    case.validate_response(response, checks=CHECKS)


schema = schemathesis.from_pytest_fixture("api_schema")


# Committed data: each call goes through the whole WSGI stack, whose end of request closes the
# database connection.
@pytest.mark.django_db(transaction=True)
@schema.parametrize()
@settings(
    max_examples=25,
    deadline=None,
    derandomize=True,  # a fixed seed: the same cases on every run
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_the_api_honours_its_schema(case: Any, token: str) -> None:
    cache.clear()  # throttling counts would otherwise pile up across the examples
    response = case.call_wsgi(headers={"Authorization": f"Token {token}"})
    case.validate_response(response, checks=CHECKS)
