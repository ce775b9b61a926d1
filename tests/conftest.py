"""Shared fixtures: the sample payloads, a webhook client and the standing users."""

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client

PAYLOADS = Path(__file__).resolve().parent.parent.parent / "shared" / "payloads"
WEBHOOK_URL = "/webhooks/interview-result/"
SECRET = "test-webhook-secret"


def payload_bytes(name: str) -> bytes:
    """Return a sample delivery from ../shared/payloads/ exactly as stored."""
    return (PAYLOADS / name).read_bytes()


def payload(name: str) -> dict[str, Any]:
    return json.loads(payload_bytes(name))


@pytest.fixture(autouse=True)
def empty_cache() -> Iterator[None]:
    """Each test starts without cached values (status choices, throttling counts)."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def webhook_settings(settings: Any) -> None:
    settings.WEBHOOK_SECRETS = [SECRET]
    settings.WEBHOOK_SECRET_HEADER = "Authorization"
    settings.SECURE_SSL_REDIRECT = False


class WebhookClient:
    """Post deliveries as the platform does."""

    def __init__(self, client: Client) -> None:
        self.client = client

    def post(
        self,
        body: bytes | dict | list | str,
        *,
        secret: str | None = SECRET,
        content_type: str = "application/json",
        **extra: Any,
    ) -> Any:
        if isinstance(body, dict | list):
            body = json.dumps(body)
        headers: dict[str, Any] = (
            {"HTTP_AUTHORIZATION": f"Bearer {secret}"} if secret is not None else {}
        )
        return self.client.generic(
            "POST", WEBHOOK_URL, data=body, content_type=content_type, **headers, **extra
        )


@pytest.fixture
def webhook(client: Client) -> WebhookClient:
    return WebhookClient(client)


@pytest.fixture(autouse=True)
def plain_static_storage(settings: Any) -> None:
    # Pages use {% static %}; the manifest storage needs collectstatic, which tests do not run.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
