"""The one FilterSet: the list page, the API, the CSV export and the export command all filter
through `ResultFilter`, so a query string means the same thing everywhere (CONTRACT.md "Filters").
"""

import datetime as dt
import json
from typing import Any

import django_filters as filters
from django import forms
from django.db import connection
from django.db.models import F, Q, QuerySet
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from drf_spectacular.utils import extend_schema_field

from interviews.models import DECISION_CHOICES, Event, Interview, InterviewResult, decision_q

# ordering value -> (model field, descending). Results without the field's value come last in
# either direction; ties are broken by id in the same direction (see `ordering_expressions`).
ORDERINGS: dict[str, tuple[str, bool]] = {
    "score": ("score", False),
    "-score": ("score", True),
    "ai_score": ("ai_analysis_recruiter_score", False),
    "-ai_score": ("ai_analysis_recruiter_score", True),
    "received": ("last_received_at", False),
    "-received": ("last_received_at", True),
}
DEFAULT_ORDERING = "-received"
ORDERING_CHOICES = [
    ("-received", "Newest first"),
    ("received", "Oldest first"),
    ("-score", "Highest score"),
    ("score", "Lowest score"),
    ("-ai_score", "Highest AI score"),
    ("ai_score", "Lowest AI score"),
]


def ordering_expressions(ordering: str) -> list[Any]:
    """Return the ORDER BY for an ordering value: the key with nulls last, then id."""
    field, descending = ORDERINGS[ordering]
    # NULLS LAST only where there can be nulls: on a NOT NULL column it would stop PostgreSQL
    # from walking the (DESC NULLS FIRST) index of the received sort, and sort the whole table.
    nulls_last = True if InterviewResult._meta.get_field(field).null else None
    if descending:
        return [F(field).desc(nulls_last=nulls_last), F("id").desc()]
    return [F(field).asc(nulls_last=nulls_last), F("id").asc()]


class AnyValueMultipleChoiceField(forms.MultipleChoiceField):
    """Repeatable parameter that takes any value: the platform may add statuses at any time.

    The choices only feed the page's checkboxes.
    """

    def valid_value(self, value: str) -> bool:
        return True

    def validate(self, value: Any) -> None:
        super().validate(value)
        # As forms.CharField does: PostgreSQL refuses NUL in a query parameter (a 500).
        if any("\x00" in item for item in value):
            raise forms.ValidationError("Null characters are not allowed.", code="null_characters")


class AnyValueFilter(filters.MultipleChoiceFilter):
    """`?status=a&status=b` matches a or b exactly; values are never split on commas."""

    field_class = AnyValueMultipleChoiceField

    def filter(self, qs: QuerySet, value: list[str]) -> QuerySet:
        if not value:
            return qs
        return qs.filter(**{f"{self.field_name}__in": value})


class ReceivedBoundField(forms.Field):
    """An ISO date or date-time. A bare date is the whole day in TIME_ZONE."""

    # Far enough from datetime's own limits that moving to UTC or to the next day cannot overflow.
    YEARS = range(1900, 9000)
    message = "Enter an ISO date (2026-01-31) or date-time (2026-01-31T09:00:00Z)."

    def to_python(self, value: Any) -> dt.date | dt.datetime | None:
        value = str(value or "").strip()
        if not value:
            return None
        parsed: dt.date | dt.datetime | None
        try:
            # A bare date first: parse_datetime (fromisoformat) would read it as midnight, and
            # received_before=2026-01-31 must include that whole day.
            parsed = parse_date(value) or parse_datetime(value)
        except ValueError:
            parsed = None
        if parsed is None:
            raise forms.ValidationError(self.message)
        if parsed.year not in self.YEARS:
            raise forms.ValidationError(
                f"Enter a date between {self.YEARS.start} and {self.YEARS.stop - 1}."
            )
        if isinstance(parsed, dt.datetime):
            if timezone.is_naive(parsed):
                parsed = timezone.make_aware(parsed)
            # In UTC: PostgreSQL refuses offsets beyond ±15:59, which Python accepts.
            parsed = parsed.astimezone(dt.UTC)
        return parsed


def _day_start(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


# The API schema: an ISO date or date-time, which no single OpenAPI format describes.
@extend_schema_field(
    {
        "type": "string",
        "example": "2026-01-31",
        "description": "An ISO date (the whole day) or date-time; inclusive.",
    }
)
class ReceivedBoundFilter(filters.Filter):
    field_class = ReceivedBoundField

    def filter(self, qs: QuerySet, value: dt.date | dt.datetime | None) -> QuerySet:
        if value is None:
            return qs
        if self.lookup_expr == "gte":
            bound = value if isinstance(value, dt.datetime) else _day_start(value)
            return qs.filter(last_received_at__gte=bound)
        if isinstance(value, dt.datetime):
            return qs.filter(last_received_at__lte=value)
        # Inclusive: everything before the next day starts.
        return qs.filter(last_received_at__lt=_day_start(value + dt.timedelta(days=1)))


class ResultFilter(filters.FilterSet):
    status = AnyValueFilter(field_name="status", label="Status")
    interview_status = AnyValueFilter(field_name="interview_status", label="Interview status")
    processing_status = AnyValueFilter(field_name="processing_status", label="Processing status")
    event = filters.MultipleChoiceFilter(
        choices=Event.choices, method="filter_event", label="Event"
    )
    decision = filters.ChoiceFilter(
        choices=DECISION_CHOICES,
        method="filter_decision",
        label="Decision",
        empty_label="Any decision",
    )
    score_min = filters.NumberFilter(field_name="score", lookup_expr="gte", label="Score from")
    score_max = filters.NumberFilter(field_name="score", lookup_expr="lte", label="Score to")
    ai_score_min = filters.NumberFilter(
        field_name="ai_analysis_recruiter_score", lookup_expr="gte", label="AI score from"
    )
    ai_score_max = filters.NumberFilter(
        field_name="ai_analysis_recruiter_score", lookup_expr="lte", label="AI score to"
    )
    interview = filters.ModelMultipleChoiceFilter(
        field_name="interview", queryset=Interview.objects.all(), label="Interview"
    )
    q = filters.CharFilter(method="filter_search", label="Search")
    received_after = ReceivedBoundFilter(lookup_expr="gte", label="Received from")
    received_before = ReceivedBoundFilter(lookup_expr="lte", label="Received until")
    ordering = filters.ChoiceFilter(
        choices=ORDERING_CHOICES, method="filter_ordering", label="Sort", empty_label=None
    )

    class Meta:
        model = InterviewResult
        fields: list[str] = []

    def filter_event(self, qs: QuerySet, name: str, value: list[str]) -> QuerySet:
        return qs.filter(event__in=value) if value else qs

    def filter_decision(self, qs: QuerySet, name: str, value: str) -> QuerySet:
        return qs.filter(decision_q(value))

    def filter_search(self, qs: QuerySet, name: str, value: str) -> QuerySet:
        value = value.strip()
        if not value:
            return qs
        # The reasons are JSON lists, searched as their JSON text: look for the term as it is
        # written inside a JSON string (a quote as \", and on SQLite, which stores JSON with
        # ASCII escapes, "é" as \u00e9), so that neither punctuation nor accents go astray.
        in_json = json.dumps(value, ensure_ascii=connection.vendor != "postgresql")[1:-1]
        return qs.filter(
            Q(candidate_name__icontains=value)
            | Q(candidate_email__icontains=value)
            | Q(candidate_external_id__icontains=value)
            | Q(ai_analysis_recruiter__icontains=value)
            | Q(ai_analysis_recruiter_why_hire__icontains=in_json)
            | Q(ai_analysis_recruiter_why_not_hire__icontains=in_json)
        )

    def filter_ordering(self, qs: QuerySet, name: str, value: str) -> QuerySet:
        return qs.order_by(*ordering_expressions(value or DEFAULT_ORDERING))

    @property
    def ordering_value(self) -> str:
        """Return the validated ordering (the default when none or an invalid one was asked)."""
        if self.is_bound and self.is_valid():
            return self.form.cleaned_data.get("ordering") or DEFAULT_ORDERING
        return DEFAULT_ORDERING

    def filter_queryset(self, queryset: QuerySet) -> QuerySet:
        # The default order applies when no ordering was asked for.
        queryset = super().filter_queryset(queryset)
        if not (self.form.cleaned_data.get("ordering")):
            queryset = queryset.order_by(*ordering_expressions(DEFAULT_ORDERING))
        return queryset
