"""Keyset pagination shared by the list page and the API.

Pages are addressed by an opaque cursor holding the last row's sort key and id, so page 10,000
costs what page 1 costs (no OFFSET). Every ordering of the contract works, with nulls last in
either direction; DRF's CursorPagination cannot do that.
"""

import base64
import binascii
import json
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import Q, QuerySet

from interviews.filters import ORDERINGS
from interviews.models import InterviewResult


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
    raw = json.dumps(payload, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def cursor_at(row: InterviewResult, *, ordering: str, forward: bool) -> str:
    """Return a cursor that pages from `row` (excluded) forwards or backwards in `ordering`."""
    return _encode(ordering, row, "n" if forward else "p")


def decode_cursor(cursor: str, ordering: str) -> dict[str, Any]:
    """Return the cursor's position, or raise InvalidCursor."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        payload = json.loads(raw)
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
            payload["v"] = datetime.fromisoformat(value)
        elif value is not None and (isinstance(value, bool) or not isinstance(value, int | float)):
            raise InvalidCursor("Invalid cursor.")
        elif value is not None:
            payload["v"] = float(value)  # The score columns are floats; a huge int overflows.
        return payload
    except InvalidCursor:
        raise
    except (ValueError, TypeError, KeyError, OverflowError, binascii.Error, UnicodeDecodeError):
        raise InvalidCursor("Invalid cursor.") from None


def _after(field: str, descending: bool, value: Any, pk: uuid.UUID) -> Q:
    """Rows strictly after (value, pk) in the order (field nulls last, id), same direction."""
    beyond, tie = ("lt", "lt") if descending else ("gt", "gt")
    if value is None:
        # In the trailing block of nulls only the id decides.
        return Q(**{f"{field}__isnull": True, f"id__{tie}": pk})
    return (
        Q(**{f"{field}__{beyond}": value})
        | Q(**{field: value, f"id__{tie}": pk})
        | Q(**{f"{field}__isnull": True})
    )


def _before(field: str, descending: bool, value: Any, pk: uuid.UUID) -> Q:
    """Rows strictly before (value, pk) in the same order."""
    before, tie = ("gt", "gt") if descending else ("lt", "lt")
    if value is None:
        return Q(**{f"{field}__isnull": False}) | Q(**{f"{field}__isnull": True, f"id__{tie}": pk})
    return Q(**{f"{field}__{before}": value}) | Q(**{field: value, f"id__{tie}": pk})


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
        rows = list(queryset.filter(_after(field, descending, value, pk))[: page_size + 1])
        has_more = len(rows) > page_size
        rows = rows[:page_size]
        return Page(
            rows=rows,
            next_cursor=_encode(ordering, rows[-1], "n") if has_more and rows else None,
            previous_cursor=_encode(ordering, rows[0], "p") if rows else None,
        )

    # Backwards: walk the reversed order, then put the rows back in page order.
    reversed_rows = list(
        queryset.filter(_before(field, descending, value, pk)).reverse()[: page_size + 1]
    )
    has_more = len(reversed_rows) > page_size
    rows = list(reversed(reversed_rows[:page_size]))
    return Page(
        rows=rows,
        next_cursor=_encode(ordering, rows[-1], "n") if rows else None,
        previous_cursor=_encode(ordering, rows[0], "p") if has_more and rows else None,
    )
