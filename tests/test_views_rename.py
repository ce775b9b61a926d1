"""Naming an interview: /interviews/<id>/name/."""

import uuid

import pytest
from django.contrib.auth.models import User
from django.test import Client

from tests.factories import InterviewFactory, InterviewResultFactory

pytestmark = pytest.mark.django_db


def url(interview: object) -> str:
    return f"/interviews/{interview.pk}/name/"  # type: ignore[attr-defined]


def test_it_names_the_interview_and_goes_back_with_a_message(recruiter_client: Client) -> None:
    result = InterviewResultFactory.create(interview=InterviewFactory.create(name=""))
    detail = f"/results/{result.pk}/?back=status%3Dactive"
    response = recruiter_client.post(
        url(result.interview), {"name": "  Backend   Engineer ", "next": detail}
    )
    assert response.status_code == 302
    assert response["Location"] == detail
    assert result.interview is not None
    result.interview.refresh_from_db()
    assert result.interview.name == "Backend Engineer"
    page = recruiter_client.get(detail)
    assert "The interview is now called “Backend Engineer”." in page.content.decode()


def test_it_clears_a_name_with_an_empty_value(recruiter_client: Client) -> None:
    interview = InterviewFactory.create(name="Old name")
    recruiter_client.post(url(interview), {"name": ""})
    interview.refresh_from_db()
    assert interview.name == ""


@pytest.mark.parametrize(
    "next_url", ["https://evil.example/", "//evil.example/x", "javascript:alert(1)"]
)
def test_it_ignores_an_unsafe_redirect(recruiter_client: Client, next_url: str) -> None:
    interview = InterviewFactory.create()
    response = recruiter_client.post(url(interview), {"name": "Data Analyst", "next": next_url})
    assert response.status_code == 302
    assert response["Location"] == f"/results/?interview={interview.pk}"


def test_it_refuses_a_name_that_is_too_long(recruiter_client: Client) -> None:
    interview = InterviewFactory.create(name="Kept")
    response = recruiter_client.post(url(interview), {"name": "x" * 201})
    assert response.status_code == 400
    assert b"at most 200 characters" in response.content
    interview.refresh_from_db()
    assert interview.name == "Kept"


def test_it_refuses_control_characters(recruiter_client: Client) -> None:
    interview = InterviewFactory.create(name="Kept")
    response = recruiter_client.post(url(interview), {"name": "Back\x00end"})
    assert response.status_code == 400
    interview.refresh_from_db()
    assert interview.name == "Kept"


def test_it_enforces_csrf(recruiter: User) -> None:
    csrf_client = Client(enforce_csrf_checks=True)
    csrf_client.force_login(recruiter)
    interview = InterviewFactory.create(name="Kept")
    response = csrf_client.post(url(interview), {"name": "Changed"})
    assert response.status_code == 403
    interview.refresh_from_db()
    assert interview.name == "Kept"


def test_it_accepts_a_post_with_the_csrf_token_from_the_detail_page(recruiter: User) -> None:
    csrf_client = Client(enforce_csrf_checks=True)
    csrf_client.force_login(recruiter)
    result = InterviewResultFactory.create()
    page = csrf_client.get(f"/results/{result.pk}/").content.decode()
    token = page.split('name="csrfmiddlewaretoken" value="', 2)[2].split('"', 1)[0]
    response = csrf_client.post(
        url(result.interview), {"name": "Support", "csrfmiddlewaretoken": token}
    )
    assert response.status_code == 302
    assert result.interview is not None
    result.interview.refresh_from_db()
    assert result.interview.name == "Support"


def test_it_redirects_anonymous_visitors_to_the_login_page(client: Client) -> None:
    interview = InterviewFactory.create(name="Kept")
    response = client.post(url(interview), {"name": "Changed"})
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
    interview.refresh_from_db()
    assert interview.name == "Kept"


def test_it_shows_the_form_on_get(recruiter_client: Client) -> None:
    interview = InterviewFactory.create(name="Backend Engineer")
    response = recruiter_client.get(url(interview))
    assert response.status_code == 200
    assert b'value="Backend Engineer"' in response.content


def test_it_answers_404_for_an_unknown_interview(recruiter_client: Client) -> None:
    assert (
        recruiter_client.post(f"/interviews/{uuid.uuid4()}/name/", {"name": "x"}).status_code == 404
    )
