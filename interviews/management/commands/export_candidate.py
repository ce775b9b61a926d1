from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from interviews.management.commands.erase_candidate import (
    add_selector_arguments,
    selector_from_options,
)
from interviews.privacy import candidate_export, json_dumps


class Command(BaseCommand):
    help = (
        "Write everything held about one person as JSON (a subject access request): results, "
        "their deliveries with decoded bodies, deliveries without a result that name them, "
        "export records whose filter names them, and what later features keep about a result."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        add_selector_arguments(parser)
        parser.add_argument("--output", help="The JSON file to write; standard output if absent.")

    def handle(self, *args: Any, **options: Any) -> None:
        text = json_dumps(candidate_export(selector=selector_from_options(options)))
        output = options["output"]
        if not output or output == "-":
            self.stdout.write(text)
            return
        try:
            with open(output, "w", encoding="utf-8") as file:
                file.write(text + "\n")
        except OSError as exc:
            raise CommandError(f"Cannot write {output}: {exc.strerror}") from None
        self.stdout.write(f"Wrote {output}.")
