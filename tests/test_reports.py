"""interviews/reports.py: keeping reports, retrying, the ingest hook and erasing the files."""

import hashlib
import logging
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.core.files.storage import default_storage
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from interviews import reports
from interviews.ingest import delivery_receive
from interviews.models import InterviewResult, ReportArchive
from tests.conftest import payload
from tests.factories import InterviewResultFactory, ReportArchiveFactory
from tests.report_server import OTHER_PDF, SAMPLE_PDF, ReportServer

pytestmark = pytest.mark.django_db
State = ReportArchive.State


def pending(server: ReportServer, path: str, **result: Any) -> ReportArchive:
    """A result whose report at `path` is pending (as ingest leaves it)."""
    archive = ReportArchiveFactory.create(result__pdf_export_url=server.url(path), **result)
    assert isinstance(archive, ReportArchive)
    return archive


def attempt(archive: ReportArchive) -> ReportArchive:
    reports.report_archive_attempt(result_id=archive.result_id)
    archive.refresh_from_db()
    return archive


def stored_files(result_id: Any) -> list[str]:
    try:
        return default_storage.listdir(f"reports/{result_id}")[1]
    except FileNotFoundError:
        return []


def test_it_keeps_a_report_named_by_result_and_content_hash(
    archive_settings: ReportServer,
) -> None:
    archive = attempt(pending(archive_settings, "/report.pdf"))

    sha256 = hashlib.sha256(SAMPLE_PDF).hexdigest()
    assert archive.state == State.KEPT
    assert archive.file.name == f"reports/{archive.result_id}/{sha256}.pdf"
    assert archive.file.read() == SAMPLE_PDF
    assert (archive.size, archive.sha256, archive.attempts) == (len(SAMPLE_PDF), sha256, 1)
    assert archive.archived_at is not None
    assert archive.last_error == ""


def test_it_stores_the_same_content_for_a_result_once(archive_settings: ReportServer) -> None:
    archive = attempt(pending(archive_settings, "/report.pdf?sig=1"))
    reports.report_archive_request(
        result_id=archive.result_id, url=archive_settings.url("/report.pdf?sig=2")
    )
    archive = attempt(archive)

    assert archive.state == State.KEPT
    assert archive_settings.hits["/report.pdf"] == 2
    assert len(stored_files(archive.result_id)) == 1


def test_it_keeps_a_newer_report_and_drops_the_older_file(archive_settings: ReportServer) -> None:
    archive = attempt(pending(archive_settings, "/report.pdf"))
    older = archive.file.name
    reports.report_archive_request(
        result_id=archive.result_id, url=archive_settings.url("/other.pdf")
    )
    archive = attempt(archive)

    assert archive.file.read() == OTHER_PDF
    assert not default_storage.exists(str(older))
    assert stored_files(archive.result_id) == [f"{hashlib.sha256(OTHER_PDF).hexdigest()}.pdf"]


@pytest.mark.parametrize(
    ("path", "error"), [("/missing.pdf", "404"), ("/not-a-pdf.pdf", "not give a PDF")]
)
def test_it_fails_a_refused_link_at_once(
    archive_settings: ReportServer, path: str, error: str
) -> None:
    archive = attempt(pending(archive_settings, path))

    assert archive.state == State.FAILED
    assert error in archive.last_error
    assert archive.attempts == 1
    assert archive.next_attempt_at is None
    assert not DBTaskResult.objects.exists()


def test_it_refuses_an_untrusted_plain_http_link(
    archive_settings: ReportServer, settings: Any
) -> None:
    settings.PDF_ARCHIVE_TRUSTED_HOSTS = []
    archive = attempt(pending(archive_settings, "/report.pdf"))

    assert archive.state == State.FAILED
    assert "http" in archive.last_error
    assert archive_settings.total_hits() == 0


def test_it_retries_a_temporary_failure_later_with_back_off(
    archive_settings: ReportServer,
) -> None:
    archive = attempt(pending(archive_settings, "/flaky.pdf"))

    assert archive.state == State.PENDING
    assert "500" in archive.last_error
    assert archive.next_attempt_at is not None
    delay = (archive.next_attempt_at - archive.updated_at).total_seconds()
    assert 59 < delay < 61
    task = DBTaskResult.objects.get()
    assert task.run_after == archive.next_attempt_at
    assert task.args_kwargs == {"args": [str(archive.result_id)], "kwargs": {}}
    assert archive.task_id == str(task.id)

    archive = attempt(archive)
    assert archive.state == State.KEPT
    assert archive.attempts == 2


def test_it_doubles_the_delay_each_attempt(archive_settings: ReportServer) -> None:
    archive = pending(archive_settings, "/flaky.pdf", attempts=3)
    archive_settings.failures = 10

    archive = attempt(archive)

    delay = (archive.next_attempt_at - archive.updated_at).total_seconds()  # type: ignore[operator]
    assert 60 * 8 - 1 < delay < 60 * 8 + 1


def test_it_gives_up_after_the_last_attempt(archive_settings: ReportServer) -> None:
    archive_settings.failures = 100
    archive = attempt(pending(archive_settings, "/flaky.pdf", attempts=reports.MAX_ATTEMPTS - 1))

    assert archive.state == State.FAILED
    assert f"Gave up after {reports.MAX_ATTEMPTS} attempts" in archive.last_error
    assert not DBTaskResult.objects.exists()


def test_it_never_retries_past_the_links_expiry(archive_settings: ReportServer) -> None:
    soon = timezone.now() + timedelta(seconds=30)
    archive = attempt(pending(archive_settings, "/flaky.pdf", result__pdf_export_valid_until=soon))

    assert archive.state == State.FAILED
    assert not DBTaskResult.objects.exists()


def test_it_does_not_fetch_an_expired_link(archive_settings: ReportServer) -> None:
    expired = timezone.now() - timedelta(minutes=1)
    archive = attempt(
        pending(archive_settings, "/report.pdf", result__pdf_export_valid_until=expired)
    )

    assert archive.state == State.FAILED
    assert "expired" in archive.last_error
    assert archive_settings.total_hits() == 0


def test_it_leaves_a_newer_link_that_arrived_during_the_download_pending(
    archive_settings: ReportServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    archive = pending(archive_settings, "/report.pdf")
    real_fetch = reports.fetch_pdf

    def fetch_while_a_delivery_arrives(url: str) -> Any:
        ReportArchive.objects.filter(pk=archive.pk).update(source_url="https://newer.example/r")
        return real_fetch(url)

    monkeypatch.setattr(reports, "fetch_pdf", fetch_while_a_delivery_arrives)
    archive = attempt(archive)

    assert archive.state == State.PENDING
    assert archive.source_url == "https://newer.example/r"
    assert not archive.file
    assert stored_files(archive.result_id) == []


def test_it_does_nothing_for_a_kept_report(archive_settings: ReportServer) -> None:
    archive = attempt(pending(archive_settings, "/report.pdf"))

    assert reports.report_archive_attempt(result_id=archive.result_id) == State.KEPT
    assert archive_settings.hits["/report.pdf"] == 1


def test_it_logs_no_link_and_no_personal_data(
    archive_settings: ReportServer, caplog: pytest.LogCaptureFixture
) -> None:
    archive = pending(archive_settings, "/missing.pdf?sig=secret-signature")
    caplog.set_level(logging.DEBUG)
    archive = attempt(archive)

    assert archive.state == State.FAILED
    assert "secret-signature" not in caplog.text
    assert archive.result.candidate_name not in caplog.text  # type: ignore[operator]


# --- The ingest hook ---------------------------------------------------------------------------


def receive(record: dict[str, Any]) -> None:
    import json

    delivery_receive(body=json.dumps(record).encode())


def test_it_marks_a_new_link_pending_and_queues_it_on_commit(
    django_capture_on_commit_callbacks: Any,
) -> None:
    record = payload("submitted.json")
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        receive(record)

    archive = ReportArchive.objects.get(result_id=record["id"])
    assert (archive.state, archive.source_url) == (State.PENDING, record["pdf_export_url"])
    assert len(callbacks) == 1
    task = DBTaskResult.objects.get()
    assert task.task_path == "interviews.tasks.archive_report"
    assert archive.task_id == str(task.id)


def test_it_queues_nothing_before_the_delivery_commits(
    django_capture_on_commit_callbacks: Any,
) -> None:
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        receive(payload("submitted.json"))

    assert len(callbacks) == 1
    assert not DBTaskResult.objects.exists()


def test_it_requests_again_only_when_the_link_changes(
    django_capture_on_commit_callbacks: Any,
) -> None:
    record = payload("submitted.json")
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        receive(record)
        ReportArchive.objects.filter(result_id=record["id"]).update(state=State.KEPT)
        receive(record)  # duplicate
        receive({**record, "recruiter_go_next_round": True})  # same link
    assert len(callbacks) == 1
    assert ReportArchive.objects.get(result_id=record["id"]).state == State.KEPT

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        receive({**record, "pdf_export_url": "https://example.com/new.pdf"})
    assert len(callbacks) == 1
    archive = ReportArchive.objects.get(result_id=record["id"])
    assert (archive.state, archive.source_url, archive.attempts) == (
        State.PENDING,
        "https://example.com/new.pdf",
        0,
    )


def test_it_requests_nothing_without_a_link(django_capture_on_commit_callbacks: Any) -> None:
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        receive(payload("collected.json"))

    assert callbacks == []
    assert not ReportArchive.objects.exists()


def test_a_failing_queue_never_fails_a_delivery(
    django_capture_on_commit_callbacks: Any,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
    webhook: Any,
) -> None:
    from interviews.tasks import archive_report

    def broken(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("queue unavailable")

    monkeypatch.setattr(type(archive_report), "enqueue", broken)
    with django_capture_on_commit_callbacks(execute=True):
        response = webhook.post(payload("submitted.json"))

    assert response.status_code == 200
    assert ReportArchive.objects.get().state == State.PENDING
    assert "could not queue" in caplog.text


# --- What archive_reports --missing picks up ------------------------------------------------


def test_it_finds_links_never_requested_and_pending_reports_whose_task_died(
    settings: Any,
) -> None:
    never = InterviewResultFactory.create()
    newer_link = ReportArchiveFactory.create(state=State.KEPT, source_url="https://old.example/r")
    no_task = ReportArchiveFactory.create()
    queued = ReportArchiveFactory.create()
    running = ReportArchiveFactory.create()
    died = ReportArchiveFactory.create()
    kept = ReportArchiveFactory.create(state=State.KEPT)
    ReportArchiveFactory.create(state=State.FAILED)
    InterviewResultFactory.create(pdf_export_url=None)

    now = timezone.now()
    for archive, started in ((queued, None), (running, now), (died, now - timedelta(hours=1))):
        task_id = reports.report_archive_enqueue(result_id=archive.result_id)
        if started is not None:
            DBTaskResult.objects.filter(id=task_id).update(status="RUNNING", started_at=started)

    found = set(reports.results_missing_report().values_list("pk", flat=True))

    assert found == {never.pk, newer_link.result_id, no_task.result_id, died.result_id}
    assert kept.result_id not in found


# --- Erasure ---------------------------------------------------------------------------------


def test_it_deletes_the_stored_files_of_erased_results(archive_settings: ReportServer) -> None:
    archive = attempt(pending(archive_settings, "/report.pdf"))
    stray = default_storage.save(f"reports/{archive.result_id}/partial.pdf", _file(b"%PDF-"))
    other = attempt(pending(archive_settings, "/other.pdf"))

    deleted = reports.report_files_delete(result_ids=[archive.result_id])

    assert deleted == 2
    assert not default_storage.exists(str(archive.file.name))
    assert not default_storage.exists(stray)
    assert stored_files(archive.result_id) == []
    assert default_storage.exists(str(other.file.name))
    archive.refresh_from_db()
    assert not archive.file


def test_it_deletes_nothing_for_results_without_reports(archive_settings: ReportServer) -> None:
    result = InterviewResultFactory.create()

    assert reports.report_files_delete(result_ids=[result.pk]) == 0
    assert InterviewResult.objects.filter(pk=result.pk).exists()


def _file(content: bytes) -> Any:
    from django.core.files.base import ContentFile

    return ContentFile(content)


def test_report_file_name_is_under_the_result(tmp_path: Path) -> None:
    assert reports.report_file_name(result_id="r1", sha256="abc") == "reports/r1/abc.pdf"
