"""The client's address, believing X-Forwarded-For only from the proxies we were told to trust."""

import ipaddress
from typing import Any

from django.conf import settings
from django.http import HttpRequest

IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network


def _valid_ip(value: str | None) -> str | None:
    """Return the address in canonical form, or None for anything that is not a plain address."""
    if not value:
        return None
    try:
        address = ipaddress.ip_address(value.strip())
    except ValueError:
        return None
    # A zone ("fe80::1%eth0") means nothing off this host and PostgreSQL's inet refuses it.
    if isinstance(address, ipaddress.IPv6Address) and address.scope_id:
        return None
    return str(address)


def trusted_networks() -> list[IPNetwork]:
    """Return TRUSTED_PROXIES as networks: plain addresses and CIDR ranges both work."""
    networks = []
    for entry in settings.TRUSTED_PROXIES:
        try:
            networks.append(ipaddress.ip_network(entry.strip(), strict=False))
        except ValueError:
            continue
    return networks


def _is_trusted(address: str, networks: list[IPNetwork]) -> bool:
    ip = ipaddress.ip_address(address)
    return any(ip in network for network in networks)


def client_ip(request: HttpRequest) -> str | None:
    """Return the address of whoever sent the request.

    X-Forwarded-For is read right to left, skipping trusted proxies; the first address that is
    not a trusted proxy is the client. Without a trusted proxy in front, REMOTE_ADDR is the client.
    """
    remote = _valid_ip(request.META.get("REMOTE_ADDR"))
    networks = trusted_networks()
    if remote is None or not _is_trusted(remote, networks):
        return remote
    hops = [hop for hop in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if hop.strip()]
    client = remote
    for hop in reversed(hops):
        address = _valid_ip(hop)
        if address is None:
            # Garbage: nothing left of it can be believed; the last good hop is the client.
            break
        client = address
        if not _is_trusted(address, networks):
            break
    return client


def axes_client_ip(request: Any) -> str | None:
    """django-axes' hook: throttle logins by the same address the webhook records."""
    return client_ip(request)


# django-axes stores the attempted username in a 255-character column: longer input (nothing
# stops a sender typing more into the login form) would fail the insert with a 500.
AXES_USERNAME_MAX_LENGTH = 255


def axes_username(request: Any, credentials: dict[str, Any] | None) -> str | None:
    """django-axes' hook: the username a login attempt is throttled and recorded by."""
    if credentials:
        username = credentials.get("username")
    else:
        username = getattr(request, "POST", {}).get("username")
    return None if username is None else str(username)[:AXES_USERNAME_MAX_LENGTH]
