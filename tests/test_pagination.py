import datetime as dt

import pytest
from django.utils import timezone

from interviews.filters import ORDERINGS, ordering_expressions
from interviews.models import InterviewResult
from interviews.pagination import paginate
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
