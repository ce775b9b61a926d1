"""API rate limits (interviews/throttling.py): anonymous and failed-authentication requests per
address, authenticated ones per user, both counted in the shared database cache."""

from typing import Any

import pytest
from django.conf import settings
from django.contrib.auth.models import User
from django.core.cache import caches
from django.db import connection
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from interviews.throttling import AnonThrottle, UserThrottle
from tests.conftest import WebhookClient

pytestmark = pytest.mark.django_db
URL = "/api/results/"


@pytest.fixture
def low_rates(monkeypatch: pytest.MonkeyPatch) -> None:
    rates = {"anon": "3/min", "user": "2/min"}
    monkeypatch.setattr(AnonThrottle, "THROTTLE_RATES", rates)
    monkeypatch.setattr(UserThrottle, "THROTTLE_RATES", rates)


def token_of(user: User) -> str:
    return f"Token {Token.objects.create(user=user).key}"


def statuses(client: APIClient, n: int, **extra: Any) -> list[int]:
    return [client.get(URL, **extra).status_code for _ in range(n)]


def test_the_default_rates_are_the_contracts() -> None:
    assert settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"] == {
        "anon": "60/min",
        "user": "600/min",
    }


def test_anonymous_requests_are_throttled_per_address(low_rates: None) -> None:
    client = APIClient()

    assert statuses(client, 4) == [401, 401, 401, 429]

    response = client.get(URL)
    assert response.status_code == 429
    assert response["Content-Type"] == "application/json"
    assert "throttled" in response.json()["detail"].lower()
    assert 0 < int(response["Retry-After"]) <= 60
    # Another address has its own count.
    assert client.get(URL, REMOTE_ADDR="192.0.2.9").status_code == 401


def test_failed_authentication_is_throttled_like_anonymous(low_rates: None) -> None:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Token not-a-real-token")

    assert statuses(client, 4) == [401, 401, 401, 429]


def test_guessing_tokens_and_going_anonymous_share_one_count(low_rates: None) -> None:
    guesser = APIClient()
    guesser.credentials(HTTP_AUTHORIZATION="Token guess")

    assert statuses(guesser, 2) + statuses(APIClient(), 2) == [401, 401, 401, 429]


def test_a_valid_token_from_a_throttled_address_still_works(
    low_rates: None, recruiter: User
) -> None:
    statuses(APIClient(), 4)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=token_of(recruiter))

    assert client.get(URL).status_code == 200


def test_behind_a_trusted_proxy_each_client_address_counts_apart(
    low_rates: None, settings: Any
) -> None:
    settings.TRUSTED_PROXIES = ["10.0.0.1"]
    client = APIClient(REMOTE_ADDR="10.0.0.1")

    first = statuses(client, 4, HTTP_X_FORWARDED_FOR="203.0.113.5")
    second = statuses(client, 1, HTTP_X_FORWARDED_FOR="203.0.113.6")

    assert (first, second) == ([401, 401, 401, 429], [401])


def test_authenticated_requests_are_throttled_per_user(
    low_rates: None, recruiter: User, viewer: User
) -> None:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=token_of(recruiter))
    other = APIClient()
    other.credentials(HTTP_AUTHORIZATION=token_of(viewer))

    assert statuses(client, 3) == [200, 200, 429]
    assert other.get(URL).status_code == 200


def test_counts_live_in_the_shared_database_cache(low_rates: None) -> None:
    statuses(APIClient(), 4)

    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM interviews_shared_cache")
        assert cursor.fetchone()[0] >= 1
    # What every worker sees: clearing the shared cache gives the address its requests back.
    caches["shared"].clear()
    assert APIClient().get(URL).status_code == 401


def test_the_webhook_is_never_throttled(low_rates: None, client: Any) -> None:
    webhook = WebhookClient(client)

    assert {webhook.post(b"{}", secret="wrong").status_code for _ in range(5)} == {401}
