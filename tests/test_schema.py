"""The OpenAPI schema and its docs: generated without warnings, served to logged-in users, and
honoured by the API (schemathesis through the WSGI app, every check, in every role)."""

import base64
import re
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from django.contrib.auth.models import User
from django.core.cache import caches
from django.core.handlers.wsgi import WSGIHandler
from django.core.management import call_command
from django.test import Client
from drf_spectacular.generators import SchemaGenerator
from hypothesis import HealthCheck, settings
from rest_framework.authtoken.models import Token
from schemathesis.checks import ALL_CHECKS

from tests.factories import InterviewResultFactory


def test_the_schema_generates_without_warnings(tmp_path: Path) -> None:
    call_command("spectacular", "--fail-on-warn", "--validate", "--file", str(tmp_path / "s.yml"))


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/api/schema/", "/api/docs/"])
def test_schema_and_docs_need_a_login(client: Client, url: str) -> None:
    assert client.get(url).status_code in (401, 403)


@pytest.mark.django_db
def test_the_schema_is_served_to_a_logged_in_user(client: Client, viewer: User) -> None:
    client.force_login(viewer)
    response = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    assert "/api/results/" in response.json()["paths"]


@pytest.mark.django_db
def test_the_docs_load_without_inline_script(recruiter_client: Client) -> None:
    client = recruiter_client
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
def results(db: None) -> None:
    InterviewResultFactory.create_batch(3)
    InterviewResultFactory.create(score=None, recruiter_go_next_round=False, interview=None)


ROLES = ["anonymous", "outsider", "viewer", "recruiter"]


@pytest.fixture
def role_headers(outsider: User, viewer: User, recruiter: User) -> dict[str, dict[str, str]]:
    """Return each role's headers: none for anonymous, else its standing user's token."""
    users = {"outsider": outsider, "viewer": viewer, "recruiter": recruiter}
    return {
        "anonymous": {},
        **{
            role: {"Authorization": f"Token {Token.objects.create(user=user).key}"}
            for role, user in users.items()
        },
    }


def validate(case: Any, response: Any, headers: dict[str, str]) -> None:
    """Run every schemathesis check; ignored_auth re-sends the request without and with a bad
    token, which must each answer 401."""
    caches["shared"].clear()  # those re-sends count against the anonymous rate
    # ignored_auth sets a bad credential into these, and fails on None (schemathesis 3.39).
    case.headers, case.cookies, case.query = (
        case.headers or {},
        case.cookies or {},
        case.query or {},
    )
    case.validate_response(
        response, checks=ALL_CHECKS, headers=headers, transport_kwargs={"headers": headers}
    )


# Hand-picked requests, each validated against the schema: valid and invalid filters, pages,
# the CSV format, a found and an unknown result, a malformed id.
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
    ("/api/results/", {}, {"cursor": base64.urlsafe_b64encode(b"[" * 1100).decode()}, 400),
    ("/api/results/", {}, {"page_size": 0}, 400),
    ("/api/results/", {}, {"received_after": "2026-01-31", "received_before": "2026-13-01"}, 400),
    ("/api/results/", {}, {"format": "csv", "q": "a"}, 200),
    ("/api/results/{id}/", {"id": "00000000-0000-0000-0000-000000000000"}, {}, 404),
]


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(("path", "path_parameters", "query", "status"), EXAMPLES)
def test_chosen_requests_conform_to_the_schema(
    api_schema: Any,
    results: None,
    role_headers: dict[str, dict[str, str]],
    path: str,
    path_parameters: dict,
    query: dict,
    status: int,
) -> None:
    headers = role_headers["recruiter"]
    case = api_schema[path]["GET"].make_case(path_parameters=path_parameters, query=query)
    response = case.call_wsgi(headers=headers)
    try:
        assert response.status_code == status
        validate(case, response, headers)
    finally:
        response.close()  # as a WSGI server does: ends the CSV stream and records its export


# What each role gets from the list, the CSV export and one result (CONTRACT.md "Roles").
ROLE_STATUSES = {
    "anonymous": (401, 401, 401),
    "outsider": (403, 403, 403),
    "viewer": (200, 403, 200),
    "recruiter": (200, 200, 200),
}


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("role", ROLES)
def test_every_role_gets_documented_answers(
    api_schema: Any, results: None, role_headers: dict[str, dict[str, str]], role: str
) -> None:
    headers = role_headers[role]
    result = InterviewResultFactory.create(score=None, interview=None, recruiter_go_next_round=None)
    cases = [
        api_schema["/api/results/"]["GET"].make_case(),
        api_schema["/api/results/"]["GET"].make_case(query={"format": "csv"}),
        api_schema["/api/results/{id}/"]["GET"].make_case(path_parameters={"id": str(result.id)}),
    ]
    statuses = []
    for case in cases:
        response = case.call_wsgi(headers=headers)
        statuses.append(response.status_code)
        try:
            validate(case, response, headers)
        finally:
            response.close()
    assert tuple(statuses) == ROLE_STATUSES[role]


schema = schemathesis.from_pytest_fixture("api_schema")


# Committed data: each call goes through the whole WSGI stack, whose end of request closes the
# database connection.
def schema_run(role: str) -> Any:
    """Return the schemathesis run of every operation as `role` (a fixed seed: the same cases
    on every run). Committed data: each call goes through the whole WSGI stack, whose end of
    request closes the database connection."""

    @pytest.mark.django_db(transaction=True)
    @schema.parametrize()
    @settings(
        max_examples=25,
        deadline=None,
        derandomize=True,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    def run(case: Any, results: None, role_headers: dict[str, dict[str, str]]) -> None:
        headers = role_headers[role]
        # Schemathesis may invent a session cookie (the schema's other scheme) beside the
        # token; a valid token with a junk cookie is rightly a 200, which ignored_auth would
        # then blame on the cookie. Each role speaks through its token alone.
        case.cookies = {}
        response = case.call_wsgi(headers=headers)
        try:
            validate(case, response, headers)
        finally:
            response.close()

    return run


# One test per role: schemathesis' lazy parametrization does not combine with pytest's.
test_the_api_honours_its_schema_anonymous = schema_run("anonymous")
test_the_api_honours_its_schema_as_an_outsider = schema_run("outsider")
test_the_api_honours_its_schema_as_a_viewer = schema_run("viewer")
test_the_api_honours_its_schema_as_a_recruiter = schema_run("recruiter")
