"""The client's address, believing X-Forwarded-For only from the proxies we were told to trust."""

import ipaddress
from typing import Any

from django.conf import settings
from django.http import HttpRequest


def _valid_ip(value: str) -> str | None:
    try:
        return str(ipaddress.ip_address(value.strip()))
    except ValueError:
        return None


def client_ip(request: HttpRequest) -> str | None:
    """Return the address of whoever sent the request.

    X-Forwarded-For is read right to left, skipping trusted proxies; the first address that is
    not a trusted proxy is the client. Without a trusted proxy in front, REMOTE_ADDR is the client.
    """
    remote = _valid_ip(request.META.get("REMOTE_ADDR", ""))
    trusted = set(settings.TRUSTED_PROXIES)
    if remote is None or remote not in trusted:
        return remote
    hops = [hop for hop in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if hop.strip()]
    client = remote
    for hop in reversed(hops):
        address = _valid_ip(hop)
        if address is None:
            break
        client = address
        if address not in trusted:
            break
    return client


def axes_client_ip(request: Any) -> str | None:
    """django-axes' hook: throttle logins by the same address the webhook records."""
    return client_ip(request)
