import uuid
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db.models import Q
from tqdm import tqdm

from interviews.models import InterviewResult, ReportArchive
from interviews.reports import report_archive_queue, results_missing_report


class Command(BaseCommand):
    help = (
        "Queue PDF report downloads in bulk for `db_worker`: --missing (links never queued, and "
        "downloads whose worker died: run it hourly from cron), --failed (give up no more), "
        "--ids (these results). A report already kept for its current link is left alone."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--missing",
            action="store_true",
            help="Results with a report link that is not kept and not on its way.",
        )
        parser.add_argument("--failed", action="store_true", help="Reports whose download failed.")
        parser.add_argument(
            "--ids", nargs="+", default=[], help="Result ids (space- or comma-separated)."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if not (options["missing"] or options["failed"] or options["ids"]):
            raise CommandError("Say which reports: --missing, --failed and/or --ids.")
        selected = Q(pk__in=[])
        if options["missing"]:
            selected |= Q(pk__in=results_missing_report().values("pk"))
        if options["failed"]:
            selected |= Q(report_archive__state=ReportArchive.State.FAILED)
        if options["ids"]:
            selected |= Q(pk__in=_result_ids(options["ids"]))
        results = (
            InterviewResult.objects.filter(selected).select_related("report_archive").order_by("pk")
        )

        queued = 0
        total = results.count()
        # disable=None: a bar on a terminal, nothing in cron's mail.
        for result in tqdm(results.iterator(chunk_size=500), total=total, disable=None):
            queued += report_archive_queue(results=[result])
        skipped = total - queued
        self.stdout.write(
            self.style.SUCCESS(
                f"Queued {queued} report download{'s' if queued != 1 else ''}"
                + (f" ({skipped} already kept or without a link)." if skipped else ".")
            )
        )


def _result_ids(values: list[str]) -> list[uuid.UUID]:
    try:
        return [
            uuid.UUID(item.strip()) for value in values for item in value.split(",") if item.strip()
        ]
    except ValueError:
        raise CommandError("--ids takes result ids (UUIDs).") from None
