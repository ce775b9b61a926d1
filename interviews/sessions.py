"""Login sessions: a store that knows whose session it is, the idle and absolute time limits, and
ending every session of a user who is deactivated.

Callers: Django's SessionMiddleware (SESSION_ENGINE = "interviews.sessions"), the middleware list
(`SessionTimeoutMiddleware`), and `InterviewsConfig.ready`, which connects the two receivers.
"""

import time
from collections.abc import Callable
from datetime import timedelta
from typing import Any, cast

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import SESSION_KEY, logout
from django.contrib.auth.models import AbstractBaseUser
from django.contrib.sessions.backends.db import SessionStore as DBStore
from django.http import HttpRequest, HttpResponse
from django.shortcuts import resolve_url
from django.utils import timezone
from rest_framework.authtoken.models import Token

from interviews.models import UserSession

# When the session's user last made a request (Unix seconds). Written at most once a minute, so
# that browsing does not cost a session write per request; the idle limit is exact to a minute.
LAST_SEEN_KEY = "_last_seen"
LAST_SEEN_RESOLUTION_SECONDS = 60


class SessionStore(DBStore):
    """Django's database sessions, in `UserSession`, with the logged-in user's id beside each."""

    @classmethod
    def get_model_class(cls) -> type[UserSession]:
        return UserSession

    def create_model_instance(self, data: dict[str, Any]) -> UserSession:
        instance = cast(UserSession, super().create_model_instance(data))
        try:
            instance.user_id = int(data[SESSION_KEY])
        except (KeyError, TypeError, ValueError):
            instance.user_id = None  # anonymous (or not logged in yet)
        return instance


def user_sessions_end(*, user: AbstractBaseUser) -> None:
    """End every session of the user and revoke their API token."""
    UserSession.objects.filter(user_id=user.pk).delete()
    Token.objects.filter(user_id=user.pk).delete()


def user_saved(sender: Any, instance: AbstractBaseUser, **kwargs: Any) -> None:
    """post_save of the user model: a deactivated user loses their sessions and token.

    A signal, not a service, because users are deactivated with the admin's own "Active"
    checkbox (Django's UserAdmin), which calls no code of ours. Django already refuses an
    inactive user's session and DRF their token; deleting both means that reactivating the
    account later does not bring a stolen session or token back to life.
    """
    if not instance.is_active:
        user_sessions_end(user=instance)


def session_start(sender: Any, request: HttpRequest, user: AbstractBaseUser, **kwargs: Any) -> None:
    """user_logged_in: fix the session's absolute end, and start its idle clock.

    A fixed expiry date (not Django's "SESSION_COOKIE_AGE from the last save") keeps the 12 h
    limit absolute although the session is saved again as the user keeps working.
    """
    request.session.set_expiry(timezone.now() + timedelta(seconds=settings.SESSION_COOKIE_AGE))
    request.session[LAST_SEEN_KEY] = int(time.time())


class SessionTimeoutMiddleware:
    """Log out a session user whose last request is older than SESSION_IDLE_MINUTES.

    The request then goes on as anonymous: pages redirect to the login page (with a message that
    says why), the API answers 401 as to any anonymous client. Token clients have no session
    and are not affected. Placed after the auth and messages middleware.

    An htmx request whose session has ended (idle, 12 h, deactivated) is sent to the login page
    as a whole page: htmx would follow the redirect and swap the login form into the region.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated:
            now = int(time.time())
            last_seen = request.session.get(LAST_SEEN_KEY)
            if not isinstance(last_seen, int):
                request.session[LAST_SEEN_KEY] = now
            elif now - last_seen > settings.SESSION_IDLE_MINUTES * 60:
                logout(request)
                if not request.path.startswith("/api/"):
                    messages.info(
                        request,
                        f"Your session ended after {settings.SESSION_IDLE_MINUTES} minutes "
                        "without activity. Please log in again.",
                    )
            elif now - last_seen >= LAST_SEEN_RESOLUTION_SECONDS:
                request.session[LAST_SEEN_KEY] = now
        response = self.get_response(request)
        if (
            request.headers.get("HX-Request") == "true"
            and response.status_code == 302
            and response["Location"].startswith(resolve_url(settings.LOGIN_URL))
        ):
            response = HttpResponse(headers={"HX-Redirect": response["Location"]})
        return response
