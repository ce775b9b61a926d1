"""GET /healthz and the 503 for a database outage on every path (interviews.middleware, and the
500 handler interviews.views.server_error for errors raised outside a view)."""

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from unittest import mock

import pytest
from django.contrib.auth.models import User
from django.db import InterfaceError, OperationalError
from django.test import Client

from tests.conftest import WebhookClient, payload_bytes

pytestmark = pytest.mark.django_db


@pytest.fixture
def outage() -> Iterator[None]:
    """Make every database query fail as it does when the server is gone."""
    with mock.patch(
        "django.db.backends.utils.CursorWrapper.execute",
        side_effect=OperationalError("server closed the connection unexpectedly"),
    ):
        yield


@pytest.fixture
def quiet_client() -> Client:
    """A client that returns the 5xx response instead of re-raising the view's exception."""
    return Client(raise_request_exception=False)


def assert_unavailable(response: Any) -> None:
    assert response.status_code == 503
    assert int(response["Retry-After"]) > 0


def test_healthz_answers_ok(client: Client):
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert response["Cache-Control"] == "no-store"


def test_healthz_answers_any_host_over_plain_http(settings: Any):
    settings.SECURE_SSL_REDIRECT = True
    settings.ALLOWED_HOSTS = ["dashboard.example.com"]
    client = Client()  # a new client loads the middleware with these settings

    response = client.get("/healthz", HTTP_HOST="10.1.2.3:8000")

    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    # The same settings do refuse and redirect every other path: the exemption is real.
    assert client.get("/results/", HTTP_HOST="dashboard.example.com").status_code == 301


def test_healthz_answers_503_when_the_database_is_down(quiet_client: Client, outage: None):
    response = quiet_client.get("/healthz")

    assert_unavailable(response)
    assert response.json() == {"status": "unavailable"}


def test_the_webhook_answers_503_when_the_database_is_down(quiet_client: Client, outage: None):
    response = WebhookClient(quiet_client).post(payload_bytes("submitted.json"))

    assert_unavailable(response)


def test_a_recruiter_page_answers_503_when_the_database_is_down(
    quiet_client: Client, recruiter: User
):
    quiet_client.force_login(recruiter)

    with mock.patch(
        "django.db.backends.utils.CursorWrapper.execute", side_effect=OperationalError("down")
    ):
        response = quiet_client.get("/results/")

    assert_unavailable(response)


@pytest.mark.parametrize("error", [OperationalError, InterfaceError])
def test_a_view_that_loses_the_database_answers_503(quiet_client: Client, error: type):
    with mock.patch("interviews.webhooks.delivery_receive", side_effect=error("gone")):
        response = WebhookClient(quiet_client).post(payload_bytes("submitted.json"))

    assert_unavailable(response)


def test_a_database_error_raised_in_a_middleware_answers_503(quiet_client: Client, settings: Any):
    settings.DEBUG = False
    with mock.patch(
        "django.contrib.sessions.middleware.SessionMiddleware.process_request",
        side_effect=OperationalError("too many connections"),
    ):
        response = quiet_client.get("/results/")

    assert_unavailable(response)
    assert response.json() == {"detail": "The database is unavailable. Try again later."}


def test_any_other_error_raised_in_a_middleware_is_still_a_500(quiet_client: Client):
    with mock.patch(
        "django.contrib.sessions.middleware.SessionMiddleware.process_request",
        side_effect=RuntimeError("bug"),
    ):
        response = quiet_client.get("/results/")

    assert response.status_code == 500
    assert "Retry-After" not in response


def test_the_500_page_falls_back_to_text_when_it_cannot_render(quiet_client: Client):
    with (
        mock.patch(
            "django.contrib.sessions.middleware.SessionMiddleware.process_request",
            side_effect=RuntimeError("bug"),
        ),
        mock.patch("interviews.views.loader.get_template", side_effect=ValueError("no manifest")),
    ):
        response = quiet_client.get("/results/")

    assert response.status_code == 500
    assert response["Content-Type"].startswith("text/plain")
    assert b"Something went wrong" in response.content


@pytest.mark.parametrize(
    "path", ["/accounts/login/", "/admin/login/", "/api/results/", "/results/", "/nowhere"]
)
def test_every_path_answers_503_when_the_database_cannot_be_reached(
    quiet_client: Client, path: str
):
    # The login form renders without a query: the connection itself is what fails.
    with mock.patch(
        "django.db.backends.base.base.BaseDatabaseWrapper.ensure_connection",
        side_effect=OperationalError('connection to server at "127.0.0.1", port 5999 failed'),
    ):
        response = quiet_client.get(path)

    assert_unavailable(response)
    assert response.json() == {"detail": "The database is unavailable. Try again later."}


def test_the_webhook_answers_503_when_the_database_cannot_be_reached(quiet_client: Client):
    with mock.patch(
        "django.db.backends.base.base.BaseDatabaseWrapper.ensure_connection",
        side_effect=OperationalError("connection refused"),
    ):
        response = WebhookClient(quiet_client).post(payload_bytes("submitted.json"))

    assert_unavailable(response)


def test_the_connection_pool_gives_up_within_a_health_checks_timeout():
    # While PostgreSQL is unreachable each request waits this long for its 503; 10 s outlasted
    # a load balancer's health check (and many clients' timeouts).
    env = {
        **os.environ,
        "DATABASE_URL": "postgres://postgres@127.0.0.1:5999/x",
        "SECRET_KEY": "t",
        "DJANGO_SETTINGS_MODULE": "config.settings",
    }
    env.pop("DATABASE_POOL_TIMEOUT", None)
    code = (
        "import django; django.setup(); from django.conf import settings; "
        "print(settings.DATABASES['default']['OPTIONS']['pool']['timeout'])"
    )
    done = subprocess.run(
        [sys.executable, "-c", code],
        env=env,
        capture_output=True,
        text=True,
        check=True,
        cwd=Path(__file__).resolve().parent.parent,
    )

    assert float(done.stdout) <= 5


@pytest.mark.parametrize(
    "url",
    [
        "/admin/auth/user/?username=a%00b",
        "/admin/authtoken/tokenproxy/?key=%00",
        "/admin/axes/accessattempt/?ip_address=zz",
        "/admin/interviews/delivery/?body=zz",
        "/admin/interviews/delivery/?received_at__year=99999999999",
    ],
)
def test_an_admin_list_filtered_by_a_value_the_database_refuses_is_not_a_500(
    admin_client: Client, url: str
):
    response = admin_client.get(url)

    assert response.status_code in (200, 302)
    if response.status_code == 302:
        assert response["Location"].endswith("?e=1")


def test_an_admin_list_that_keeps_failing_shows_the_invalid_setup_page(admin_client: Client):
    with mock.patch(
        "django.contrib.admin.options.ModelAdmin.get_changelist_instance",
        side_effect=ValueError("refused"),
    ):
        first = admin_client.get("/admin/auth/user/?username=x")
        again = admin_client.get("/admin/auth/user/?e=1")

    assert first.status_code == 302
    assert first["Location"] == "/admin/auth/user/?e=1"
    assert again.status_code == 200
    assert b"Database error" in again.content


def test_other_errors_in_the_admin_are_still_raised(admin_client: Client):
    with (
        mock.patch(
            "django.contrib.admin.options.ModelAdmin.get_changelist_instance",
            side_effect=RuntimeError("bug"),
        ),
        pytest.raises(RuntimeError),
    ):
        admin_client.get("/admin/auth/user/?username=x")
