"""interviews.proxies: X-Forwarded-For is believed only from TRUSTED_PROXIES."""

from typing import Any

import pytest
from django.test import RequestFactory

from interviews.proxies import axes_client_ip, axes_username, client_ip


def ip_of(remote: str | None, forwarded: str | None = None) -> str | None:
    request = RequestFactory().get("/")
    request.META["REMOTE_ADDR"] = remote
    if forwarded is not None:
        request.META["HTTP_X_FORWARDED_FOR"] = forwarded
    return client_ip(request)


@pytest.fixture(autouse=True)
def proxies(settings: Any) -> None:
    settings.TRUSTED_PROXIES = ["10.0.0.5", "2001:db8::1", "172.16.0.0/12", "not-an-address"]


def test_it_uses_the_remote_address_without_a_forwarded_header():
    assert ip_of("198.51.100.1") == "198.51.100.1"


def test_it_believes_x_forwarded_for_from_a_trusted_proxy():
    assert ip_of("10.0.0.5", "203.0.113.7") == "203.0.113.7"


def test_it_ignores_x_forwarded_for_from_an_untrusted_address():
    assert ip_of("198.51.100.1", "203.0.113.7") == "198.51.100.1"


def test_it_ignores_x_forwarded_for_when_no_proxy_is_trusted(settings: Any):
    settings.TRUSTED_PROXIES = []

    assert ip_of("10.0.0.5", "203.0.113.7") == "10.0.0.5"


def test_it_takes_the_rightmost_untrusted_hop_so_a_client_cannot_spoof_the_left():
    assert ip_of("10.0.0.5", "1.2.3.4, 203.0.113.7, 172.20.0.9") == "203.0.113.7"


def test_it_trusts_proxies_given_as_networks_and_in_any_ipv6_spelling():
    assert ip_of("172.31.255.1", "203.0.113.7") == "203.0.113.7"
    assert ip_of("2001:0db8:0000::0001", "2001:db8::99") == "2001:db8::99"


@pytest.mark.parametrize(
    "forwarded",
    ["", "   ", "garbage", "203.0.113.7; rm -rf /", "999.1.1.1", "fe80::1%eth0", ",,,"],
)
def test_it_falls_back_to_the_proxy_for_a_garbage_forwarded_header(forwarded: str):
    assert ip_of("10.0.0.5", forwarded) == "10.0.0.5"


def test_it_stops_at_garbage_and_believes_only_the_hops_to_its_right():
    assert ip_of("10.0.0.5", "203.0.113.7, junk, 198.51.100.4") == "198.51.100.4"


@pytest.mark.parametrize("remote", [None, "", "unix-socket", "fe80::1%eth0"])
def test_it_answers_none_for_a_remote_address_it_cannot_store(remote: str | None):
    assert ip_of(remote, "203.0.113.7") is None


def test_it_normalises_the_address_it_returns():
    assert ip_of("2001:0DB8:0000:0000:0000:0000:0000:0042") == "2001:db8::42"


def test_axes_throttles_by_the_same_address():
    request = RequestFactory().get("/", REMOTE_ADDR="10.0.0.5", HTTP_X_FORWARDED_FOR="203.0.113.7")

    assert axes_client_ip(request) == "203.0.113.7"


def test_axes_records_a_username_cut_to_its_column():
    request = RequestFactory().post("/accounts/login/", {"username": "u" * 5000})

    assert axes_username(request, {"username": "u" * 5000}) == "u" * 255
    assert axes_username(request, None) == "u" * 255
    assert axes_username(RequestFactory().get("/"), None) is None


@pytest.mark.django_db
def test_a_login_with_an_absurdly_long_username_is_refused_not_a_500(settings: Any):
    from axes.models import AccessAttempt
    from django.test import Client

    settings.SECURE_SSL_REDIRECT = False
    client = Client(enforce_csrf_checks=False)

    response = client.post("/accounts/login/", {"username": "u" * 5000, "password": "wrong"})

    assert response.status_code == 200  # the form again, with its error
    assert AccessAttempt.objects.get().username == "u" * 255
