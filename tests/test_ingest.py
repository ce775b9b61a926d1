"""interviews.ingest: upsert by id, duplicates, re-sends, backward moves and late retries."""

import json
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from interviews.ingest import (
    Receipt,
    delivery_apply,
    delivery_receive,
    delivery_reject,
    delivery_replay,
)
from interviews.models import Delivery, Event, Interview, InterviewResult
from tests.conftest import payload, payload_bytes

pytestmark = pytest.mark.django_db

START = timezone.now() - timedelta(days=1)


def receive(body: bytes | dict[str, Any], *, minutes: int = 0) -> Receipt:
    """Receive a body as the webhook does, `minutes` after START."""
    if isinstance(body, dict):
        body = json.dumps(body).encode()
    return delivery_receive(
        body=body,
        headers={"User-Agent": "test"},
        source_ip="203.0.113.7",
        received_at=START + timedelta(minutes=minutes),
    )


def the_result() -> InterviewResult:
    return InterviewResult.objects.get()


def test_it_creates_a_result_and_its_interview_from_a_first_delivery():
    receipt = receive(payload_bytes("submitted.json"))

    assert receipt.outcome == Delivery.Outcome.CREATED
    assert receipt.result_id == payload("submitted.json")["id"]
    result = the_result()
    assert result.interview == Interview.objects.get(pk=payload("submitted.json")["interview_id"])
    assert result.first_received_at == result.last_received_at == START
    assert result.current_delivery == receipt.delivery
    assert result.record_hash == receipt.delivery.record_hash != ""
    assert receipt.delivery.changes == []
    assert receipt.delivery.headers == {"User-Agent": "test"}
    assert receipt.delivery.source_ip == "203.0.113.7"


def variants_of_submitted() -> list[Any]:
    record = payload("submitted.json")
    return [
        pytest.param(payload_bytes("submitted.json"), id="same-body"),
        pytest.param(dict(sorted(record.items(), reverse=True)), id="keys-reordered"),
        pytest.param({"type": "UPDATE", "record": record, "old_record": {}}, id="enveloped"),
        pytest.param(
            {key: value for key, value in record.items() if value is not None}, id="nulls-absent"
        ),
        pytest.param({**record, "candidate_name": record["candidate_name"]}, id="re-serialised"),
    ]


@pytest.mark.parametrize("again", variants_of_submitted())
def test_it_answers_duplicate_for_the_same_record_however_it_is_sent(again: Any):
    first = receive(payload_bytes("submitted.json"))

    receipt = receive(again, minutes=5)

    assert receipt.outcome == Delivery.Outcome.DUPLICATE
    result = the_result()
    assert result.last_received_at == START + timedelta(minutes=5)
    assert result.first_received_at == START
    assert result.current_delivery == first.delivery
    assert receipt.delivery.result == result
    assert receipt.delivery.changes == []
    assert Delivery.objects.count() == 2


def test_it_does_not_move_the_latest_delivery_time_backwards():
    receive(payload_bytes("submitted.json"), minutes=10)

    receive(payload_bytes("submitted.json"), minutes=1)

    assert the_result().last_received_at == START + timedelta(minutes=10)


def test_it_applies_a_resend_and_records_what_changed():
    receive(payload_bytes("submitted.json"))

    receipt = receive(payload_bytes("resend-decision.json"), minutes=5)

    assert receipt.outcome == Delivery.Outcome.UPDATED
    assert receipt.delivery.late_retry is False
    assert receipt.delivery.changes == [
        {"field": "recruiter_go_next_round", "old": None, "new": True},
        {"field": "reason", "old": "status,processing_status", "new": "recruiter_go_next_round"},
    ]
    result = the_result()
    assert result.recruiter_go_next_round is True
    assert result.current_delivery == receipt.delivery
    assert result.last_received_at == START + timedelta(minutes=5)


def test_it_applies_a_retake_reset_after_a_submission():
    receive(payload_bytes("submitted.json"))
    receive(payload_bytes("resend-decision.json"), minutes=1)

    receipt = receive(payload_bytes("retake-reset.json"), minutes=2)

    assert receipt.outcome == Delivery.Outcome.UPDATED
    result = the_result()
    assert result.event == Event.FAILED
    assert result.reset_for_retake is True
    assert result.recruiter_go_next_round is None
    changed = {change["field"]: change for change in receipt.delivery.changes}
    assert changed["status"] == {"field": "status", "old": "active", "new": "draft"}
    assert changed["interview_status"]["new"] == "failed"
    assert changed["recruiter_go_next_round"] == {
        "field": "recruiter_go_next_round",
        "old": True,
        "new": None,
    }


def test_it_does_not_call_a_result_that_was_never_submitted_reset():
    receive(payload_bytes("collected.json"))

    receive({**payload("collected.json"), "interview_status": "failed"}, minutes=1)

    assert the_result().event == Event.FAILED
    assert the_result().reset_for_retake is False


def test_it_applies_a_record_equal_to_a_superseded_one_as_a_possible_late_retry():
    receive(payload_bytes("submitted.json"))
    receive(payload_bytes("resend-decision.json"), minutes=1)

    receipt = receive(payload_bytes("submitted.json"), minutes=2)

    assert receipt.outcome == Delivery.Outcome.UPDATED
    assert receipt.delivery.late_retry is True
    assert receipt.delivery.changes[0] == {
        "field": "recruiter_go_next_round",
        "old": True,
        "new": None,
    }
    result = the_result()
    assert result.recruiter_go_next_round is None
    assert result.record_hash == Delivery.objects.order_by("pk").first().record_hash  # type: ignore[union-attr]
    assert result.current_delivery == receipt.delivery


def test_it_clears_a_field_that_a_later_snapshot_leaves_out():
    receive(payload_bytes("submitted.json"))
    record = {key: value for key, value in payload("submitted.json").items() if key != "score"}

    receipt = receive(record, minutes=1)

    assert receipt.outcome == Delivery.Outcome.UPDATED
    assert the_result().score is None
    assert {"field": "score", "old": 5.12, "new": None} in receipt.delivery.changes


def test_it_records_changes_of_uuid_and_datetime_fields_as_json():
    receive(payload_bytes("legacy-envelope.json"))
    envelope = payload("legacy-envelope.json")
    record = {
        **envelope["record"],
        "pdf_export_valid_until": "2026-12-07T00:00:00+00:00",
        "profile_interview_id": "00000000-0000-4000-8000-000000000000",
    }

    receipt = receive({**envelope, "record": record}, minutes=1)

    changed = {change["field"]: change for change in receipt.delivery.changes}
    assert changed["pdf_export_valid_until"]["new"] == "2026-12-07T00:00:00+00:00"
    assert changed["profile_interview_id"] == {
        "field": "profile_interview_id",
        "old": "e2fb41a9-064e-4666-b605-b6eb2eba88b3",
        "new": "00000000-0000-4000-8000-000000000000",
    }


def test_it_stores_a_rejected_delivery_without_touching_results():
    receipt = receive(payload_bytes("bad-score-type.json"))

    assert receipt.outcome == Delivery.Outcome.REJECTED
    assert receipt.result_id is None
    assert receipt.delivery.error == {"score": ["Must be a JSON number."]}
    assert not InterviewResult.objects.exists()


def test_it_records_a_refused_oversized_body_by_size_and_head():
    delivery = delivery_reject(
        body=b"x" * 1024, size=10_000, errors={"body": ["Too large."]}, headers={}, source_ip=None
    )

    delivery.refresh_from_db()
    assert delivery.body_size == 10_000
    assert delivery.body_truncated is True
    assert delivery.outcome == Delivery.Outcome.REJECTED


def test_it_refuses_to_apply_an_oversized_delivery_and_replay_skips_it():
    delivery = delivery_reject(
        body=b"{", size=10_000, errors={"body": ["Too large."]}, headers={}, source_ip=None
    )

    with pytest.raises(ValueError, match="oversized"):
        delivery_apply(delivery=delivery)
    assert delivery_replay(delivery=delivery) == "skipped"
    delivery.refresh_from_db()
    assert delivery.replayed_at is None


def test_it_replays_a_stored_delivery_through_the_same_path():
    rejected = receive({**payload("submitted.json"), "score": "5.12"}).delivery
    Delivery.objects.filter(pk=rejected.pk).update(body=payload_bytes("submitted.json"))
    rejected.refresh_from_db()

    outcome = delivery_replay(delivery=rejected)

    rejected.refresh_from_db()
    assert outcome == rejected.outcome == Delivery.Outcome.CREATED
    assert rejected.replayed_at is not None
    assert the_result().current_delivery == rejected


def test_replay_skips_a_delivery_that_was_applied_and_keeps_its_history():
    receive({**payload("submitted.json"), "score": 1.0})
    second = receive({**payload("submitted.json"), "score": 2.0}, minutes=1).delivery
    receive({**payload("submitted.json"), "score": 3.0}, minutes=2)

    assert delivery_replay(delivery=second) == "skipped"

    second.refresh_from_db()
    assert second.changes == [{"field": "score", "old": 1.0, "new": 2.0}]
    assert second.replayed_at is None
    assert the_result().score == 3.0


def test_a_replayed_delivery_never_rolls_back_a_later_state():
    rejected = receive({**payload("submitted.json"), "score": "1.0"}).delivery
    receive({**payload("submitted.json"), "score": 3.0}, minutes=2)
    Delivery.objects.filter(pk=rejected.pk).update(
        body=json.dumps({**payload("submitted.json"), "score": 1.0}).encode()
    )
    rejected.refresh_from_db()

    outcome = delivery_replay(delivery=rejected)

    rejected.refresh_from_db()
    assert outcome == rejected.outcome == Delivery.Outcome.IGNORED
    assert rejected.late_retry
    assert rejected.result == the_result()
    assert the_result().score == 3.0


def test_it_keeps_the_first_received_time_of_a_result():
    receive(payload_bytes("collected.json"), minutes=3)

    receive({**payload("collected.json"), "processing_status": "completed"}, minutes=9)

    result = the_result()
    assert result.first_received_at == START + timedelta(minutes=3)
    assert result.last_received_at == START + timedelta(minutes=9)


def test_an_archived_result_is_not_reset_for_a_retake(webhook):
    webhook.post(payload_bytes("submitted.json"))
    webhook.post({**payload("submitted.json"), "status": "archived"})

    result = InterviewResult.objects.get()
    assert result.was_submitted
    assert not result.reset_for_retake


def test_a_resend_with_its_ids_in_upper_case_is_a_duplicate():
    receive(payload_bytes("submitted.json"))
    shouting = {
        key: value.upper() if key in ("id", "interview_id", "profile_id") else value
        for key, value in payload("submitted.json").items()
    }

    assert receive(shouting, minutes=1).outcome == Delivery.Outcome.DUPLICATE
