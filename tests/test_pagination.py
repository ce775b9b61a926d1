import base64
import datetime as dt
import json
from typing import Any

import pytest
from django.core import signing
from django.utils import timezone

from interviews.filters import ORDERINGS, ordering_expressions
from interviews.models import InterviewResult
from interviews.pagination import CURSOR_SALT, MAX_CURSOR_LENGTH, InvalidCursor, paginate
from tests.factories import InterviewResultFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def results() -> list[InterviewResult]:
    """Eleven results with ties, and nulls in both scores (some at a page's edge)."""
    now = timezone.now()
    return [
        InterviewResultFactory.create(
            score=None if n % 4 == 0 else float(n % 3),
            ai_analysis_recruiter_score=None if n % 5 == 0 else float(n % 2),
            last_received_at=now - dt.timedelta(minutes=n % 3),
        )
        for n in range(11)
    ]


def expected_order(results: list[InterviewResult], ordering: str) -> list[str]:
    """The contract's order, computed in Python: the key (nulls last either way), then id."""
    field, descending = ORDERINGS[ordering]
    with_value = [r for r in results if getattr(r, field) is not None]
    without = [r for r in results if getattr(r, field) is None]
    with_value.sort(key=lambda r: (getattr(r, field), r.id), reverse=descending)
    without.sort(key=lambda r: r.id, reverse=descending)
    return [str(r.id) for r in with_value + without]


@pytest.mark.parametrize("ordering", list(ORDERINGS))
def test_it_walks_forward_then_back_in_every_ordering(
    results: list[InterviewResult], ordering: str
) -> None:
    queryset = InterviewResult.objects.order_by(*ordering_expressions(ordering))
    pages, cursor = [], None
    while True:
        page = paginate(queryset, ordering=ordering, cursor=cursor, page_size=3)
        pages.append([str(r.id) for r in page.rows])
        if page.next_cursor is None:
            break
        cursor = page.next_cursor
    assert [row for rows in pages for row in rows] == expected_order(results, ordering)

    back = page.previous_cursor
    for rows in reversed(pages[:-1]):
        page = paginate(queryset, ordering=ordering, cursor=back, page_size=3)
        assert [str(r.id) for r in page.rows] == rows
        back = page.previous_cursor
    assert back is None


def raw_cursor(text: str) -> str:
    """Return `text` as a cursor once was: base64 of JSON, unsigned."""
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


def signed_cursor(text: str) -> str:
    """Return the JSON `text` as a validly signed cursor: what only a leaked key could forge."""
    return signing.Signer(salt=CURSOR_SALT).sign_object(json.loads(text))


ANY_ID = "912ff898-2e65-4a31-8ff5-d3c59005eb97"


@pytest.mark.parametrize(
    ("ordering", "cursor"),
    [
        # Overflows on the way to UTC.
        (
            "-received",
            f'{{"o":"-received","v":"9999-12-31T23:59:59-05:00","id":"{ANY_ID}","d":"n"}}',
        ),
        (
            "-received",
            f'{{"o":"-received","v":"0001-01-01T00:00:00+05:00","id":"{ANY_ID}","d":"p"}}',
        ),
        # A naive time: cursors carry UTC.
        ("-received", f'{{"o":"-received","v":"2026-01-01","id":"{ANY_ID}","d":"n"}}'),
        ("-score", f'{{"o":"-score","v":NaN,"id":"{ANY_ID}","d":"n"}}'),
        ("-score", f'{{"o":"-score","v":-Infinity,"id":"{ANY_ID}","d":"p"}}'),
    ],
)
def test_a_signed_cursor_with_bad_content_is_invalid_not_a_database_error(
    ordering: str, cursor: str
) -> None:
    InterviewResultFactory.create()

    with pytest.raises(InvalidCursor):
        paginate(
            InterviewResult.objects.order_by(*ordering_expressions(ordering)),
            ordering=ordering,
            cursor=signed_cursor(cursor),
            page_size=5,
        )


def page_from(cursor: str, ordering: str = "-received") -> Any:
    return paginate(
        InterviewResult.objects.order_by(*ordering_expressions(ordering)),
        ordering=ordering,
        cursor=cursor,
        page_size=5,
    )


@pytest.mark.parametrize(
    "cursor",
    [
        # The probe's cursor: base64 of 1,100 "[" made the JSON decoder recurse until it failed.
        pytest.param(raw_cursor("[" * 1100), id="deeply-nested"),
        pytest.param(
            raw_cursor(f'{{"o":"-received","v":null,"id":"{ANY_ID}","d":"n"}}'), id="unsigned"
        ),
        pytest.param("A" * (MAX_CURSOR_LENGTH + 1), id="too-long"),
        pytest.param("x:y", id="bad-signature"),
        pytest.param("\u00e9:\u00e9", id="not-ascii"),
    ],
)
def test_a_cursor_we_did_not_sign_is_invalid(cursor: str) -> None:
    InterviewResultFactory.create()

    with pytest.raises(InvalidCursor):
        page_from(cursor)


def test_a_cursor_whose_content_was_changed_is_invalid(results: list[InterviewResult]) -> None:
    cursor = page_from("").next_cursor
    assert cursor is not None
    _content, signature = cursor.rsplit(":", 1)
    tampered = raw_cursor(
        json.dumps({**signing.Signer(salt=CURSOR_SALT).unsign_object(cursor), "d": "p"})
    )

    with pytest.raises(InvalidCursor):
        page_from(f"{tampered}:{signature}")


def test_a_cursor_signed_with_a_fallback_key_still_pages(
    results: list[InterviewResult], settings: Any
) -> None:
    cursor = page_from("").next_cursor
    assert cursor is not None
    settings.SECRET_KEY_FALLBACKS = [settings.SECRET_KEY]
    settings.SECRET_KEY = "a-new-key-after-rotation"

    assert len(page_from(cursor).rows) == 5


def test_the_api_pages_from_a_cursor_with_an_offset_postgresql_refuses(admin_client: Any) -> None:
    # PostgreSQL refuses an offset beyond ±15:59 (a 500 before): the cursor is read in UTC.
    cursor = signed_cursor(
        f'{{"o":"-received","v":"2026-01-01T00:00:00-23:59","id":"{ANY_ID}","d":"n"}}'
    )

    response = admin_client.get("/api/results/", {"cursor": cursor})

    assert response.status_code == 200


@pytest.mark.parametrize(
    "value", ["9999-12-31T23:59:59-05:00", "2026-01-01", "2026-01-01T00:00:00\u0000"]
)
def test_the_api_answers_400_for_a_cursor_time_it_cannot_use(admin_client: Any, value: str) -> None:
    cursor = signing.Signer(salt=CURSOR_SALT).sign_object(
        {"o": "-received", "v": value, "id": ANY_ID, "d": "n"}
    )

    response = admin_client.get("/api/results/", {"cursor": cursor})

    assert response.status_code == 400
    assert response.json() == {"cursor": ["Invalid cursor."]}


def test_a_cursor_in_another_offset_still_pages_from_the_same_instant(
    results: list[InterviewResult],
) -> None:
    ordering = "-received"
    queryset = InterviewResult.objects.order_by(*ordering_expressions(ordering))
    first = paginate(queryset, ordering=ordering, cursor=None, page_size=4)
    assert first.next_cursor is not None
    payload = signing.Signer(salt=CURSOR_SALT).unsign_object(first.next_cursor)
    moment = dt.datetime.fromisoformat(payload["v"]).astimezone(dt.timezone(dt.timedelta(hours=2)))
    shifted = signed_cursor(json.dumps({**payload, "v": moment.isoformat()}))

    again = paginate(queryset, ordering=ordering, cursor=shifted, page_size=4)

    expected = paginate(queryset, ordering=ordering, cursor=first.next_cursor, page_size=4)
    assert [row.pk for row in again.rows] == [row.pk for row in expected.rows]
