"""The management commands: replay_deliveries, seed_demo and demo_setup."""

import json
import logging
import sys
from datetime import timedelta
from io import StringIO
from typing import Any
from unittest import mock

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.utils import timezone

from interviews.models import Delivery, Event, InterviewResult
from interviews.payloads import PayloadError
from tests.conftest import SECRET, WebhookClient, payload, payload_bytes

pytestmark = pytest.mark.django_db


def run(*args: str, **options: Any) -> str:
    out = StringIO()
    call_command(*args, stdout=out, **options)
    return out.getvalue()


# --- replay_deliveries ----------------------------------------------------------------------


def test_replay_applies_a_delivery_refused_for_its_content_type(webhook: WebhookClient):
    webhook.post(payload_bytes("submitted.json"), content_type="text/plain")
    delivery = Delivery.objects.get()
    assert delivery.outcome == Delivery.Outcome.REJECTED

    output = run("replay_deliveries", "--rejected")

    delivery.refresh_from_db()
    assert delivery.outcome == Delivery.Outcome.CREATED
    assert delivery.error is None
    assert delivery.replayed_at is not None
    assert InterviewResult.objects.get().current_delivery == delivery
    assert f"delivery {delivery.pk}: created" in output
    assert "Replayed 1: 1 created." in output


def test_replay_by_id_applies_a_delivery_rejected_by_a_rule_since_relaxed(
    webhook: WebhookClient,
):
    stricter = PayloadError({"score": ["Must be at most 5."]})
    with mock.patch("interviews.ingest.parse_delivery", side_effect=stricter):
        assert webhook.post(payload_bytes("submitted.json")).status_code == 400
    webhook.post(payload_bytes("bad-score-type.json"))
    fixed, still_bad = Delivery.objects.order_by("pk")

    run("replay_deliveries", f"--ids={fixed.pk}")

    fixed.refresh_from_db()
    still_bad.refresh_from_db()
    assert fixed.outcome == Delivery.Outcome.CREATED
    assert still_bad.outcome == Delivery.Outcome.REJECTED
    assert still_bad.replayed_at is None


def test_replay_since_takes_only_deliveries_received_from_then_on(webhook: WebhookClient):
    webhook.post(payload_bytes("collected.json"), content_type="text/plain")
    webhook.post(payload_bytes("submitted.json"), content_type="text/plain")
    old, new = Delivery.objects.order_by("pk")
    Delivery.objects.filter(pk=old.pk).update(received_at=timezone.now() - timedelta(days=3))
    since = (timezone.now() - timedelta(days=1)).isoformat()

    run("replay_deliveries", "--rejected", "--since", since)

    old.refresh_from_db()
    new.refresh_from_db()
    assert old.outcome == Delivery.Outcome.REJECTED
    assert new.outcome == Delivery.Outcome.CREATED


def test_replay_skips_an_oversized_delivery(webhook: WebhookClient, settings: Any):
    settings.WEBHOOK_MAX_BODY_BYTES = 100
    webhook.post(payload_bytes("submitted.json"))

    output = run("replay_deliveries", "--rejected")

    delivery = Delivery.objects.get()
    assert delivery.outcome == Delivery.Outcome.REJECTED
    assert delivery.body_truncated is True
    assert "1 skipped" in output


def test_replay_reports_a_delivery_that_is_still_bad(webhook: WebhookClient):
    webhook.post(payload_bytes("bad-score-type.json"))

    output = run("replay_deliveries", "--rejected")

    assert "1 rejected" in output
    assert Delivery.objects.get().error == {"score": ["Must be a JSON number."]}


@pytest.mark.parametrize(
    "args",
    [
        [],
        ["--ids", "1,two"],
        ["--ids", "1;2"],
        ["--since", "yesterday"],
        ["--since", "2026-13-01T00:00:00"],
    ],
)
def test_replay_refuses_missing_or_garbage_arguments(args: list[str]):
    with pytest.raises(CommandError):
        run("replay_deliveries", *args)


# --- seed_demo ------------------------------------------------------------------------------


def test_seed_demo_loads_every_kind_of_result_through_the_ingest_path():
    output = run("seed_demo", "--count", "12")

    results = InterviewResult.objects.all()
    assert results.count() == 12
    assert "Loaded 12 demo results" in output
    assert {Event.SUBMITTED, Event.COLLECTED, Event.FAILED} <= set(
        results.values_list("event", flat=True)
    )
    assert any(result.reset_for_retake for result in results)
    assert results.filter(event=Event.SUBMITTED, score__isnull=True).exists()
    assert results.filter(recruiter_go_next_round__isnull=False).exists()
    assert results.filter(candidate_name__isnull=True, candidate_email__isnull=True).exists()
    assert results.filter(candidate_name__isnull=False).exists()
    assert not Delivery.objects.filter(outcome=Delivery.Outcome.REJECTED).exists()
    assert all(result.current_delivery_id for result in results)


def test_seed_demo_sends_some_reasons_as_one_string_and_they_are_split():
    run("seed_demo", "--count", "5")

    as_text = [
        delivery
        for delivery in Delivery.objects.select_related("result")
        if isinstance(json.loads(bytes(delivery.body)).get("ai_analysis_recruiter_why_hire"), str)
    ]
    assert as_text
    for delivery in as_text:
        assert delivery.result is not None
        reasons = delivery.result.ai_analysis_recruiter_why_hire
        assert isinstance(reasons, list) and reasons


def test_seed_demo_is_repeatable_for_a_seed():
    run("seed_demo", "--count", "6", "--seed", "3")
    first = sorted(InterviewResult.objects.values_list("id", "record_hash"))
    InterviewResult.objects.all().delete()
    Delivery.objects.all().delete()

    run("seed_demo", "--count", "6", "--seed", "3")

    assert sorted(InterviewResult.objects.values_list("id", "record_hash")) == first


def test_seed_demo_prints_one_summary_line_and_no_ingest_line_per_delivery(
    caplog: pytest.LogCaptureFixture, capsys: pytest.CaptureFixture[str], webhook: WebhookClient
):
    caplog.set_level(logging.INFO, logger="interviews.ingest")

    output = run("seed_demo", "--count", "5")

    sent = Delivery.objects.count()
    assert output.splitlines() == [f"Loaded 5 demo results ({sent} deliveries)."]
    assert not [r for r in caplog.records if r.name == "interviews.ingest"]
    assert capsys.readouterr().err == ""  # not a terminal: no progress bar either
    # Quiet only while loading: a running server still logs one line per delivery.
    webhook.post(payload_bytes("submitted.json"))
    assert [r.name for r in caplog.records] == ["interviews.ingest"]


def test_seed_demo_draws_a_progress_bar_on_a_terminal(monkeypatch: pytest.MonkeyPatch):
    class Terminal(StringIO):
        def isatty(self) -> bool:
            return True

    terminal = Terminal()
    monkeypatch.setattr(sys, "stderr", terminal)

    run("seed_demo", "--count", "3")

    assert "Loading demo results" in terminal.getvalue()
    assert "0/3" in terminal.getvalue()  # redrawn at most ten times a second


def test_seed_demo_if_empty_leaves_existing_results_alone(webhook: WebhookClient):
    webhook.post(payload_bytes("submitted.json"))

    output = run("seed_demo", "--count", "5", "--if-empty")

    assert InterviewResult.objects.count() == 1
    assert "no demo data loaded" in output


# --- demo_setup -----------------------------------------------------------------------------


def test_demo_setup_creates_the_recruiter_loads_data_and_prints_the_secret(
    monkeypatch: pytest.MonkeyPatch,
):
    monkeypatch.setenv("DEMO_PASSWORD", "demo-pass-123")

    output = run("demo_setup", "--count", "5")

    user = get_user_model().objects.get(username="recruiter")
    assert user.check_password("demo-pass-123")
    assert user.is_staff
    assert InterviewResult.objects.count() == 5
    assert "recruiter / demo-pass-123" in output
    assert f"Webhook secret:  {SECRET}" in output
    assert f"Authorization: Bearer {SECRET}" in output


def test_demo_setup_again_keeps_the_data_and_resets_the_password(
    monkeypatch: pytest.MonkeyPatch,
):
    monkeypatch.setenv("DEMO_PASSWORD", "first-pass-123")
    run("demo_setup", "--count", "3")
    monkeypatch.setenv("DEMO_PASSWORD", "second-pass-456")

    run("demo_setup", "--count", "3")

    assert InterviewResult.objects.count() == 3
    assert get_user_model().objects.get(username="recruiter").check_password("second-pass-456")


def test_demo_setup_prints_a_custom_header_as_the_whole_secret(
    monkeypatch: pytest.MonkeyPatch, settings: Any
):
    monkeypatch.setenv("DEMO_PASSWORD", "demo-pass-123")
    settings.WEBHOOK_SECRET_HEADER = "X-Webhook-Secret"

    output = run("demo_setup", "--count", "1")

    assert f"X-Webhook-Secret: {SECRET}" in output
    assert "Bearer" not in output


def test_demo_setup_needs_a_password(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.delenv("DEMO_PASSWORD", raising=False)

    with pytest.raises(CommandError, match="DEMO_PASSWORD"):
        run("demo_setup")


def test_the_demo_records_are_valid_samples_of_the_platform_schema():
    # Every field the demo sends is one the platform documents.
    from interviews.demo import demo_histories

    documented = set(payload("submitted.json"))
    for history in demo_histories(count=20):
        for record in history:
            assert set(record) <= documented
