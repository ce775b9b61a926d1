"""interviews/tasks.py: the archive_report task, and the real `manage.py db_worker` end to end."""

import os
import signal
import statistics
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.urls import reverse
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from interviews.models import ReportArchive
from interviews.tasks import archive_report
from tests.conftest import WebhookClient, payload
from tests.factories import ReportArchiveFactory
from tests.report_server import SAMPLE_PDF, ReportServer

State = ReportArchive.State
BASE_DIR = Path(__file__).resolve().parent.parent


@pytest.mark.django_db
def test_it_keeps_the_report_when_called(archive_settings: ReportServer) -> None:
    archive = ReportArchiveFactory.create(
        result__pdf_export_url=archive_settings.url("/report.pdf")
    )

    assert archive_report.call(str(archive.result_id)) == State.KEPT
    archive.refresh_from_db()
    assert archive.file.read() == SAMPLE_PDF


@pytest.mark.django_db
def test_it_is_queued_in_the_database_for_a_worker() -> None:
    queued = archive_report.enqueue("5d1f6a3e-8c2b-4f7a-9e10-2b7c4d9a6e51")

    row = DBTaskResult.objects.get(id=queued.id)
    assert row.task_path == "interviews.tasks.archive_report"
    assert row.status == TaskResultStatus.READY


# --- The real worker -------------------------------------------------------------------------


def database_url() -> str:
    """The test database as a DATABASE_URL, for a worker in another process."""
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{db['NAME']}"
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    return (
        f"postgres://{db['USER']}{password}@{db['HOST'] or 'localhost'}:{db['PORT'] or 5432}"
        f"/{db['NAME']}"
    )


@pytest.fixture
def worker(
    archive_settings: ReportServer, settings: Any, tmp_path: Path
) -> Iterator[Callable[..., subprocess.Popen[bytes]]]:
    """Start `manage.py db_worker` processes on the test database; stop them afterwards."""
    started: list[subprocess.Popen[bytes]] = []

    def start(timeout: float = 3) -> subprocess.Popen[bytes]:
        env = {
            **os.environ,
            "DATABASE_URL": database_url(),
            "SECRET_KEY": "worker-test",
            "DEBUG": "0",
            "MEDIA_ROOT": str(settings.MEDIA_ROOT),
            "PDF_ARCHIVE_TRUSTED_HOSTS": archive_settings.host,
            "PDF_ARCHIVE_TIMEOUT_SECONDS": str(timeout),
            "PDF_ARCHIVE_RETRY_BASE_SECONDS": "0.2",
        }
        process = subprocess.Popen(
            [
                sys.executable,
                "manage.py",
                "db_worker",
                "--interval",
                "0.1",
                "--no-startup-delay",
                "--no-reload",
            ],
            cwd=BASE_DIR,
            env=env,
            stdout=(tmp_path / f"worker-{len(started)}.log").open("wb"),
            stderr=subprocess.STDOUT,
        )
        started.append(process)
        return process

    yield start
    for process in started:
        if process.poll() is None:
            process.send_signal(signal.SIGINT)
            try:
                process.wait(10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def wait_for(condition: Callable[[], bool], *, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("timed out waiting")
        time.sleep(0.1)


def state_of(result_id: str) -> str | None:
    archive = ReportArchive.objects.filter(result_id=uuid.UUID(result_id)).first()
    return archive.state if archive else None


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_a_worker_keeps_the_report_of_a_posted_delivery(
    worker: Callable[..., subprocess.Popen[bytes]],
    archive_settings: ReportServer,
    client: Client,
    recruiter: Any,
) -> None:
    worker()
    record = {**payload("local-report.json"), "pdf_export_url": archive_settings.url("/flaky.pdf")}

    response = WebhookClient(client).post(record)

    assert response.status_code == 200
    # The first download gets a 500: retried after the back-off, then kept.
    wait_for(lambda: state_of(record["id"]) == State.KEPT)
    assert archive_settings.hits["/flaky.pdf"] == 2
    client.force_login(recruiter)
    report = client.get(reverse("result-report", args=[record["id"]]))
    assert report.status_code == 200
    assert b"".join(report.streaming_content) == SAMPLE_PDF  # type: ignore[attr-defined]


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_a_report_whose_worker_died_mid_download_is_kept_after_archive_reports_missing(
    worker: Callable[..., subprocess.Popen[bytes]],
    archive_settings: ReportServer,
    client: Client,
) -> None:
    first = worker(timeout=60)
    record = {
        **payload("local-report.json"),
        "pdf_export_url": archive_settings.url("/hang-once.pdf"),
    }
    assert WebhookClient(client).post(record).status_code == 200
    wait_for(lambda: archive_settings.hits["/hang-once.pdf"] == 1)

    first.kill()  # SIGKILL mid-download: no chance to record anything
    first.wait()

    archive = ReportArchive.objects.get(result_id=record["id"])
    task = DBTaskResult.objects.get(id=archive.task_id)
    assert (archive.state, task.status) == (State.PENDING, TaskResultStatus.RUNNING)
    # Before a download's longest possible run, the task may be alive: left alone.
    call_command("archive_reports", "--missing", stdout=open(os.devnull, "w"))  # noqa: SIM115
    assert ReportArchive.objects.get(pk=archive.pk).task_id == str(task.id)

    # An hour later (cron), the RUNNING task cannot be alive any more: queued again.
    assert task.started_at is not None
    DBTaskResult.objects.filter(id=task.id).update(started_at=task.started_at - timedelta(hours=1))
    call_command("archive_reports", "--missing", stdout=open(os.devnull, "w"))  # noqa: SIM115
    worker()

    wait_for(lambda: state_of(record["id"]) == State.KEPT)
    assert archive_settings.hits["/hang-once.pdf"] == 2


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_the_webhook_answers_as_fast_while_the_pdf_server_hangs(
    worker: Callable[..., subprocess.Popen[bytes]],
    archive_settings: ReportServer,
    client: Client,
) -> None:
    worker(timeout=60)
    webhook = WebhookClient(client)
    base = payload("local-report.json")

    def post_all(link: str | None) -> list[float]:
        timings = []
        for n in range(12):
            record = {**base, "id": f"5d1f6a3e-8c2b-4f7a-9e10-{n:012d}", "pdf_export_url": link}
            if link is None:
                record["id"] = f"5d1f6a3e-8c2b-4f7a-9e11-{n:012d}"
            started = time.monotonic()
            assert webhook.post(record).status_code == 200
            timings.append(time.monotonic() - started)
        return timings

    without = post_all(None)
    with_hanging_pdfs = post_all(archive_settings.url("/hang"))

    wait_for(lambda: archive_settings.hits["/hang"] >= 1)  # a worker is stuck on one
    assert ReportArchive.objects.filter(state=State.PENDING).count() == 12
    assert statistics.median(with_hanging_pdfs) < statistics.median(without) * 2 + 0.05
    assert max(with_hanging_pdfs) < 1
