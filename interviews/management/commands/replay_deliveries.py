from collections import Counter
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from interviews.ingest import delivery_replay
from interviews.models import Delivery


class Command(BaseCommand):
    help = (
        "Re-parse and re-apply stored deliveries through the ingest path, for example the ones "
        "rejected before a fix was deployed. Deliveries that were applied already are skipped."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--rejected", action="store_true", help="Only rejected deliveries.")
        parser.add_argument("--ids", help="Comma-separated delivery ids.")
        parser.add_argument("--since", help="Only deliveries received at or after this ISO time.")

    def handle(self, *args: Any, **options: Any) -> None:
        deliveries = Delivery.objects.order_by("received_at", "id")
        if not (options["rejected"] or options["ids"] or options["since"]):
            raise CommandError("Say which deliveries: --rejected, --ids and/or --since.")
        if options["rejected"]:
            deliveries = deliveries.filter(outcome=Delivery.Outcome.REJECTED)
        if options["ids"]:
            try:
                ids = [int(item) for item in options["ids"].split(",") if item.strip()]
            except ValueError:
                raise CommandError("--ids takes comma-separated delivery ids.") from None
            deliveries = deliveries.filter(pk__in=ids)
        if options["since"]:
            try:
                since = parse_datetime(options["since"])
            except ValueError:  # well-formed but impossible, e.g. month 13
                since = None
            if since is None:
                raise CommandError("--since takes an ISO date-time, e.g. 2026-11-01T00:00:00Z.")
            if timezone.is_naive(since):
                since = timezone.make_aware(since)
            deliveries = deliveries.filter(received_at__gte=since)

        outcomes: Counter[str] = Counter()
        for delivery in deliveries.iterator(chunk_size=200):
            outcome = delivery_replay(delivery=delivery)
            outcomes[outcome] += 1
            self.stdout.write(f"delivery {delivery.pk}: {outcome}")
        summary = ", ".join(f"{n} {outcome}" for outcome, n in sorted(outcomes.items()))
        self.stdout.write(self.style.SUCCESS(f"Replayed {outcomes.total()}: {summary or 'none'}."))
