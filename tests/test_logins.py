"""Logging in: argon2 with old hashes upgraded, axes' pair lock, and the per-account ceiling
across addresses that does not lock the owner out (interviews/logins.py)."""

from datetime import timedelta
from typing import Any

import pytest
from axes.models import AccessAttempt
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import User
from django.db.models import Sum
from django.test import Client
from django.utils import timezone

from interviews.logins import known_address_digest
from interviews.models import KnownLoginAddress
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery staple"
HOME = "198.51.100.7"  # where the owner logs in from
NEW_PLACE = "192.0.2.200"  # never used by anyone before


def attacker(n: int) -> str:
    return f"203.0.113.{n}"


def log_in(username: str, password: str, address: str) -> tuple[Any, Client]:
    client = Client()
    response = client.post(
        "/accounts/login/", {"username": username, "password": password}, REMOTE_ADDR=address
    )
    return response, client


def logged_in(client: Client) -> bool:
    return "_auth_user_id" in client.session


def recorded_failures(username: str) -> int:
    total = AccessAttempt.objects.filter(username=username).aggregate(
        total=Sum("failures_since_start")
    )["total"]
    return total or 0


@pytest.fixture
def fast_hashing(settings: Any) -> None:
    """A cheap hasher where a test makes dozens of guesses: the throttling is under test here,
    not argon2 (tested on its own below), which costs half a second a guess on a busy machine."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def owner(fast_hashing: None) -> User:
    user = UserFactory.create(username="alice", password=PASSWORD)
    response, client = log_in("alice", PASSWORD, HOME)
    assert response.status_code == 302 and logged_in(client)
    return user


# --- argon2 ---------------------------------------------------------------------------------


def test_it_upgrades_an_old_hash_to_argon2_on_login() -> None:
    user = UserFactory.create(username="maria")
    user.password = make_password(PASSWORD, hasher="pbkdf2_sha256")
    user.save()

    response, client = log_in("maria", PASSWORD, HOME)

    assert response.status_code == 302
    assert logged_in(client)
    user.refresh_from_db()
    assert user.password.startswith("argon2$")
    assert user.check_password(PASSWORD)


def test_new_passwords_are_hashed_with_argon2() -> None:
    assert UserFactory.create(password=PASSWORD).password.startswith("argon2$")


# --- Known addresses ------------------------------------------------------------------------


def test_it_remembers_a_login_address_as_an_hmac_only(owner: User) -> None:
    (row,) = KnownLoginAddress.objects.all()

    assert row.digest == known_address_digest(username="alice", address=HOME)
    assert "alice" not in row.digest and HOME not in row.digest
    assert row.digest != known_address_digest(username="alice", address=NEW_PLACE)
    assert row.digest != known_address_digest(username="bob", address=HOME)


def test_a_failed_login_remembers_nothing() -> None:
    UserFactory.create(username="alice", password=PASSWORD)

    log_in("alice", "wrong", HOME)

    assert not KnownLoginAddress.objects.exists()


def test_it_forgets_addresses_unused_for_180_days(owner: User) -> None:
    KnownLoginAddress.objects.update(last_login_at=timezone.now() - timedelta(days=181))

    log_in("alice", PASSWORD, NEW_PLACE)

    (row,) = KnownLoginAddress.objects.all()
    assert row.digest == known_address_digest(username="alice", address=NEW_PLACE)


# --- The pair lock --------------------------------------------------------------------------


def test_the_pair_lock_leaves_other_addresses_alone(owner: User) -> None:
    for _ in range(5):
        log_in("alice", "wrong", attacker(1))

    response, client = log_in("alice", PASSWORD, attacker(1))
    assert response.status_code == 429 and not logged_in(client)
    assert "from your network" in response.content.decode()

    response, client = log_in("alice", PASSWORD, NEW_PLACE)
    assert response.status_code == 302 and logged_in(client)


# --- The per-account ceiling ----------------------------------------------------------------


def test_an_attack_from_30_addresses_does_not_lock_the_owner_out(owner: User) -> None:
    # Two guesses from each of 30 addresses: under the pair lock (5), over the ceiling (50).
    answers = []
    for n in range(1, 31):
        for _ in range(2):
            response, client = log_in("alice", "guess", attacker(n))
            answers.append(response.status_code)
            assert not logged_in(client)

    assert answers[:50] == [200] * 50  # the login form again, with its error
    assert answers[50:] == [429] * 10  # refused without checking the password
    # Axes counts the refused guesses too, so the ceiling holds while the attack goes on.
    assert recorded_failures("alice") == 60

    # Even the right password is refused from an address that never logged in as alice ...
    response, client = log_in("alice", PASSWORD, NEW_PLACE)
    assert response.status_code == 429 and not logged_in(client)
    content = response.content.decode()
    assert "Logging in is paused" in content and "from many networks" in content

    # ... while alice logs in from home, as often as she likes.
    for _ in range(2):
        response, client = log_in("alice", PASSWORD, HOME)
        assert response.status_code == 302 and logged_in(client)

    # Her logins do not lift the ceiling for everyone else.
    response, client = log_in("alice", PASSWORD, NEW_PLACE)
    assert response.status_code == 429 and not logged_in(client)


@pytest.fixture
def small_ceiling(settings: Any) -> int:
    settings.LOGIN_ACCOUNT_FAILURE_CEILING = 3
    return 3


def test_under_the_ceiling_a_new_address_logs_in(owner: User, small_ceiling: int) -> None:
    for n in range(1, small_ceiling):
        log_in("alice", "guess", attacker(n))

    response, client = log_in("alice", PASSWORD, NEW_PLACE)

    assert response.status_code == 302 and logged_in(client)


def test_the_ceiling_counts_one_account_only(owner: User, small_ceiling: int) -> None:
    UserFactory.create(username="bob", password=PASSWORD)
    for n in range(1, small_ceiling + 1):
        log_in("alice", "guess", attacker(n))

    response, client = log_in("bob", PASSWORD, NEW_PLACE)

    assert response.status_code == 302 and logged_in(client)


def test_the_ceiling_lifts_when_the_failures_age_out(owner: User, small_ceiling: int) -> None:
    for n in range(1, small_ceiling + 1):
        log_in("alice", "guess", attacker(n))
    assert log_in("alice", PASSWORD, NEW_PLACE)[0].status_code == 429

    AccessAttempt.objects.update(attempt_time=timezone.now() - timedelta(minutes=61))

    response, client = log_in("alice", PASSWORD, NEW_PLACE)
    assert response.status_code == 302 and logged_in(client)


def test_a_known_address_past_its_retention_is_refused(owner: User, small_ceiling: int) -> None:
    for n in range(1, small_ceiling + 1):
        log_in("alice", "guess", attacker(n))
    KnownLoginAddress.objects.update(last_login_at=timezone.now() - timedelta(days=181))

    response, client = log_in("alice", PASSWORD, HOME)

    assert response.status_code == 429 and not logged_in(client)


def test_a_known_address_of_another_user_does_not_count(owner: User, small_ceiling: int) -> None:
    UserFactory.create(username="bob", password=PASSWORD)
    assert log_in("bob", PASSWORD, NEW_PLACE)[0].status_code == 302
    for n in range(1, small_ceiling + 1):
        log_in("alice", "guess", attacker(n))

    response, client = log_in("alice", PASSWORD, NEW_PLACE)

    assert response.status_code == 429 and not logged_in(client)


def test_the_ceiling_also_guards_the_admin_login(owner: User, small_ceiling: int) -> None:
    owner.is_staff = True
    owner.save()
    for n in range(1, small_ceiling + 1):
        log_in("alice", "guess", attacker(n))

    client = Client()
    response = client.post(
        "/admin/login/?next=/admin/",
        {"username": "alice", "password": PASSWORD},
        REMOTE_ADDR=NEW_PLACE,
    )

    assert response.status_code == 429 and not logged_in(client)
