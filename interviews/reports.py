"""Keep a copy of each result's PDF report: the services behind `tasks.archive_report`.

The platform's `pdf_export_url` is a signed link that expires (`pdf_export_valid_until`), so the
dashboard downloads each report once into `default_storage` (`STORAGES["default"]`) and serves
that copy afterwards. Callers: `ingest.py` (a new link: `report_archive_request`), `tasks.py`
(one download: `report_archive_attempt`), the `archive_reports` command and the detail page's
"Try again" (`report_archive_queue`), the report view (`report_archive_get`), and the privacy
erase service (`report_files_delete`).
"""

from __future__ import annotations

import logging
import posixpath
import uuid
from collections.abc import Iterable
from datetime import datetime, timedelta
from functools import partial

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import F, Q, QuerySet
from django.utils import timezone

from interviews.fetch import FetchedPdf, Refused, Temporary, fetch_pdf
from interviews.models import InterviewResult, ReportArchive

logger = logging.getLogger("interviews.reports")

# Downloads tried per link before it is marked failed (with the default 60 s base, the last
# one is about half an hour after the first).
MAX_ATTEMPTS = 6
# A running download ends by PDF_ARCHIVE_TIMEOUT_SECONDS; past this much more, its worker died.
STUCK_GRACE = timedelta(minutes=5)

State = ReportArchive.State


def _uuid(value: uuid.UUID | str) -> uuid.UUID:
    return value if isinstance(value, uuid.UUID) else uuid.UUID(value)


def report_file_name(*, result_id: uuid.UUID | str, sha256: str) -> str:
    """Return the storage name of a result's report with this content hash."""
    return f"reports/{result_id}/{sha256}.pdf"


# --- Requesting -----------------------------------------------------------------------------


def report_archive_request(*, result_id: uuid.UUID | str, url: str) -> None:
    """Mark the result's report pending for `url` and queue its download on commit.

    One statement (an upsert), as ingest calls it inside a delivery's transaction; the download
    is queued only once that commits, and a failure to queue never fails the caller (the
    report stays pending and `archive_reports --missing` queues it again).
    """
    ReportArchive.objects.bulk_create(
        [
            ReportArchive(
                result_id=_uuid(result_id),
                source_url=url,
                state=State.PENDING,
                attempts=0,
                last_error="",
                next_attempt_at=None,
            )
        ],
        update_conflicts=True,
        unique_fields=["result"],
        update_fields=[
            "source_url",
            "state",
            "attempts",
            "last_error",
            "next_attempt_at",
            "updated_at",
        ],
    )
    transaction.on_commit(partial(_enqueue_quietly, result_id=str(result_id)))


def report_archive_enqueue(*, result_id: uuid.UUID | str, run_after: datetime | None = None) -> str:
    """Queue one download of the result's report now (or at `run_after`); return the task id."""
    from interviews.tasks import archive_report

    task = archive_report if run_after is None else archive_report.using(run_after=run_after)
    queued = task.enqueue(str(result_id))
    ReportArchive.objects.filter(result_id=_uuid(result_id)).update(task_id=str(queued.id))
    return str(queued.id)


def _enqueue_quietly(*, result_id: str) -> None:
    try:
        report_archive_enqueue(result_id=result_id)
    except Exception:
        logger.exception("report archive: could not queue the download of result=%s", result_id)


def report_archive_queue(*, results: Iterable[InterviewResult]) -> int:
    """Queue the reports of these results again, whatever their state; return how many.

    A report already kept for the result's current link is left alone; a result without a link
    has nothing to download.
    """
    queued = 0
    for result in results:
        url = result.pdf_export_url
        if not url:
            continue
        archive = getattr(result, "report_archive", None)
        if archive is not None and archive.state == State.KEPT and archive.source_url == url:
            continue
        report_archive_request(result_id=result.pk, url=url)
        queued += 1
    return queued


def results_missing_report(*, now: datetime | None = None) -> QuerySet[InterviewResult]:
    """Return results whose report should be kept but nothing is on its way.

    A link never requested (or newer than the archive's), and a pending report whose task can
    no longer be running: gone, finished without keeping it, or running for longer than a
    download may take (its worker died mid-download; django-tasks-db leaves it RUNNING).
    """
    now = now or timezone.now()
    with_link = InterviewResult.objects.exclude(pdf_export_url__isnull=True).exclude(
        pdf_export_url=""
    )
    never = with_link.filter(
        Q(report_archive__isnull=True) | ~Q(report_archive__source_url=F("pdf_export_url"))
    )
    stuck_ids = [
        archive.result_id
        for archive in ReportArchive.objects.filter(state=State.PENDING).only(
            "result_id", "task_id"
        )
        if not _task_may_be_alive(archive.task_id, now=now)
    ]
    return with_link.filter(Q(pk__in=never.values("pk")) | Q(pk__in=stuck_ids)).select_related(
        "report_archive"
    )


def _task_may_be_alive(task_id: str, *, now: datetime) -> bool:
    from django_tasks import TaskResultStatus
    from django_tasks.exceptions import TaskException

    from interviews.tasks import archive_report

    if not task_id:
        return False
    try:
        task = archive_report.get_result(task_id)
    except TaskException:  # gone (pruned, or a database restored from a backup)
        return False
    if task.status == TaskResultStatus.READY:
        return True
    if task.status == TaskResultStatus.RUNNING:
        limit = timedelta(seconds=settings.PDF_ARCHIVE_TIMEOUT_SECONDS) + STUCK_GRACE
        return task.started_at is not None and task.started_at > now - limit
    return False


# --- Downloading ----------------------------------------------------------------------------


def report_archive_attempt(*, result_id: uuid.UUID | str) -> str:
    """Try once to download and keep the result's pending report; return the state it is in.

    A refused link (bad scheme, internal address, 4xx, not a PDF, too big) fails at once. A
    temporary failure is retried later, doubling the delay from PDF_ARCHIVE_RETRY_BASE_SECONDS,
    up to MAX_ATTEMPTS and never past the link's `pdf_export_valid_until`. Each attempt's
    outcome is written on the archive; writes name the link they fetched, so a newer link that
    arrived meanwhile is never overwritten by the older one's outcome.
    """
    archive = (
        ReportArchive.objects.select_related("result").filter(result_id=_uuid(result_id)).first()
    )
    if archive is None or archive.state != State.PENDING:
        return archive.state if archive else "missing"
    url = archive.source_url
    valid_until = archive.result.pdf_export_valid_until
    now = timezone.now()
    same_link = ReportArchive.objects.filter(pk=archive.pk, source_url=url)
    if valid_until is not None and valid_until <= now:
        same_link.update(
            state=State.FAILED,
            last_error="The platform's link expired before the report could be kept.",
            next_attempt_at=None,
            updated_at=now,
        )
        return State.FAILED

    attempts = archive.attempts + 1
    same_link.update(attempts=attempts, updated_at=now)
    try:
        fetched = fetch_pdf(url)
    except Refused as exc:
        same_link.update(
            state=State.FAILED, last_error=str(exc), next_attempt_at=None, updated_at=now
        )
        _log(archive, "refused", attempts)
        return State.FAILED
    except Temporary as exc:
        retry_at = timezone.now() + timedelta(
            seconds=settings.PDF_ARCHIVE_RETRY_BASE_SECONDS * 2 ** (attempts - 1)
        )
        if attempts >= MAX_ATTEMPTS or (valid_until is not None and retry_at >= valid_until):
            same_link.update(
                state=State.FAILED,
                last_error=f"{exc} Gave up after {attempts} attempts.",
                next_attempt_at=None,
                updated_at=timezone.now(),
            )
            _log(archive, "gave up", attempts)
            return State.FAILED
        if same_link.update(last_error=str(exc), next_attempt_at=retry_at, updated_at=now):
            report_archive_enqueue(result_id=archive.result_id, run_after=retry_at)
        _log(archive, "will retry", attempts)
        return State.PENDING

    name = _store(result_id=archive.result_id, fetched=fetched)
    kept = same_link.update(
        state=State.KEPT,
        file=name,
        size=fetched.size,
        sha256=fetched.sha256,
        archived_at=timezone.now(),
        last_error="",
        next_attempt_at=None,
        updated_at=timezone.now(),
    )
    if not kept:
        # A newer link arrived during the download: this copy is not the current report.
        if name != archive.file.name:
            default_storage.delete(name)
        _log(archive, "superseded", attempts)
        return State.PENDING
    if archive.file.name and archive.file.name != name:
        # The report of an older link: the result's report is now the new one.
        default_storage.delete(archive.file.name)
    _log(archive, "kept", attempts)
    return State.KEPT


def _store(*, result_id: uuid.UUID | str, fetched: FetchedPdf) -> str:
    """Save the PDF under its content hash; the same content for a result is stored once."""
    name = report_file_name(result_id=result_id, sha256=fetched.sha256)
    if default_storage.exists(name):
        return name
    return default_storage.save(name, ContentFile(fetched.content))


def _log(archive: ReportArchive, outcome: str, attempts: int) -> None:
    # Ids and outcome only: the link is signed and the result holds personal data.
    logger.info(
        "report archive result=%s outcome=%s attempt=%s", archive.result_id, outcome, attempts
    )


# --- Reading and erasing --------------------------------------------------------------------


def report_archive_get(*, result_id: uuid.UUID) -> ReportArchive | None:
    """Return the result's archive when a copy of its report is kept, else None."""
    archive = ReportArchive.objects.select_related("result").filter(result_id=result_id).first()
    if archive is None or not archive.file:
        return None
    return archive


def report_files_delete(*, result_ids: Iterable[uuid.UUID | str]) -> int:
    """Delete the stored PDF files of these results' reports; return how many were deleted.

    The archive rows go with their results (CASCADE); this removes what the database cannot:
    the files, including any left by an interrupted download. Call it before deleting the
    results, inside or outside their transaction (a deleted file cannot come back either way).
    """
    ids = [_uuid(result_id) for result_id in result_ids]
    names = set(
        ReportArchive.objects.filter(result_id__in=ids)
        .exclude(file="")
        .values_list("file", flat=True)
    )
    for result_id in ids:
        folder = posixpath.dirname(report_file_name(result_id=result_id, sha256="x"))
        try:
            _, files = default_storage.listdir(folder)
        except (FileNotFoundError, NotImplementedError):
            continue
        names.update(posixpath.join(folder, file) for file in files)
    deleted = 0
    for name in sorted(names):
        if default_storage.exists(name):
            default_storage.delete(name)
            deleted += 1
    ReportArchive.objects.filter(result_id__in=ids).update(file="")
    return deleted
