"""The commands erase_candidate, export_candidate and purge_deliveries."""

import hashlib
import json
from datetime import timedelta
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from interviews.ingest import delivery_receive
from interviews.models import Delivery, Erasure, Export, InterviewResult
from tests.conftest import WebhookClient, payload_bytes
from tests.test_privacy import JONAS_ID, MARIA, MARIA_ID, post_maria

pytestmark = pytest.mark.django_db


def run(name: str, *args: str) -> str:
    out = StringIO()
    call_command(name, *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def maria_and_jonas(webhook: WebhookClient) -> None:
    post_maria(webhook)
    webhook.post(payload_bytes("collected.json"))


# --- erase_candidate -----------------------------------------------------------------------------


@pytest.mark.usefixtures("maria_and_jonas")
def test_it_says_what_a_dry_run_would_remove_and_changes_nothing():
    output = run("erase_candidate", "--email", "MARIA.TAMM@example.com", "--dry-run")

    assert "Would remove:" in output
    assert "1  interviews.InterviewResult" in output
    assert "6  interviews.Delivery" in output
    assert "Dry run: nothing was changed." in output
    assert InterviewResult.objects.filter(pk=MARIA_ID).exists()
    assert Delivery.objects.count() == 7
    assert not Erasure.objects.exists()


@pytest.mark.usefixtures("maria_and_jonas")
@pytest.mark.parametrize(
    "selector",
    [
        ["--email", MARIA["email"]],
        ["--external-id", MARIA["external_id"]],
        ["--result", MARIA_ID],
    ],
)
def test_it_erases_by_each_selector_and_prints_what_it_removed(selector: list[str]):
    output = run("erase_candidate", *selector)

    assert "Removed:" in output
    assert "1  interviews.InterviewResult" in output
    assert not InterviewResult.objects.filter(pk=MARIA_ID).exists()
    assert InterviewResult.objects.filter(pk=JONAS_ID).exists()
    assert Erasure.objects.get().channel == "command"


@pytest.mark.usefixtures("maria_and_jonas")
def test_it_erases_by_profile_id_every_result_of_that_profile():
    # The samples give Maria and Jonas one profile id: the platform's profile is the person.
    run("erase_candidate", "--profile-id", "5b0c7d1e-3f0a-4c55-9d2e-8a51f3b7c001")

    assert not InterviewResult.objects.exists()


def test_it_exits_0_saying_nothing_was_found():
    output = run("erase_candidate", "--email", "nobody@example.com")

    assert output.strip() == "Nothing found: nothing was removed."


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ([], "one of the arguments"),
        (["--email", "a@example.com", "--result", MARIA_ID], "not allowed with"),
        (["--result", "not-a-uuid"], "must be a UUID"),
    ],
)
def test_it_needs_exactly_one_valid_selector(args: list[str], message: str):
    with pytest.raises(CommandError, match=message):
        call_command("erase_candidate", *args)


# --- export_candidate ----------------------------------------------------------------------------


@pytest.mark.usefixtures("maria_and_jonas")
def test_it_exports_everything_held_about_the_person():
    Export.objects.create(channel=Export.Channel.PAGE, params={"q": ["maria.tamm@example.com"]})
    Export.objects.create(channel=Export.Channel.PAGE, params={"q": ["jonas"]})
    # A body that is not UTF-8, naming her.
    delivery_receive(body=b'{"candidate_email": "maria.tamm@example.com", "x": "\xff"}')

    data = json.loads(run("export_candidate", "--email", MARIA["email"]))

    assert data["selector"] == {"kind": "email", "value": MARIA["email"]}
    [result] = data["results"]
    assert result["id"] == MARIA_ID
    assert result["candidate_name"] == "Maria Tamm"
    assert result["candidate_phone_number"] == "+372 5550 1234"
    assert [d["outcome"] for d in result["deliveries"]] == ["created", "updated", "updated"]
    assert json.loads(result["deliveries"][0]["body"])["candidate_name"] == "Maria Tamm"
    assert result["deliveries"][1]["changes"]
    assert result["interviews.ReportArchive"][0]["source_url"].startswith("https://")
    orphans = data["deliveries_without_result"]
    assert len(orphans) == 4
    assert any("\\xff" in d["body"] for d in orphans)
    assert [e["params"] for e in data["exports"]] == [{"q": ["maria.tamm@example.com"]}]
    assert "Jonas" not in json.dumps(data)


@pytest.mark.usefixtures("maria_and_jonas")
def test_it_writes_the_export_to_a_file(tmp_path: Path):
    target = tmp_path / "maria.json"

    output = run("export_candidate", "--result", MARIA_ID, "--output", str(target))

    assert output.strip() == f"Wrote {target}."
    assert json.loads(target.read_text(encoding="utf-8"))["results"][0]["id"] == MARIA_ID


def test_it_exports_past_erasures_of_the_same_selector(webhook: WebhookClient):
    webhook.post(payload_bytes("submitted.json"))
    run("erase_candidate", "--email", MARIA["email"])

    data = json.loads(run("export_candidate", "--email", MARIA["email"].upper()))

    assert data["results"] == []
    assert len(data["erasures"]) == 1


# --- purge_deliveries ----------------------------------------------------------------------------


def age(days: int) -> Any:
    return timezone.now() - timedelta(days=days)


@pytest.fixture
def old_history(webhook: WebhookClient) -> None:
    """Maria's three versions and a rejected delivery, 200 days ago; Jonas's delivery today."""
    post_maria(webhook)
    Delivery.objects.update(received_at=age(200))
    webhook.post(payload_bytes("collected.json"))


@pytest.mark.usefixtures("old_history")
def test_it_drops_old_bodies_but_keeps_the_current_delivery_and_the_changes():
    current = InterviewResult.objects.get(pk=MARIA_ID).current_delivery
    assert current is not None
    updated = Delivery.objects.exclude(changes=[]).order_by("pk").first()
    assert updated is not None
    old_body = bytes(updated.body)

    output = run("purge_deliveries", "--older-than", "190")

    assert "Dropped the bodies of 5 deliveries" in output
    updated.refresh_from_db()
    assert (bytes(updated.body), updated.body_dropped) == (b"", True)
    assert updated.body_sha256 == hashlib.sha256(old_body).hexdigest()
    assert updated.body_size == len(old_body)
    assert updated.changes, "the history of changes stays"
    current.refresh_from_db()
    assert bytes(current.body) and not current.body_dropped
    jonas = Delivery.objects.get(result__pk=JONAS_ID)
    assert bytes(jonas.body) and not jonas.body_dropped


@pytest.mark.usefixtures("old_history")
def test_it_hashes_bodies_stored_before_hashes_were_kept():
    Delivery.objects.update(body_sha256="")
    rejected = Delivery.objects.filter(outcome="rejected").first()
    assert rejected is not None
    expected = hashlib.sha256(bytes(rejected.body)).hexdigest()

    run("purge_deliveries", "--older-than", "190", "--batch-size", "2")

    rejected.refresh_from_db()
    assert rejected.body_dropped
    assert rejected.body_sha256 == expected


@pytest.mark.usefixtures("old_history")
def test_it_deletes_export_records_older_than_the_limit():
    old = Export.objects.create(channel=Export.Channel.PAGE, params={"q": ["x"]})
    Export.objects.filter(pk=old.pk).update(started_at=age(200))
    recent = Export.objects.create(channel=Export.Channel.PAGE, params={"q": ["y"]})

    output = run("purge_deliveries", "--older-than", "190")

    assert "deleted 1 export records" in output
    assert list(Export.objects.values_list("pk", flat=True)) == [recent.pk]


@pytest.mark.usefixtures("old_history")
def test_it_refuses_fewer_than_183_days_without_force():
    with pytest.raises(CommandError, match=r"183 days.*--force"):
        call_command("purge_deliveries", "--older-than", "30")
    assert not Delivery.objects.filter(body_dropped=True).exists()

    run("purge_deliveries", "--older-than", "30", "--force")

    assert Delivery.objects.filter(body_dropped=True).count() == 5


@pytest.mark.usefixtures("old_history")
def test_it_leaves_purged_deliveries_out_of_replays():
    run("purge_deliveries", "--older-than", "190")

    output = run("replay_deliveries", "--rejected")

    assert "skipped" in output
    assert Delivery.objects.filter(outcome="rejected", body_dropped=True).count() == 3
