"""The results admin's "Erase the selected candidates" action and the erasure log."""

from typing import Any

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.auth.models import Permission, User
from django.test import Client

from interviews.models import Delivery, ErasedResult, Erasure, InterviewResult
from tests.conftest import WebhookClient, payload_bytes
from tests.test_privacy import JONAS_ID, MARIA_ID, post_maria

CHANGELIST = "/admin/interviews/interviewresult/"


def grant(user: User, *codenames: str) -> None:
    user.user_permissions.add(*Permission.objects.filter(codename__in=codenames))


@pytest.fixture
def maria_and_jonas(webhook: WebhookClient, db: None) -> None:
    post_maria(webhook)
    webhook.post(payload_bytes("collected.json"))


@pytest.fixture
def eraser(client: Client, staff: User) -> Client:
    grant(staff, "view_interviewresult", "delete_interviewresult")
    client.force_login(staff)
    return client


def post_action(client: Client, *ids: str, **extra: str) -> Any:
    return client.post(
        CHANGELIST, {"action": "erase_selected", ACTION_CHECKBOX_NAME: list(ids), **extra}
    )


@pytest.mark.usefixtures("maria_and_jonas")
def test_it_offers_the_action_to_staff_with_the_permission(eraser: Client):
    response = eraser.get(CHANGELIST)

    assert response.status_code == 200
    assert "Erase the selected candidates" in response.content.decode()


@pytest.mark.usefixtures("maria_and_jonas")
def test_it_asks_for_confirmation_with_what_would_be_removed(eraser: Client):
    response = post_action(eraser, MARIA_ID)

    assert response.status_code == 200
    page = response.content.decode()
    assert "Erase the selected candidates?" in page
    assert "Maria Tamm" in page
    assert "6 interviews.Delivery" in page
    assert 'name="confirm" value="yes"' in page
    assert InterviewResult.objects.filter(pk=MARIA_ID).exists()
    assert Delivery.objects.count() == 7
    assert not Erasure.objects.exists()


@pytest.mark.usefixtures("maria_and_jonas")
def test_it_erases_on_confirmation_through_the_same_service(eraser: Client, staff: User):
    response = post_action(eraser, MARIA_ID, confirm="yes")

    assert response.status_code == 302
    assert not InterviewResult.objects.filter(pk=MARIA_ID).exists()
    assert InterviewResult.objects.filter(pk=JONAS_ID).exists()
    assert ErasedResult.objects.count() == 1
    erasure = Erasure.objects.get()
    assert (erasure.channel, erasure.user, erasure.selector_kind) == ("admin", staff, "result")
    assert erasure.removed["interviews.Delivery"] == 6
    messages = eraser.get(CHANGELIST).content.decode()
    assert "Erased 1 candidate (" in messages
    assert "Maria" not in messages


@pytest.mark.usefixtures("maria_and_jonas")
def test_it_neither_offers_nor_runs_the_action_without_the_permission(client: Client, staff: User):
    grant(staff, "view_interviewresult")
    client.force_login(staff)

    assert "Erase the selected candidates" not in client.get(CHANGELIST).content.decode()
    response = post_action(client, MARIA_ID, confirm="yes")

    assert response.status_code in (200, 302, 403)
    assert InterviewResult.objects.filter(pk=MARIA_ID).exists()
    assert not Erasure.objects.exists()


@pytest.mark.usefixtures("maria_and_jonas")
def test_it_answers_403_when_called_without_the_permission(rf: Any, staff: User):
    from django.contrib import admin
    from django.core.exceptions import PermissionDenied

    grant(staff, "view_interviewresult")
    request = rf.post(CHANGELIST)
    request.user = staff
    model_admin = admin.site._registry[InterviewResult]

    with pytest.raises(PermissionDenied):
        model_admin.erase_selected(request, InterviewResult.objects.all())  # type: ignore[attr-defined]


@pytest.mark.usefixtures("maria_and_jonas")
def test_the_erasure_log_shows_no_personal_data(client: Client, superuser: User):
    client.force_login(superuser)
    post_action(client, MARIA_ID, confirm="yes")

    response = client.get("/admin/interviews/erasure/")

    assert response.status_code == 200
    page = response.content.decode()
    assert "superuser" in page
    assert "Maria" not in page and MARIA_ID not in page
