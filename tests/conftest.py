"""Shared fixtures: the sample deliveries, a webhook client and the standing users.

The standing users, one per role (CONTRACT.md "Roles"): `recruiter` (group Recruiters), `viewer`
(group Viewers), `outsider` (logged in, in no group), `staff` (admin access, no permissions) and
`superuser`. Permission tests reuse them; `recruiter_client` is logged in as the recruiter.
"""

import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import Group, User
from django.core.cache import cache, caches
from django.test import Client

from interviews.roles import RECRUITERS, VIEWERS
from tests.report_server import archive_settings, report_server  # noqa: F401 (fixtures)

PAYLOADS = Path(__file__).resolve().parent.parent / "examples" / "deliveries"
WEBHOOK_URL = "/webhooks/interview-result/"
SECRET = "test-webhook-secret"


def payload_bytes(name: str) -> bytes:
    """Return a sample delivery from examples/deliveries/ exactly as stored."""
    return (PAYLOADS / name).read_bytes()


def payload(name: str) -> dict[str, Any]:
    return json.loads(payload_bytes(name))


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Skip the slow tests on a developer's `make test`; CI and `-m slow` run them."""
    if os.environ.get("CI") or "slow" in (config.getoption("markexpr") or ""):
        return
    skip = pytest.mark.skip(reason="slow: runs in CI, or with -m slow")
    for item in items:
        if item.get_closest_marker("slow"):
            item.add_marker(skip)


@pytest.fixture(autouse=True)
def empty_cache() -> Iterator[None]:
    """Each test starts without cached values (status choices, throttling counts)."""
    cache.clear()
    yield
    cache.clear()


DB_FIXTURES = {
    "db",
    "transactional_db",
    "django_db_reset_sequences",
    "django_db_serialized_rollback",
}


@pytest.fixture(autouse=True)
def empty_shared_cache(request: pytest.FixtureRequest) -> None:
    """Each test with database access starts without API throttling counts.

    They live in the database cache (CACHES["shared"]), which neither a rollback of an earlier
    transactional test nor its flush (the table is no model's) empties.
    """
    if request.node.get_closest_marker("django_db") is None and not (
        DB_FIXTURES & set(request.fixturenames)
    ):
        return
    request.getfixturevalue("django_db_setup")
    with request.getfixturevalue("django_db_blocker").unblock():
        caches["shared"].clear()


def _user(username: str, *, group: str | None = None, **flags: Any) -> User:
    user = User.objects.create_user(username, f"{username}@staff.example", "pw-" + username)
    for flag, value in flags.items():
        setattr(user, flag, value)
    user.save()
    if group:
        user.groups.add(Group.objects.get(name=group))
    return user


@pytest.fixture
def recruiter(db: None) -> User:
    return _user("recruiter", group=RECRUITERS)


@pytest.fixture
def viewer(db: None) -> User:
    return _user("viewer", group=VIEWERS)


@pytest.fixture
def outsider(db: None) -> User:
    """Logged in, in no group, not a superuser: 403 everywhere but the login and logout."""
    return _user("outsider")


@pytest.fixture
def staff(db: None) -> User:
    """Reaches the admin; sees there only what permissions allow (none by default)."""
    return _user("staff", is_staff=True)


@pytest.fixture
def superuser(db: None) -> User:
    return _user("superuser", is_staff=True, is_superuser=True)


@pytest.fixture
def recruiter_client(client: Client, recruiter: User) -> Client:
    client.force_login(recruiter)
    return client


@pytest.fixture
def viewer_client(client: Client, viewer: User) -> Client:
    client.force_login(viewer)
    return client


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
