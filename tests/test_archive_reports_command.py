"""manage.py archive_reports [--missing] [--failed] [--ids ...]."""

from collections.abc import Callable
from datetime import timedelta
from io import StringIO
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from interviews.models import ReportArchive
from interviews.reports import report_archive_enqueue
from tests.factories import InterviewResultFactory, ReportArchiveFactory

pytestmark = pytest.mark.django_db
State = ReportArchive.State


@pytest.fixture
def run(django_capture_on_commit_callbacks: Any) -> Callable[..., str]:
    """Run the command; its downloads are queued as its (test) transaction commits."""

    def run(*args: str) -> str:
        out = StringIO()
        with django_capture_on_commit_callbacks(execute=True):
            call_command("archive_reports", *args, stdout=out, stderr=StringIO())
        return out.getvalue()

    return run


def queued_ids() -> set[str]:
    return {task.args_kwargs["args"][0] for task in DBTaskResult.objects.all()}


def test_it_needs_a_selection(run: Callable[..., str]) -> None:
    with pytest.raises(CommandError, match="--missing"):
        run()


def test_missing_queues_links_never_queued_and_downloads_whose_worker_died(
    run: Callable[..., str],
) -> None:
    never = InterviewResultFactory.create()
    died = ReportArchiveFactory.create()
    task_id = report_archive_enqueue(result_id=died.result_id)
    DBTaskResult.objects.filter(id=task_id).update(
        status="RUNNING", started_at=timezone.now() - timedelta(hours=1)
    )
    alive = ReportArchiveFactory.create()
    report_archive_enqueue(result_id=alive.result_id)
    ReportArchiveFactory.create(state=State.KEPT)
    ReportArchiveFactory.create(state=State.FAILED)
    InterviewResultFactory.create(pdf_export_url=None)
    before = set(DBTaskResult.objects.values_list("id", flat=True))

    output = run("--missing")

    new = DBTaskResult.objects.exclude(id__in=before)
    assert {task.args_kwargs["args"][0] for task in new} == {str(never.pk), str(died.result_id)}
    assert "Queued 2 report downloads." in output
    assert ReportArchive.objects.get(result=never).state == State.PENDING


def test_failed_queues_failed_reports_again_from_the_first_attempt(run: Callable[..., str]) -> None:
    failed = ReportArchiveFactory.create(state=State.FAILED, attempts=6, last_error="Gave up.")
    ReportArchiveFactory.create(state=State.KEPT)

    run("--failed")

    assert queued_ids() == {str(failed.result_id)}
    failed.refresh_from_db()
    assert (failed.state, failed.attempts, failed.last_error) == (State.PENDING, 0, "")


def test_ids_queues_those_results_but_leaves_kept_reports_alone(run: Callable[..., str]) -> None:
    pending = ReportArchiveFactory.create()
    kept = ReportArchiveFactory.create(state=State.KEPT)
    no_link = InterviewResultFactory.create(pdf_export_url=None)
    InterviewResultFactory.create()

    output = run("--ids", f"{pending.result_id},{kept.result_id}", str(no_link.pk))

    assert queued_ids() == {str(pending.result_id)}
    assert "Queued 1 report download (2 already kept or without a link)." in output


def test_it_refuses_ids_that_are_not_uuids(run: Callable[..., str]) -> None:
    with pytest.raises(CommandError, match="UUID"):
        run("--ids", "12")
