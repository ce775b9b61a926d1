"""Log in and out, and the error pages."""

import pytest
from django.template import loader
from django.test import Client

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
PASSWORD = "correct horse battery staple"


def test_the_login_page_has_a_csrf_protected_form(client: Client) -> None:
    response = client.get("/accounts/login/")
    assert response.status_code == 200
    content = response.content.decode()
    assert 'name="csrfmiddlewaretoken"' in content
    assert 'name="username"' in content and 'name="password"' in content


def test_a_recruiter_logs_in_and_lands_on_the_candidates(client: Client) -> None:
    UserFactory.create(username="maria", password=PASSWORD)
    response = client.post(
        "/accounts/login/", {"username": "maria", "password": PASSWORD}, REMOTE_ADDR="10.0.0.1"
    )
    assert response.status_code == 302
    assert response["Location"] == "/results/"


def test_a_wrong_password_shows_an_error(client: Client) -> None:
    UserFactory.create(username="maria", password=PASSWORD)
    response = client.post("/accounts/login/", {"username": "maria", "password": "wrong"})
    assert response.status_code == 200
    assert b"notice--error" in response.content


def test_log_out_is_a_post_form(recruiter_client: Client) -> None:
    client = recruiter_client
    page = client.get("/results/").content.decode()
    assert '<form method="post" action="/accounts/logout/">' in page
    assert client.get("/accounts/logout/").status_code == 405
    response = client.post("/accounts/logout/")
    assert response.status_code == 302
    assert client.get("/results/").status_code == 302


def test_the_500_page_renders_without_a_request_or_the_database(
    django_assert_num_queries: object,
) -> None:
    with django_assert_num_queries(0):  # type: ignore[operator]
        content = loader.get_template("500.html").render()
    assert "Something went wrong" in content


def test_the_403_page_renders(rf: object) -> None:
    content = loader.get_template("403.html").render({})
    assert "You cannot do that here" in content


def test_logging_in_is_paused_after_five_failures(client: Client) -> None:
    UserFactory.create(username="alice")
    for _ in range(5):
        client.post("/accounts/login/", {"username": "alice", "password": "wrong"})

    response = client.post(
        "/accounts/login/", {"username": "alice", "password": "correct horse battery staple"}
    )

    assert response.status_code == 429
    assert "Logging in is paused" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_favicon_ico_points_at_the_sites_icon(client: Client) -> None:
    response = client.get("/favicon.ico")
    assert response.status_code == 301
    assert response["Location"].endswith("favicon.svg")
