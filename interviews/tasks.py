"""Background work, run by `manage.py db_worker` (django-tasks with the django-tasks-db backend:
the queue is a table in the same database, so no broker is needed)."""

from django_tasks import task

from interviews import reports


@task()
def archive_report(result_id: str) -> str:
    """Download and keep the result's pending PDF report; return the report's state.

    Queued by `reports.report_archive_request` on commit of the delivery that brought the link,
    and again by itself (with `run_after`) when a download should be retried.
    """
    return reports.report_archive_attempt(result_id=result_id)
