"""Reads: every screen gets its results through these functions and the one FilterSet."""

from typing import Any

from django.core.cache import cache
from django.db.models import QuerySet

from interviews.filters import ResultFilter
from interviews.models import (
    KNOWN_INTERVIEW_STATUSES,
    KNOWN_PROCESSING_STATUSES,
    KNOWN_STATUSES,
    InterviewResult,
)


class FilterError(ValueError):
    """The filter parameters are invalid; `errors` maps each parameter to its messages."""

    def __init__(self, errors: dict[str, list[str]]) -> None:
        super().__init__(errors)
        self.errors = errors


def result_filterset(*, params: Any) -> ResultFilter:
    """Return the bound FilterSet over the results, with the related rows the screens show."""
    queryset = InterviewResult.objects.select_related("interview")
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

    Cached for a minute: it is a scan of an index and only feeds the filter's checkboxes.
    """
    known = STATUS_FIELDS[field]
    key = f"result-status-values:{field}"
    present = cache.get(key)
    if present is None:
        present = sorted(
            value
            for value in InterviewResult.objects.order_by()
            .values_list(field, flat=True)
            .distinct()
            if value is not None
        )
        cache.set(key, present, 60)
    return known + [value for value in present if value not in known]
