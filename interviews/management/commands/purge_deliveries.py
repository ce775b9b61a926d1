import argparse
from datetime import timedelta
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from interviews.privacy import PURGE_MINIMUM_DAYS, deliveries_purge


class Command(BaseCommand):
    help = (
        "Drop the raw bodies of deliveries older than DAYS, except each result's current one; "
        "the rows, what each delivery changed and the bodies' size and SHA-256 stay. Export "
        f"records older than DAYS are deleted. Fewer than {PURGE_MINIMUM_DAYS} days needs --force."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--older-than", type=int, required=True, metavar="DAYS")
        parser.add_argument(
            "--force",
            action="store_true",
            help=f"Allow fewer than {PURGE_MINIMUM_DAYS} days.",
        )
        parser.add_argument("--batch-size", type=int, default=1000, help=argparse.SUPPRESS)

    def handle(self, *args: Any, **options: Any) -> None:
        days = options["older_than"]
        if days < 0:
            raise CommandError("--older-than takes a number of days, 0 or more.")
        if days < PURGE_MINIMUM_DAYS and not options["force"]:
            raise CommandError(
                f"Refusing to drop deliveries younger than {PURGE_MINIMUM_DAYS} days (six "
                "months, the AI Act's minimum for keeping these records). Pass --force to "
                f"drop bodies older than {days} days anyway."
            )
        before = timezone.now() - timedelta(days=days)
        summary = deliveries_purge(before=before, batch_size=max(options["batch_size"], 1))
        self.stdout.write(
            f"Dropped the bodies of {summary.bodies_dropped} deliveries received before "
            f"{before:%Y-%m-%d %H:%M} UTC; deleted {summary.exports_deleted} export records."
        )
