"""CSV export: the one writer behind /results/export.csv, /api/results/?format=csv, the
`export_results` command and the admin's export action (CONTRACT.md "CSV export").

Rows are streamed from a database iterator (a server-side cursor on PostgreSQL) through the csv
module into chunks of text, so memory stays flat however many rows are exported. Every export is
recorded as an `Export` row, created when the export starts and completed when its stream ends.
"""

import csv
import datetime as dt
import re
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from django.contrib.auth.models import AnonymousUser, User
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponseBase, JsonResponse, StreamingHttpResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from interviews.filters import ResultFilter
from interviews.models import Export, InterviewResult
from interviews.roles import EXPORT_RESULTS, needs_permission
from interviews.selectors import FilterError, result_list

# A spreadsheet runs a cell that starts with one of these as a formula (CSV injection).
FORMULA_PREFIXES = "=+-@\t\r"
BOM = "\ufeff"  # Excel reads the file as UTF-8 only with it.
# C0 controls but tab and line breaks, DEL and C1: invisible in a spreadsheet, they can hide or
# disguise a cell's content (and C1's CSI drives terminals). Bidirectional marks stay: they are
# text in right-to-left names, and the spreadsheet shows each cell on its own.
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
FETCH_SIZE = 2000
ROWS_PER_CHUNK = 500


class _Echo:
    """A file-like object whose write() returns the line, for csv.writer to stream through."""

    def write(self, value: str) -> str:
        return value


def _text(value: str | None) -> str:
    """Return a text cell: control characters dropped, defused if a spreadsheet would read it
    as a formula."""
    if not value:
        return ""
    value = CONTROL_CHARACTERS.sub("", value)
    return "'" + value if value[:1] and value[0] in FORMULA_PREFIXES else value


def _plain(value: Any) -> Any:
    """Return an id, an enum or a number as it is: none can start a formula."""
    return "" if value is None else value


def _decision(value: bool | None) -> str:
    return "" if value is None else ("true" if value else "false")


def _reasons(value: list[str] | str | None) -> str:
    """Return the reasons one per line (the whole cell defused, as one text)."""
    if not value:
        return ""
    return _text("\n".join(value) if isinstance(value, list) else str(value))


def _time(value: dt.datetime | None) -> str:
    return "" if value is None else value.astimezone(dt.UTC).isoformat()


# The contract's header, in order, with how each column's database value becomes its cell.
# Each name is also the field the column is read from (interview_id is the foreign key's
# column). One function per column, not a branch per cell, keeps a large export quick.
COLUMNS: list[tuple[str, Callable[[Any], Any]]] = [
    ("id", _plain),
    ("interview_id", _plain),
    ("profile_interview_id", _plain),
    ("candidate_external_id", _text),
    ("candidate_name", _text),
    ("candidate_email", _text),
    ("status", _text),
    ("interview_status", _text),
    ("processing_status", _text),
    ("event", _plain),
    ("score", _plain),  # Left a number: a negative score stays -1.5.
    ("ai_analysis_recruiter_score", _plain),
    ("recruiter_go_next_round", _decision),
    ("ai_analysis_recruiter_why_hire", _reasons),
    ("ai_analysis_recruiter_why_not_hire", _reasons),
    ("ai_analysis_recruiter", _text),
    ("pdf_export_url", _text),
    ("first_received_at", _time),
    ("last_received_at", _time),
]
CSV_COLUMNS = [name for name, _ in COLUMNS]
CELLS = [cell for _, cell in COLUMNS]


def csv_chunks(rows: Iterable[tuple[Any, ...]], *, export: Export) -> Iterator[str]:
    """Yield the CSV (byte-order mark, header, one line per row) in chunks of text.

    Count the rows in `export.rows` as they are written and save the export when the stream
    ends, also when the consumer stops early (a client that disconnects closes the generator).
    """
    line = csv.writer(_Echo(), quoting=csv.QUOTE_MINIMAL, lineterminator="\r\n")
    try:
        yield BOM + line.writerow(CSV_COLUMNS)
        chunk: list[str] = []
        for row in rows:
            chunk.append(
                line.writerow([cell(value) for cell, value in zip(CELLS, row, strict=True)])
            )
            if len(chunk) == ROWS_PER_CHUNK:
                export.rows += len(chunk)
                yield "".join(chunk)
                chunk = []
        export.rows += len(chunk)
        yield "".join(chunk)
        export.completed = True
    finally:
        if isinstance(rows, Iterator) and hasattr(rows, "close"):
            rows.close()  # Release the server-side cursor before the next query.
        export_finish(export=export)


def result_csv_rows(queryset: QuerySet[InterviewResult]) -> Iterator[tuple[Any, ...]]:
    """Return the CSV columns of `queryset`'s rows, in its order, fetched in chunks."""
    return queryset.select_related(None).values_list(*CSV_COLUMNS).iterator(chunk_size=FETCH_SIZE)


def export_start(
    *, user: User | AnonymousUser | None, channel: str, params: dict[str, list[str]]
) -> Export:
    """Record that an export starts."""
    return Export.objects.create(
        user=user if user is not None and user.is_authenticated else None,
        channel=channel,
        params=params,
    )


def export_finish(*, export: Export) -> None:
    """Record how many rows an export wrote and whether it reached the end."""
    export.finished_at = timezone.now()
    export.save(update_fields=["rows", "completed", "finished_at"])


def filter_params(params: Any) -> dict[str, list[str]]:
    """Return the filter parameters of a QueryDict as {name: [values]}, for the record."""
    return {
        name: params.getlist(name)
        for name in ResultFilter.base_filters
        if name in params and any(params.getlist(name))
    }


def export_response(
    *,
    queryset: QuerySet[InterviewResult],
    user: User | AnonymousUser | None,
    channel: str,
    params: dict[str, list[str]],
) -> StreamingHttpResponse:
    """Return the streamed CSV download of `queryset`, recorded as an export."""
    export = export_start(user=user, channel=channel, params=params)
    response = StreamingHttpResponse(
        csv_chunks(result_csv_rows(queryset), export=export),
        content_type="text/csv; charset=utf-8",
    )
    filename = f"interview-results-{timezone.now():%Y-%m-%d}.csv"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@require_GET
@never_cache
@needs_permission(EXPORT_RESULTS)
def result_export_csv(request: HttpRequest) -> HttpResponseBase:
    """Download every result the query parameters select, as CSV."""
    try:
        queryset = result_list(params=request.GET)
    except FilterError as exc:
        return JsonResponse(exc.errors, status=400)
    return export_response(
        queryset=queryset,
        user=request.user,
        channel=Export.Channel.PAGE,
        params=filter_params(request.GET),
    )
