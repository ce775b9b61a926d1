"""No personal data and no secret reaches the logs: every log record of a representative run
(every sample delivery, good and bad, the recruiter's pages, the API, the CSV export, the admin,
failed logins and an erasure) is captured at DEBUG and searched."""

import json
import logging
import traceback
from collections.abc import Iterator
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client

from interviews.privacy import candidate_erase, selector_make
from tests.conftest import PAYLOADS, SECRET, WebhookClient, payload_bytes

LOGIN_PASSWORD_TRIED = "Tr0ub4dor&3-wrong"
PERSON_FIELDS = ("candidate_name", "candidate_email", "candidate_phone_number")


class Capture(logging.Handler):
    def __init__(self) -> None:
        super().__init__(level=logging.DEBUG)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@pytest.fixture
def captured() -> Iterator[Capture]:
    """Every record at DEBUG: the root logger and Django's own (INFO by default) opened up, as
    an operator chasing a problem with LOG_LEVEL=DEBUG might. Loggers the settings pin (because
    they would log personal data at DEBUG) keep their level."""
    handler = Capture()
    root, django_logger = logging.getLogger(), logging.getLogger("django")
    levels = (root.level, django_logger.level)
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    django_logger.setLevel(logging.DEBUG)
    yield handler
    root.removeHandler(handler)
    root.setLevel(levels[0])
    django_logger.setLevel(levels[1])


def rendered(record: logging.LogRecord) -> str:
    """Return what any handler could write: the message, its traceback, and the plain values
    of `extra` (structured handlers write those too)."""
    parts = [record.getMessage(), record.name]
    if record.exc_info:
        parts.append("".join(traceback.format_exception(*record.exc_info)))
    if record.stack_info:
        parts.append(record.stack_info)
    standard = logging.makeLogRecord({}).__dict__.keys()
    parts += [
        str(value)
        for key, value in record.__dict__.items()
        if key not in standard and isinstance(value, str | int | float | dict | list)
    ]
    return "\n".join(parts)


def personal_values() -> set[str]:
    """Every candidate name, e-mail and phone number in the sample deliveries."""
    found: set[str] = set()

    def walk(value: Any) -> None:
        if isinstance(value, dict):
            for key, item in value.items():
                if key in PERSON_FIELDS and isinstance(item, str) and item:
                    found.add(item)
                walk(item)
        elif isinstance(value, list):
            for item in value:
                walk(item)

    for path in PAYLOADS.iterdir():
        try:
            walk(json.loads(path.read_bytes()))
        except ValueError:
            continue
    return found


@pytest.mark.django_db
def test_no_log_record_holds_personal_data_or_a_secret(
    captured: Capture, recruiter: User, superuser: User
):
    webhook = WebhookClient(Client())
    samples = sorted(path.name for path in PAYLOADS.iterdir() if path.suffix in {".json", ".txt"})
    assert len(samples) >= 10
    for name in samples:
        status = webhook.post(payload_bytes(name)).status_code
        assert status in (200, 400), name
    webhook.post(payload_bytes("submitted.json"), secret="wrong-" + SECRET)
    webhook.post(payload_bytes("submitted.json"), content_type="text/plain")

    recruiter_client = Client()
    recruiter_client.force_login(recruiter)
    result_id = "912ff898-2e65-4a31-8ff5-d3c59005eb97"
    for url, params in [
        ("/results/", {}),
        ("/results/", {"q": "maria.tamm@example.com"}),
        ("/results/", {"q": "Maria Tamm", "score_min": "not-a-number"}),
        (f"/results/{result_id}/", {}),
        ("/api/results/", {"q": "Maria"}),
        (f"/api/results/{result_id}/", {}),
        ("/api/results/", {"format": "csv", "q": "maria"}),
        ("/api/results/", {"score_min": "+372 5550 1234"}),
    ]:
        response = recruiter_client.get(url, params)
        assert response.status_code in (200, 400), url
        if response.streaming:
            b"".join(response.streaming_content)  # type: ignore[attr-defined]
    csv = recruiter_client.get("/results/export.csv", {"q": "Maria Tamm"})
    b"".join(csv.streaming_content)  # type: ignore[attr-defined]

    admin_client = Client()
    admin_client.force_login(superuser)
    assert (
        admin_client.get(f"/admin/interviews/interviewresult/{result_id}/change/").status_code
        == 200
    )
    assert admin_client.get("/admin/interviews/delivery/").status_code == 200

    for username in ["recruiter", "maria.tamm@example.com"]:
        response = Client().post(
            "/accounts/login/", {"username": username, "password": LOGIN_PASSWORD_TRIED}
        )
        assert response.status_code in (200, 403, 429)

    candidate_erase(selector=selector_make(kind="email", value="maria.tamm@example.com"))
    webhook.post(payload_bytes("resend-decision.json"))

    assert captured.records, "the run logged nothing: the capture is broken"
    forbidden = personal_values() | {SECRET, LOGIN_PASSWORD_TRIED, "pw-recruiter"}
    assert "maria.tamm@example.com" in forbidden
    leaks = [
        (record.name, value)
        for record in captured.records
        for value in forbidden
        if value.lower() in rendered(record).lower()
    ]
    assert leaks == []
