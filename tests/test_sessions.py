"""Sessions: the idle and absolute limits, sessions that know their user, deactivation, log out
and the password change (interviews/sessions.py)."""

import time
from datetime import timedelta
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.utils import timezone
from rest_framework.authtoken.models import Token

from interviews.models import UserSession
from interviews.sessions import LAST_SEEN_KEY

pytestmark = pytest.mark.django_db

IDLE_SECONDS = 60 * 60  # SESSION_IDLE_MINUTES' default


def last_seen_ago(client: Client, seconds: int) -> None:
    """Pretend the client's last request was this long ago."""
    session = client.session
    session[LAST_SEEN_KEY] = int(time.time()) - seconds
    session.save()


def stored_session(client: Client) -> UserSession:
    return UserSession.objects.get(session_key=client.session.session_key)


# --- The store ------------------------------------------------------------------------------


def test_it_stores_whose_session_it_is(recruiter_client: Client, recruiter: User) -> None:
    assert stored_session(recruiter_client).user_id == recruiter.pk


def test_it_forgets_the_user_when_they_log_out(recruiter_client: Client, recruiter: User) -> None:
    assert recruiter_client.get("/accounts/logout/").status_code == 405
    assert UserSession.objects.filter(user_id=recruiter.pk).exists()

    assert recruiter_client.post("/accounts/logout/").status_code == 302

    assert not UserSession.objects.filter(user_id=recruiter.pk).exists()
    assert recruiter_client.get("/results/").status_code == 302


# --- Idle and absolute limits ---------------------------------------------------------------


def test_it_logs_out_a_page_user_after_the_idle_limit(recruiter_client: Client) -> None:
    last_seen_ago(recruiter_client, IDLE_SECONDS + 5)

    response = recruiter_client.get("/results/")

    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/results/"
    login_page = recruiter_client.get(response["Location"]).content.decode()
    assert "Your session ended after 60 minutes without activity." in login_page
    assert "_auth_user_id" not in recruiter_client.session


def test_it_answers_401_to_an_idle_api_session(recruiter_client: Client) -> None:
    assert recruiter_client.get("/api/results/").status_code == 200
    last_seen_ago(recruiter_client, IDLE_SECONDS + 5)

    response = recruiter_client.get("/api/results/")

    assert response.status_code == 401
    assert response["Content-Type"].startswith("application/json")
    assert "_auth_user_id" not in recruiter_client.session


def test_it_sends_an_ended_htmx_request_to_the_login_page(recruiter_client: Client) -> None:
    last_seen_ago(recruiter_client, IDLE_SECONDS + 5)

    response = recruiter_client.get(
        "/results/?status=active", HTTP_HX_REQUEST="true", HTTP_HX_TARGET="results"
    )

    assert response.status_code == 200
    assert response.content == b""
    assert response["HX-Redirect"] == "/accounts/login/?next=/results/%3Fstatus%3Dactive"


def test_it_keeps_a_session_used_within_the_limit(recruiter_client: Client) -> None:
    last_seen_ago(recruiter_client, IDLE_SECONDS - 60)

    assert recruiter_client.get("/results/").status_code == 200
    assert recruiter_client.session[LAST_SEEN_KEY] >= int(time.time()) - 5


def test_it_reads_the_idle_limit_from_the_settings(recruiter_client: Client, settings: Any) -> None:
    settings.SESSION_IDLE_MINUTES = 5
    last_seen_ago(recruiter_client, 5 * 60 + 5)

    response = recruiter_client.get("/results/", follow=True)

    assert "Your session ended after 5 minutes without activity." in response.content.decode()


def test_it_writes_the_session_at_most_once_a_minute(recruiter_client: Client) -> None:
    last_seen_ago(recruiter_client, 10)
    before = recruiter_client.session[LAST_SEEN_KEY]

    recruiter_client.get("/results/")
    assert recruiter_client.session[LAST_SEEN_KEY] == before

    last_seen_ago(recruiter_client, 90)
    recruiter_client.get("/results/")
    assert recruiter_client.session[LAST_SEEN_KEY] > before


def test_it_fixes_the_absolute_limit_at_login(recruiter_client: Client) -> None:
    expires = stored_session(recruiter_client).expire_date
    assert abs(expires - (timezone.now() + timedelta(hours=12))) < timedelta(minutes=1)

    # A request a few minutes later saves the session again (its idle clock moves) ...
    last_seen_ago(recruiter_client, 5 * 60)
    recruiter_client.get("/results/")
    assert recruiter_client.session[LAST_SEEN_KEY] >= int(time.time()) - 5

    # ... without moving its end.
    assert stored_session(recruiter_client).expire_date == expires


def test_it_ends_the_session_at_the_absolute_limit(recruiter_client: Client) -> None:
    session = recruiter_client.session
    session.set_expiry(timezone.now() - timedelta(seconds=1))
    session.save()

    assert recruiter_client.get("/results/").status_code == 302


# --- Deactivation ---------------------------------------------------------------------------


def deactivate_in_the_admin(superuser: User, user: User) -> None:
    admin = Client()
    admin.force_login(superuser)
    response = admin.post(
        f"/admin/auth/user/{user.pk}/change/",
        {
            "username": user.username,
            "first_name": "",
            "last_name": "",
            "email": user.email,
            # "is_active" left out: the checkbox is cleared.
            "groups": [group.pk for group in user.groups.all()],
            "date_joined_0": user.date_joined.strftime("%Y-%m-%d"),
            "date_joined_1": user.date_joined.strftime("%H:%M:%S"),
            "_save": "Save",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    user.refresh_from_db()
    assert not user.is_active


def test_deactivating_a_user_in_the_admin_ends_their_sessions_and_token(
    recruiter_client: Client, recruiter: User, superuser: User
) -> None:
    token = Token.objects.create(user=recruiter)
    api = Client(HTTP_AUTHORIZATION=f"Token {token.key}")
    assert api.get("/api/results/").status_code == 200
    assert recruiter_client.get("/results/").status_code == 200

    deactivate_in_the_admin(superuser, recruiter)

    assert not UserSession.objects.filter(user_id=recruiter.pk).exists()
    assert not Token.objects.filter(user=recruiter).exists()
    assert recruiter_client.get("/results/").status_code == 302
    assert api.get("/api/results/").status_code == 401


def test_reactivating_a_user_does_not_revive_the_old_session_or_token(
    recruiter_client: Client, recruiter: User, superuser: User
) -> None:
    token = Token.objects.create(user=recruiter)
    deactivate_in_the_admin(superuser, recruiter)

    recruiter.is_active = True
    recruiter.save()

    assert recruiter_client.get("/results/").status_code == 302
    api = Client(HTTP_AUTHORIZATION=f"Token {token.key}")
    assert api.get("/api/results/").status_code == 401


def test_saving_an_active_user_keeps_their_sessions(
    recruiter_client: Client, recruiter: User
) -> None:
    Token.objects.create(user=recruiter)
    recruiter.first_name = "Maria"
    recruiter.save()

    assert recruiter_client.get("/results/").status_code == 200
    assert Token.objects.filter(user=recruiter).exists()


# --- Password change ------------------------------------------------------------------------

NEW_PASSWORD = "a new and long passphrase 7"


def test_the_header_links_to_the_password_change(recruiter_client: Client) -> None:
    page = recruiter_client.get("/results/").content.decode()
    assert '<a class="button button--quiet button--small" href="/accounts/password_change/">' in (
        page
    )


def test_the_password_change_page_is_for_logged_in_users(client: Client, outsider: User) -> None:
    response = client.get("/accounts/password_change/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")

    client.force_login(outsider)
    page = client.get("/accounts/password_change/")
    assert page.status_code == 200
    assert 'name="old_password"' in page.content.decode()
    assert client.get("/accounts/password_change/done/").status_code == 200


def test_it_changes_the_password_and_keeps_the_user_logged_in(
    recruiter_client: Client, recruiter: User
) -> None:
    elsewhere = Client()
    elsewhere.force_login(recruiter)

    response = recruiter_client.post(
        "/accounts/password_change/",
        {
            "old_password": "pw-recruiter",
            "new_password1": NEW_PASSWORD,
            "new_password2": NEW_PASSWORD,
        },
    )

    assert response.status_code == 302
    assert response["Location"] == "/accounts/password_change/done/"
    recruiter.refresh_from_db()
    assert recruiter.check_password(NEW_PASSWORD)
    assert recruiter.password.startswith("argon2")
    assert recruiter_client.get("/results/").status_code == 200
    # The user's other sessions end (Django's session hash).
    assert elsewhere.get("/results/").status_code == 302


def test_it_refuses_a_wrong_current_password(recruiter_client: Client, recruiter: User) -> None:
    response = recruiter_client.post(
        "/accounts/password_change/",
        {"old_password": "wrong", "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )

    assert response.status_code == 200
    assert 'class="field-error"' in response.content.decode()
    recruiter.refresh_from_db()
    assert recruiter.check_password("pw-recruiter")
