"""Middleware for the answers that must not depend on the rest of the stack, and for the
headers every answer needs whatever view made it."""

from collections.abc import Callable

from django.conf import settings
from django.contrib.admin.views.main import ERROR_FLAG
from django.db import DatabaseError, DataError, InterfaceError, OperationalError, connection
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.template.response import SimpleTemplateResponse
from django.utils.cache import patch_cache_control

RETRY_AFTER_SECONDS = "30"


def database_unavailable_response() -> HttpResponse:
    """Return the 503 that tells the platform (and browsers) to come back later."""
    response = JsonResponse({"detail": "The database is unavailable. Try again later."}, status=503)
    response["Retry-After"] = RETRY_AFTER_SECONDS
    return response


class HealthCheckMiddleware:
    """Answer GET /healthz before the host check and the SSL redirect (load balancers use IPs
    and plain HTTP)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path != "/healthz":
            return self.get_response(request)
        try:
            with connection.cursor() as cursor:
                cursor.execute("SELECT 1")
        except DatabaseError:
            response = JsonResponse({"status": "unavailable"}, status=503)
            response["Retry-After"] = RETRY_AFTER_SECONDS
        else:
            response = JsonResponse({"status": "ok"})
        response["Cache-Control"] = "no-store"
        return response


class DatabaseUnavailableMiddleware:
    """Turn the database's operational errors (down, unreachable, locked) into a 503.

    A request that cannot even connect is answered 503 before any view runs.

    The views' exceptions arrive here; errors raised elsewhere reach `views.server_error`, which
    does the same.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        # Connect (or take a pooled connection) first, so that while the database is down every
        # path answers 503, also the pages that would render without a query (the login form).
        try:
            connection.ensure_connection()
        except (OperationalError, InterfaceError):
            return database_unavailable_response()
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if isinstance(exception, OperationalError | InterfaceError):
            return database_unavailable_response()
        return None


class AdminInvalidLookupMiddleware:
    """An admin list filtered by a query-string value the database refuses is an invalid lookup.

    The admin accepts a lookup on any of a model's own fields from the URL, and some values only
    fail in the database (NUL in a string on PostgreSQL, "zz" for an address, a year past 9999),
    also in the admins of django.contrib.auth, DRF's tokens and axes. Django's answer to an
    invalid lookup is a redirect to the unfiltered list with ?e=1; this gives the same instead of
    a 500.
    """

    REFUSED = (DataError, ValueError, OverflowError, TypeError)

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        match = request.resolver_match
        if (
            request.method not in ("GET", "HEAD")
            or not isinstance(exception, self.REFUSED)
            or match is None
            or match.app_name != "admin"
            or not (match.url_name or "").endswith("_changelist")
            or not request.GET
        ):
            return None
        if ERROR_FLAG in request.GET:
            return SimpleTemplateResponse("admin/invalid_setup.html", {"title": "Database error"})
        return HttpResponseRedirect(f"{request.path}?{ERROR_FLAG}=1")


class PrivateCacheMiddleware:
    """Keep every answer to a signed-in request out of every cache: `private, no-store`.

    Pages, API answers, exports and reports hold candidates' personal data; a shared proxy or
    the browser's disk must not keep them. A request is signed in when it carries a session
    cookie or an Authorization header (an API token; also the webhook's secret), or its user is
    authenticated. Deciding on the request, not per view, covers every view present and future.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if self._signed_in(request):
            patch_cache_control(response, private=True, no_store=True)
        return response

    @staticmethod
    def _signed_in(request: HttpRequest) -> bool:
        if "HTTP_AUTHORIZATION" in request.META:
            return True
        if settings.SESSION_COOKIE_NAME in request.COOKIES:
            return True
        # Without a session cookie this needs no query (nothing to look up), so it is safe
        # while the database is down.
        user = getattr(request, "user", None)
        return bool(user is not None and user.is_authenticated)
