from collections.abc import Callable, Iterator
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.http import QueryDict

from interviews.exports import csv_chunks, export_start, filter_params, result_csv_rows
from interviews.models import Export
from interviews.selectors import FilterError, result_list

# Filter parameters taken by the options of the same name (status -> --status, score_min ->
# --score-min). The repeatable ones take the option several times, as the URL takes the parameter.
REPEATABLE = ["status", "interview_status", "processing_status", "event", "interview"]
SINGLE = [
    "decision",
    "score_min",
    "score_max",
    "ai_score_min",
    "ai_score_max",
    "q",
    "received_after",
    "received_before",
    "ordering",
]


def option(name: str) -> str:
    return "--" + name.replace("_", "-")


class Command(BaseCommand):
    help = (
        "Export the results the filters select as CSV: the same rows /results/export.csv gives "
        "for the same query parameters."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        for name in REPEATABLE:
            parser.add_argument(option(name), dest=name, action="append", help="Repeatable.")
        for name in SINGLE:
            parser.add_argument(option(name), dest=name)
        parser.add_argument(
            "--output", required=True, help="The CSV file to write; '-' for standard output."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        params = filter_query(options)
        try:
            queryset = result_list(params=params)
        except FilterError as exc:
            raise CommandError(
                "; ".join(f"{option(name)}: {' '.join(msgs)}" for name, msgs in exc.errors.items())
            ) from None

        # Counting costs a query; only a person watching a terminal needs the total.
        total = queryset.count() if self.stderr.isatty() else None
        output = options["output"]
        if output == "-":
            export = export_start(
                user=None, channel=Export.Channel.COMMAND, params=filter_params(params)
            )
            chunks = csv_chunks(result_csv_rows(queryset), export=export)
            self.write(chunks, lambda chunk: self.stdout.write(chunk, ending=""), export, total)
            return
        try:
            # Opened before the export is recorded: a path that cannot be written leaves none.
            file = open(output, "w", encoding="utf-8", newline="")  # noqa: SIM115
        except OSError as exc:
            raise CommandError(f"Cannot write {output}: {exc.strerror}") from None
        with file:
            export = export_start(
                user=None, channel=Export.Channel.COMMAND, params=filter_params(params)
            )
            chunks = csv_chunks(result_csv_rows(queryset), export=export)
            try:
                self.write(chunks, file.write, export, total)
            except OSError as exc:
                raise CommandError(f"Cannot write {output}: {exc.strerror}") from None
        self.stdout.write(f"Exported {export.rows} results to {output}.")

    def write(
        self,
        chunks: Iterator[str],
        write: Callable[[str], object],
        export: Export,
        total: int | None,
    ) -> None:
        """Write every chunk, redrawing the progress bar when there is one."""
        for chunk in chunks:
            write(chunk)
            self.progress(export, total)
        if total is not None:
            self.stderr.write("")  # End the progress line.

    def progress(self, export: Export, total: int | None) -> None:
        """Redraw the progress bar on stderr, when it is a terminal."""
        if total is None:
            return
        done = min(export.rows, total)
        width = 30
        filled = width * done // total if total else width
        bar = "#" * filled + "-" * (width - filled)
        self.stderr.write(f"\r[{bar}] {done}/{total} results", ending="")


def filter_query(options: dict[str, Any]) -> QueryDict:
    """Return the command's options as the query parameters the FilterSet reads."""
    params = QueryDict(mutable=True)
    for name in REPEATABLE:
        if options[name]:
            params.setlist(name, options[name])
    for name in SINGLE:
        if options[name] is not None:
            params[name] = options[name]
    return params
