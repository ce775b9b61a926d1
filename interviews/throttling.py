"""API rate limits (CONTRACT.md "Environment": API_THROTTLE_ANON, API_THROTTLE_USER), counted in
the shared database cache (`CACHES["shared"]`) so that every worker and machine sees one count.

DRF checks throttles only after authentication and permissions, so a wrong token or no token
at all (401) would never be counted: `exception_handler` counts those refusals against the
anonymous rate of the client's address and answers 429 once it is spent. Error bodies under
/api/ are JSON in one shape, `{"detail": "..."}`, besides the 400's field errors.
"""

from typing import TYPE_CHECKING, Any

from django.core.cache import BaseCache, caches
from rest_framework import exceptions
from rest_framework.throttling import SimpleRateThrottle

from interviews.proxies import client_ip

if TYPE_CHECKING:
    # Not at run time: rest_framework.views reads DEFAULT_THROTTLE_CLASSES (this module) while
    # it is being imported.
    from rest_framework.request import Request
    from rest_framework.response import Response
    from rest_framework.views import APIView


class SharedCacheThrottle(SimpleRateThrottle):
    """A rate counted in the shared cache rather than in one process's memory."""

    @property
    def cache(self) -> BaseCache:  # type: ignore[override]  # DRF's is a class attribute
        return caches["shared"]


class AnonThrottle(SharedCacheThrottle):
    """Anonymous and failed-authentication requests, per client address (behind
    TRUSTED_PROXIES, the address the proxy saw)."""

    scope = "anon"

    def get_cache_key(self, request: "Request", view: "APIView") -> str | None:
        if request.user and request.user.is_authenticated:
            return None
        return self.cache_format % {"scope": self.scope, "ident": client_ip(request._request)}


class UserThrottle(SharedCacheThrottle):
    """Authenticated requests, per user, wherever they come from."""

    scope = "user"

    def get_cache_key(self, request: "Request", view: "APIView") -> str | None:
        if not (request.user and request.user.is_authenticated):
            return None  # counted by AnonThrottle
        return self.cache_format % {"scope": self.scope, "ident": request.user.pk}


def _refused_authentication_throttled(
    request: "Request", view: "APIView"
) -> exceptions.Throttled | None:
    """Count a refused authentication against the address; return Throttled once over the rate."""
    if not getattr(view, "throttle_classes", None):
        return None  # a view without throttling (the webhook) stays without
    throttle = AnonThrottle()
    if throttle.allow_request(request, view):
        return None
    return exceptions.Throttled(throttle.wait())


def exception_handler(exc: Exception, context: dict[str, Any]) -> "Response | None":
    """DRF's handler, with failed authentication throttled like an anonymous request."""
    from rest_framework.views import exception_handler as drf_exception_handler

    request, view = context.get("request"), context.get("view")
    if (
        isinstance(exc, exceptions.NotAuthenticated | exceptions.AuthenticationFailed)
        and request is not None
        and view is not None
    ):
        exc = _refused_authentication_throttled(request, view) or exc
    return drf_exception_handler(exc, context)
