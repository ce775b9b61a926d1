"""Reads: every screen gets its results through these functions and the one FilterSet."""

import hashlib
import json
import math
import uuid
from dataclasses import dataclass
from typing import Any

from django.core.cache import cache
from django.db import connection
from django.db.models import Count, Max, Min, Q, QuerySet

from interviews.filters import ResultFilter
from interviews.models import (
    DECISIONS,
    KNOWN_INTERVIEW_STATUSES,
    KNOWN_PROCESSING_STATUSES,
    KNOWN_STATUSES,
    RESET_FOR_RETAKE,
    Delivery,
    Event,
    InterviewResult,
    decision_q,
)
from interviews.pagination import cursor_at, paginate


class FilterError(ValueError):
    """The filter parameters are invalid; `errors` maps each parameter to its messages."""

    def __init__(self, errors: dict[str, list[str]]) -> None:
        super().__init__(errors)
        self.errors = errors


def result_filterset(*, params: Any) -> ResultFilter:
    """Return the bound FilterSet over the results, with the related rows the screens show."""
    queryset = InterviewResult.objects.select_related("interview", "report_archive")
    return ResultFilter(params, queryset=queryset)


def result_list(*, params: Any) -> QuerySet[InterviewResult]:
    """Return the results the filter parameters select, in their ordering.

    Raise FilterError when a parameter is invalid: a bad value never silently widens or empties
    the list.
    """
    filterset = result_filterset(params=params)
    if not filterset.is_valid():
        raise FilterError({name: list(errors) for name, errors in filterset.errors.items()})
    return filterset.qs


STATUS_FIELDS = {
    "status": KNOWN_STATUSES,
    "interview_status": KNOWN_INTERVIEW_STATUSES,
    "processing_status": KNOWN_PROCESSING_STATUSES,
}


def result_status_values(*, field: str) -> list[str]:
    """Return the documented values of a status field plus any other value present in the data.

    Cached for a minute: it only feeds the filters' choices.
    """
    known = STATUS_FIELDS[field]
    key = f"result-status-values:{field}"
    present = cache.get(key)
    if present is None:
        present = _distinct_values(field)
        cache.set(key, present, 60)
    return known + [value for value in present if value not in known]


def _distinct_values(field: str) -> list[str]:
    """Return the distinct non-null values of a status column, sorted."""
    if connection.vendor != "postgresql":
        values = InterviewResult.objects.order_by().values_list(field, flat=True).distinct()
        return sorted(value for value in values if value is not None)
    # A loose index scan: one index probe per distinct value, where SELECT DISTINCT would read
    # every row (a quarter of a second per column at a million results).
    column = connection.ops.quote_name(field)  # the status columns are named as their fields
    table = connection.ops.quote_name(InterviewResult._meta.db_table)
    sql = (
        f"WITH RECURSIVE present(value) AS ("  # noqa: S608 (names come from the model)
        f" SELECT min({column}) FROM {table}"
        f" UNION ALL"
        f" SELECT (SELECT min({column}) FROM {table} WHERE {column} > present.value)"
        f" FROM present WHERE present.value IS NOT NULL"
        f") SELECT value FROM present WHERE value IS NOT NULL"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return [row[0] for row in cursor.fetchall()]


# --- The recruiter pages ----------------------------------------------------------------------


@dataclass(frozen=True)
class ResultSummary:
    """Counts of the results a filter selects, by event and by decision, and their score span."""

    total: int
    events: dict[str, int]
    decisions: dict[str, int]
    reset_for_retake: int
    scored: int
    score_min: float | None
    score_max: float | None

    @property
    def unscored(self) -> int:
        return self.total - self.scored


# The counts and charts are aggregates over every matching result: at a million results each
# costs a few hundred milliseconds, so they are kept for a minute per filter (the table is live).
SUMMARY_CACHE_SECONDS = 60


def _aggregate_cached(queryset: QuerySet[InterviewResult], aggregates: dict[str, Any]) -> Any:
    """Return `queryset.aggregate(**aggregates)`, cached per query for SUMMARY_CACHE_SECONDS."""
    query = queryset.order_by()
    sql, params = query.query.sql_with_params()
    fingerprint = f"{sql}|{params!r}|{aggregates!r}"
    key = "result-aggregate:" + hashlib.sha256(fingerprint.encode()).hexdigest()
    row = cache.get(key)
    if row is None:
        row = query.aggregate(**aggregates)
        cache.set(key, row, SUMMARY_CACHE_SECONDS)
    return row


# Beyond this many rows the list shows an estimated count and loads its charts afterwards.
LARGE_RESULT_SET = 100_000


def result_count_estimate(*, queryset: QuerySet[InterviewResult]) -> int | None:
    """Return the planner's estimate of how many results `queryset` selects, when it expects
    more than LARGE_RESULT_SET (PostgreSQL only; None otherwise, where an exact count is cheap).
    """
    if connection.vendor != "postgresql":
        return None
    plan = json.loads(queryset.order_by().explain(format="json"))
    rows = int(plan[0]["Plan"]["Plan Rows"])
    return rows if rows > LARGE_RESULT_SET else None


def result_count(*, queryset: QuerySet[InterviewResult]) -> int:
    """Return how many results `queryset` selects (cached like the summary)."""
    return _aggregate_cached(queryset, {"total": Count("pk")})["total"]


def result_summary(*, queryset: QuerySet[InterviewResult]) -> ResultSummary:
    """Return the counts per event and per decision of `queryset` in one aggregate query."""
    aggregates: dict[str, Any] = {
        "total": Count("pk"),
        "reset_for_retake": Count("pk", filter=RESET_FOR_RETAKE),
        "scored": Count("score"),
        "score_min": Min("score"),
        "score_max": Max("score"),
        **{f"decision_{key}": Count("pk", filter=decision_q(key)) for key in DECISIONS},
    }
    for event in Event.values:
        aggregates[f"event_{event}"] = Count("pk", filter=Q(event=event))
    row = _aggregate_cached(queryset, aggregates)
    return ResultSummary(
        total=row["total"],
        events={event: row[f"event_{event}"] for event in Event.values},
        decisions={key: row[f"decision_{key}"] for key in DECISIONS},
        reset_for_retake=row["reset_for_retake"],
        scored=row["scored"],
        score_min=row["score_min"],
        score_max=row["score_max"],
    )


@dataclass(frozen=True)
class HistogramBin:
    lower: float
    upper: float
    count: int


def result_score_histogram(
    *, queryset: QuerySet[InterviewResult], low: float, high: float, bins: int = 10
) -> list[HistogramBin]:
    """Return how many scores of `queryset` fall in each of `bins` equal bins from low to high.

    The bounds come from the data (ResultSummary): the platform documents no score range. One
    aggregate query; the last bin includes `high`.
    """
    if high <= low:
        return [HistogramBin(low, high, queryset.filter(score=low).count())]
    width = (high - low) / bins
    edges = [low + width * index for index in range(bins)] + [high]
    aggregates = {
        f"bin_{index}": Count(
            "pk",
            filter=Q(score__gte=edges[index])
            & (Q(score__lte=high) if index == bins - 1 else Q(score__lt=edges[index + 1])),
        )
        for index in range(bins)
    }
    row = _aggregate_cached(queryset, aggregates)
    return [HistogramBin(edges[i], edges[i + 1], row[f"bin_{i}"]) for i in range(bins)]


def result_get(*, result_id: uuid.UUID) -> InterviewResult:
    """Return one result with its interview; raise InterviewResult.DoesNotExist."""
    return InterviewResult.objects.select_related("interview", "report_archive").get(pk=result_id)


def result_deliveries(*, result: InterviewResult) -> list[Delivery]:
    """Return the result's deliveries, newest first, without their raw bodies (one query)."""
    return list(
        Delivery.objects.filter(result=result)
        .defer("body", "headers")
        .order_by("-received_at", "-id")
    )


@dataclass(frozen=True)
class ScoreRank:
    """Where a score stands among the scored results of the same interview."""

    higher: int
    total: int

    @property
    def top_percent(self) -> int:
        """Return the share of results scoring at least as high, as a whole percentage (>= 1)."""
        return max(1, math.ceil((self.higher + 1) * 100 / self.total))


def result_score_ranks(*, result: InterviewResult) -> dict[str, ScoreRank | None]:
    """Return the rank of the result's score and AI score within its interview (one query).

    A rank is None when the result has no such score or no interview.
    """
    fields = {"score": "score", "ai_score": "ai_analysis_recruiter_score"}
    ranks: dict[str, ScoreRank | None] = dict.fromkeys(fields)
    if result.interview_id is None:
        return ranks
    aggregates: dict[str, Any] = {}
    for key, field in fields.items():
        value = getattr(result, field)
        if value is None:
            continue
        aggregates[f"{key}_total"] = Count(field)
        aggregates[f"{key}_higher"] = Count("pk", filter=Q(**{f"{field}__gt": value}))
    if not aggregates:
        return ranks
    row = InterviewResult.objects.filter(interview_id=result.interview_id).aggregate(**aggregates)
    for key in fields:
        if f"{key}_total" in row:
            ranks[key] = ScoreRank(higher=row[f"{key}_higher"], total=row[f"{key}_total"])
    return ranks


def result_neighbours(
    *, result: InterviewResult, params: Any
) -> tuple[InterviewResult | None, InterviewResult | None]:
    """Return the results just before and just after `result` in the list `params` describe.

    The same FilterSet and keyset order as the list page: one row each side. (None, None) when
    the parameters are invalid.
    """
    filterset = result_filterset(params=params)
    if not filterset.is_valid():
        return None, None
    ordering = filterset.ordering_value
    queryset = filterset.qs
    neighbours = []
    for forward in (False, True):
        cursor = cursor_at(result, ordering=ordering, forward=forward)
        rows = paginate(queryset, ordering=ordering, cursor=cursor, page_size=1).rows
        neighbours.append(rows[0] if rows else None)
    return neighbours[0], neighbours[1]
