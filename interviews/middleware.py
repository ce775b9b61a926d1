"""Middleware for the two answers that must not depend on the rest of the stack."""

from collections.abc import Callable

from django.db import DatabaseError, InterfaceError, OperationalError, connection
from django.http import HttpRequest, HttpResponse, JsonResponse

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
