"""Keyset pagination shared by the list page and the API.

Pages are addressed by an opaque cursor holding the last row's sort key and id, so page 10,000
costs what page 1 costs (no OFFSET). Every ordering of the contract works, with nulls last in
either direction; DRF's CursorPagination cannot do that.

Cursors are signed (Django's signing, with SECRET_KEY and its fallbacks): a cursor we did not
make is refused before its content is read, so no crafted JSON (deeply nested, huge) reaches
the decoder. What a signed cursor holds is still checked, as a second line.
"""

import datetime as dt
import math
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.core import signing
from django.db.models import Q, QuerySet

from interviews.filters import ORDERINGS
from interviews.models import InterviewResult

CURSOR_SALT = "interviews.pagination.cursor"
# A real cursor is under 200 characters; anything far longer was not made here.
MAX_CURSOR_LENGTH = 512


class InvalidCursor(ValueError):
    """The cursor was tampered with, truncated or made for another ordering."""


@dataclass
class Page:
    rows: list[InterviewResult]
    next_cursor: str | None
    previous_cursor: str | None


def _encode(ordering: str, row: InterviewResult, direction: str) -> str:
    field, _ = ORDERINGS[ordering]
    value = getattr(row, field)
    if isinstance(value, datetime):
        value = value.isoformat()
    payload = {"o": ordering, "v": value, "id": str(row.pk), "d": direction}
    return signing.Signer(salt=CURSOR_SALT).sign_object(payload)


def cursor_at(row: InterviewResult, *, ordering: str, forward: bool) -> str:
    """Return a cursor that pages from `row` (excluded) forwards or backwards in `ordering`."""
    return _encode(ordering, row, "n" if forward else "p")


def decode_cursor(cursor: str, ordering: str) -> dict[str, Any]:
    """Return the cursor's position, or raise InvalidCursor."""
    if len(cursor) > MAX_CURSOR_LENGTH:
        raise InvalidCursor("Invalid cursor.")
    try:
        payload = signing.Signer(salt=CURSOR_SALT).unsign_object(cursor)
    except (signing.BadSignature, ValueError, UnicodeError):
        raise InvalidCursor("Invalid cursor.") from None
    try:
        if not isinstance(payload, dict) or payload.get("o") != ordering:
            raise InvalidCursor("The cursor belongs to another ordering.")
        if payload.get("d") not in ("n", "p"):
            raise InvalidCursor("Invalid cursor.")
        payload["id"] = uuid.UUID(str(payload["id"]))
        field, _ = ORDERINGS[ordering]
        value = payload.get("v")
        if field == "last_received_at":
            if not isinstance(value, str):
                raise InvalidCursor("Invalid cursor.")
            moment = datetime.fromisoformat(value)
            if moment.tzinfo is None:
                raise InvalidCursor("Invalid cursor.")
            # Cursors carry UTC; another offset (PostgreSQL refuses one beyond ±15:59) or a time
            # that overflows on the way to UTC was not made here.
            payload["v"] = moment.astimezone(dt.UTC)
        elif value is not None and (isinstance(value, bool) or not isinstance(value, int | float)):
            raise InvalidCursor("Invalid cursor.")
        elif value is not None:
            payload["v"] = float(value)  # The score columns are floats; a huge int overflows.
            if not math.isfinite(payload["v"]):
                raise InvalidCursor("Invalid cursor.")
        return payload
    except InvalidCursor:
        raise
    except (ValueError, TypeError, KeyError, OverflowError):
        raise InvalidCursor("Invalid cursor.") from None


def _beyond(field: str, cmp: str, value: Any, pk: uuid.UUID) -> Q:
    """Rows past (value, pk) among those with a value, `cmp` being "lt" or "gt".

    Written as `field <= value AND (field < value OR id < pk)` rather than as one OR: the first
    term is a range PostgreSQL walks in the sort's index from the cursor on, where an OR would
    make it read every row before the cursor too.
    """
    return Q(**{f"{field}__{cmp}e": value}) & (
        Q(**{f"{field}__{cmp}": value}) | Q(**{f"id__{cmp}": pk})
    )


def _segments_after(field: str, descending: bool, value: Any, pk: uuid.UUID) -> list[Q]:
    """Return, in page order, the filters of the rows after (value, pk): first those with a
    value, then the trailing block of nulls (where only the id decides)."""
    cmp = "lt" if descending else "gt"
    nulls = Q(**{f"{field}__isnull": True})
    if value is None:
        return [nulls & Q(**{f"id__{cmp}": pk})]
    if InterviewResult._meta.get_field(field).null:
        return [_beyond(field, cmp, value, pk), nulls]
    return [_beyond(field, cmp, value, pk)]


def _segments_before(field: str, descending: bool, value: Any, pk: uuid.UUID) -> list[Q]:
    """Return, in reversed page order, the filters of the rows before (value, pk)."""
    cmp = "gt" if descending else "lt"
    if value is None:
        return [
            Q(**{f"{field}__isnull": True, f"id__{cmp}": pk}),
            Q(**{f"{field}__isnull": False}),
        ]
    return [_beyond(field, cmp, value, pk)]


def _take(queryset: QuerySet[InterviewResult], segments: list[Q], limit: int) -> list[Any]:
    """Return up to `limit` rows, reading the segments in turn (one query each, at most)."""
    rows: list[Any] = []
    for segment in segments:
        rows += queryset.filter(segment)[: limit - len(rows)]
        if len(rows) == limit:
            break
    return rows


def paginate(
    queryset: QuerySet[InterviewResult], *, ordering: str, cursor: str | None, page_size: int
) -> Page:
    """Return one page of `queryset` (already filtered and ordered by `ordering`)."""
    field, descending = ORDERINGS[ordering]
    if not cursor:
        rows = list(queryset[: page_size + 1])
        has_more = len(rows) > page_size
        rows = rows[:page_size]
        return Page(
            rows=rows,
            next_cursor=_encode(ordering, rows[-1], "n") if has_more else None,
            previous_cursor=None,
        )

    position = decode_cursor(cursor, ordering)
    value, pk = position["v"], position["id"]
    if position["d"] == "n":
        rows = _take(queryset, _segments_after(field, descending, value, pk), page_size + 1)
        has_more = len(rows) > page_size
        rows = rows[:page_size]
        return Page(
            rows=rows,
            next_cursor=_encode(ordering, rows[-1], "n") if has_more and rows else None,
            previous_cursor=_encode(ordering, rows[0], "p") if rows else None,
        )

    # Backwards: walk the reversed order, then put the rows back in page order.
    reversed_rows = _take(
        queryset.reverse(), _segments_before(field, descending, value, pk), page_size + 1
    )
    has_more = len(reversed_rows) > page_size
    rows = list(reversed(reversed_rows[:page_size]))
    return Page(
        rows=rows,
        next_cursor=_encode(ordering, rows[-1], "n") if rows else None,
        previous_cursor=_encode(ordering, rows[0], "p") if has_more and rows else None,
    )
