from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from interviews.models import Erasure
from interviews.privacy import SelectorError, candidate_erase, selector_make

SELECTOR_OPTIONS = {
    "email": "The person's e-mail (case-insensitive; also a former e-mail of a result).",
    "external_id": "The person's candidate_external_id.",
    "profile_id": "The person's profile_id on the platform.",
    "result": "One result id.",
}


def add_selector_arguments(parser: CommandParser) -> None:
    """Add --email, --external-id, --profile-id and --result, exactly one of them required."""
    group = parser.add_mutually_exclusive_group(required=True)
    for kind, help_text in SELECTOR_OPTIONS.items():
        group.add_argument("--" + kind.replace("_", "-"), dest=kind, help=help_text)


def selector_from_options(options: dict[str, Any]) -> Any:
    kind = next(kind for kind in SELECTOR_OPTIONS if options.get(kind) is not None)
    try:
        return selector_make(kind=kind, value=options[kind])
    except SelectorError as exc:
        raise CommandError(str(exc)) from None


class Command(BaseCommand):
    help = (
        "Erase one person's data everywhere (results, deliveries, also rejected ones that name "
        "them, archived reports, export filters, admin log entries, background tasks) and keep "
        "their results erased: later deliveries of them are kept without a body. Exits 0 also "
        "when nothing matches, so running it twice is harmless."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        add_selector_arguments(parser)
        parser.add_argument(
            "--dry-run", action="store_true", help="Say what would be removed; change nothing."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        selector = selector_from_options(options)
        summary = candidate_erase(
            selector=selector, channel=Erasure.Channel.COMMAND, dry_run=options["dry_run"]
        )
        if not summary.found:
            # Not an error: an erasure request may be repeated, or the data already gone.
            self.stdout.write("Nothing found: nothing was removed.")
            return
        self.stdout.write("Would remove:" if summary.dry_run else "Removed:")
        for kind, count in summary.counts.items():
            self.stdout.write(f"  {count:>7}  {kind}")
        if summary.dry_run:
            self.stdout.write("Dry run: nothing was changed.")
        else:
            self.stdout.write(self.style.SUCCESS("Erased, and recorded in the erasure log."))
