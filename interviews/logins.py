"""The per-account login ceiling, on top of django-axes' lock of a username-and-address pair.

Axes locks a username from one address after AXES_FAILURE_LIMIT failures, so an attacker with
many addresses gets that many guesses from each. The ceiling bounds the total: once a username
has LOGIN_ACCOUNT_FAILURE_CEILING failures in axes' cool-off window, summed over every address,
logins to it are refused from any address that has not logged in to it successfully before.
Addresses that have (in the last LOGIN_KNOWN_ADDRESS_DAYS) still log in, so the attack does not
lock the owner out.

Callers: Django's `authenticate` (`AccountCeilingBackend`, in AUTHENTICATION_BACKENDS between
axes' backend and ModelBackend), and `InterviewsConfig.ready`, which connects
`known_address_on_login` to `user_logged_in`.
"""

import json
import logging
from datetime import timedelta
from typing import Any

from axes.conf import settings as axes_settings
from axes.helpers import get_cool_off
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import PermissionDenied
from django.db.models import Sum
from django.http import HttpRequest
from django.utils import timezone
from django.utils.crypto import salted_hmac

from interviews.models import KnownLoginAddress
from interviews.proxies import axes_username, client_ip

logger = logging.getLogger(__name__)


def known_address_digest(*, username: str, address: str) -> str:
    """Return the HMAC (under SECRET_KEY) that stands for this username and address."""
    value = json.dumps([username, address])
    return salted_hmac("interviews.logins.known_address", value, algorithm="sha256").hexdigest()


def _known_since() -> Any:
    return timezone.now() - timedelta(days=settings.LOGIN_KNOWN_ADDRESS_DAYS)


def known_address_record(*, username: str, address: str) -> None:
    """Remember that this address logged in as this user; forget addresses past the retention."""
    now = timezone.now()
    KnownLoginAddress.objects.update_or_create(
        digest=known_address_digest(username=username, address=address),
        defaults={"last_login_at": now},
    )
    KnownLoginAddress.objects.filter(last_login_at__lt=_known_since()).delete()


def known_address_exists(*, username: str, address: str) -> bool:
    """Return whether this address logged in as this user within the retention."""
    return KnownLoginAddress.objects.filter(
        digest=known_address_digest(username=username, address=address),
        last_login_at__gte=_known_since(),
    ).exists()


def account_failures(*, request: HttpRequest, username: str) -> int:
    """Return the failed logins to this username in axes' cool-off window, from every address.

    Axes keeps one row per username, address and browser, with its count and its latest failure;
    rows whose latest failure left the window no longer count (axes deletes them soon after).
    """
    since = timezone.now() - get_cool_off(request)
    total = AccessAttempt.objects.filter(username=username, attempt_time__gte=since).aggregate(
        total=Sum("failures_since_start")
    )["total"]
    return total or 0


def ceiling_refuses(*, request: HttpRequest, username: str) -> bool:
    """Return whether the ceiling refuses this login attempt (over the ceiling, unknown address)."""
    if account_failures(request=request, username=username) < (
        settings.LOGIN_ACCOUNT_FAILURE_CEILING
    ):
        return False
    address = client_ip(request)
    return address is None or not known_address_exists(username=username, address=address)


class AccountCeilingBackend:
    """Refuse a login the ceiling refuses, before ModelBackend checks the password.

    It authenticates nobody itself (None lets the next backend try). A refusal is marked as
    axes marks its own lockouts, so axes' middleware answers with the "Logging in is paused"
    page and axes does not count the refused attempt as another failure.
    """

    def authenticate(
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        **kwargs: Any,
    ) -> None:
        if request is None or username is None or not axes_settings.AXES_ENABLED:
            return None
        recorded_username = axes_username(request, {"username": username}) or ""
        if not ceiling_refuses(request=request, username=recorded_username):
            return None
        logger.warning("Login refused: the account is over its failure ceiling (unknown address).")
        request.axes_locked_out = True  # type: ignore[attr-defined]
        request.login_account_ceiling = True  # type: ignore[attr-defined]
        raise PermissionDenied


def known_address_on_login(
    sender: Any, request: HttpRequest | None, user: AbstractBaseUser, **kwargs: Any
) -> None:
    """user_logged_in: remember the address the user just logged in from."""
    address = client_ip(request) if request is not None else None
    if address is not None:
        known_address_record(
            username=axes_username(request, {"username": user.get_username()}) or "",
            address=address,
        )
