from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from interviews.demo import demo_load
from interviews.models import InterviewResult


class Command(BaseCommand):
    help = "Load realistic demo results through the real ingest path."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--count", type=int, default=200, help="How many results (200).")
        parser.add_argument("--seed", type=int, default=7, help="Random seed, for repeatable data.")
        parser.add_argument(
            "--if-empty", action="store_true", help="Do nothing when results already exist."
        )

    def handle(self, *args: Any, count: int, seed: int, if_empty: bool, **options: Any) -> None:
        if if_empty and InterviewResult.objects.exists():
            self.stdout.write("Results exist already; no demo data loaded.")
            return
        sent = demo_load(count=count, seed=seed, progress=True)
        self.stdout.write(self.style.SUCCESS(f"Loaded {count} demo results ({sent} deliveries)."))
