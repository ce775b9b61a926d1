"""The operators' admin: results and deliveries as the platform sent them (read-only), interview
names (editable), and the record of every export.

Results and deliveries are the platform's data and the product's audit trail, so the admin never
changes or deletes them: a decision is taken on the platform, and erasing a candidate's data
belongs to a dedicated feature that also covers the deliveries and logs why.
"""

import contextlib
import json
import uuid
from collections import Counter
from collections.abc import Iterable
from typing import Any, cast

from django.contrib import admin, messages
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.admin.utils import quote
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import connections
from django.db.models import Count, Max, Min, Model, Q, QuerySet
from django.http import HttpRequest, HttpResponseBase
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.functional import cached_property
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.text import Truncator

from interviews.exports import export_response
from interviews.filters import DEFAULT_ORDERING, ordering_expressions
from interviews.ingest import delivery_replay
from interviews.models import (
    DECISION_CHOICES,
    DECISIONS,
    Delivery,
    Erasure,
    Export,
    Interview,
    InterviewResult,
    ReportArchive,
    decision_q,
)
from interviews.privacy import candidate_erase, selector_make
from interviews.reports import report_archive_queue
from interviews.roles import ERASE_CANDIDATES, EXPORT_RESULTS, RETRY_REPORTS
from interviews.selectors import result_status_values


class EstimatedCountPaginator(Paginator):
    """A paginator that never counts a large table row by row.

    Unfiltered on PostgreSQL, a table bigger than `estimate_above` rows is counted by the
    planner's estimate (pg_class.reltuples, kept current by autovacuum). Anything else is counted
    exactly, but at most up to `count_cap` rows: beyond that, narrow the list with a filter.
    """

    estimate_above = 100_000
    count_cap = 100_000

    @cached_property
    def count(self) -> int:
        queryset = cast(QuerySet, self.object_list)
        if not queryset.query.where:
            estimate = table_row_estimate(queryset.model, using=queryset.db)
            if estimate is not None and estimate > self.estimate_above:
                return estimate
        return queryset.order_by()[: self.count_cap].count()


def table_row_estimate(model: type[Model], *, using: str) -> int | None:
    """Return PostgreSQL's estimate of the table's rows; None elsewhere or before any ANALYZE."""
    connection = connections[using]
    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT reltuples::bigint FROM pg_class WHERE oid = %s::regclass",
            [model._meta.db_table],
        )
        row = cursor.fetchone()
    return int(row[0]) if row and row[0] >= 0 else None


def pretty_body(body: bytes | memoryview) -> SafeString:
    """Return a delivery's raw body for reading: pretty-printed when JSON, else as sent; escaped.

    A stored body may be anything a sender could send (that is why rejected ones are kept):
    invalid UTF-8 shows as backslash escapes (\\xff), and JSON that cannot be shown as text (a
    lone surrogate such as "\\ud800", absurd nesting) is shown as sent rather than re-encoded.
    """
    text = bytes(body).decode("utf-8", errors="backslashreplace")
    with contextlib.suppress(ValueError, RecursionError):
        pretty = json.dumps(json.loads(text), indent=2, ensure_ascii=False)
        pretty.encode("utf-8")  # UnicodeEncodeError (a ValueError) for a lone surrogate
        text = pretty
    return format_html("<pre>{}</pre>", text)


def html_list(items: Iterable[Any]) -> SafeString:
    """Return the items as an escaped <ul>."""
    return format_html("<ul>{}</ul>", format_html_join("", "<li>{}</li>", ((i,) for i in items)))


class ScoreRangeFilter(admin.SimpleListFilter):
    """Five equal bands between the lowest and the highest score present, and "no score".

    The platform documents no scale, so the bands follow the data. A band's value is
    "low:high", matching low <= score < high (the last band ends at infinity).
    """

    title = "score"
    parameter_name = "score_range"
    field = "score"
    bands = 5

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        bounds = model_admin.get_queryset(request).aggregate(
            low=Min(self.field), high=Max(self.field)
        )
        low, high = bounds["low"], bounds["high"]
        choices = []
        if low is not None:
            width = (high - low) / self.bands
            edges = [low + width * i for i in range(self.bands)] if width else [low]
            uppers = [*edges[1:], float("inf")]
            labels = [*edges[1:], high]
            for lower, upper, label in zip(edges, uppers, labels, strict=True):
                choices.append((f"{lower!r}:{upper!r}", f"{lower:.2f} to {label:.2f}"))
        choices.append(("none", "No score"))
        return choices

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet | None:
        value = self.value()
        if not value:
            return None
        if value == "none":
            return queryset.filter(**{f"{self.field}__isnull": True})
        try:
            lower, upper = (float(bound) for bound in value.split(":"))
        except ValueError:
            raise IncorrectLookupParameters(f"Invalid {self.parameter_name}.") from None
        return queryset.filter(**{f"{self.field}__gte": lower, f"{self.field}__lt": upper})


class AIScoreRangeFilter(ScoreRangeFilter):
    title = "AI score"
    parameter_name = "ai_score_range"
    field = "ai_analysis_recruiter_score"


class StatusFilter(admin.SimpleListFilter):
    """A status column's known values plus those present in the data.

    Django's default filter for a plain column runs SELECT DISTINCT over the whole table on every
    page view; `result_status_values` is cached and walks the index.
    """

    field = "status"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [(value, value) for value in result_status_values(field=self.field)]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet | None:
        value = self.value()
        return queryset if value is None else queryset.filter(**{self.field: value})


def status_filter(field: str, title: str) -> type[StatusFilter]:
    """Return the StatusFilter of one column, its URL parameter named as Django's own."""
    attributes = {"field": field, "title": title, "parameter_name": f"{field}__exact"}
    return type(f"{field.title().replace('_', '')}Filter", (StatusFilter,), attributes)


class DecisionFilter(admin.SimpleListFilter):
    title = "decision"
    parameter_name = "decision"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return DECISION_CHOICES

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet | None:
        value = self.value()
        if value not in DECISIONS:
            return None
        return queryset.filter(decision_q(value))


class ViewOnly:
    """No add, change or delete: for the platform's data and the audit trail."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class ReadOnlyAdmin(ViewOnly, admin.ModelAdmin):
    """A view-only changelist and detail."""


class DeliveryInline(ViewOnly, admin.TabularInline):
    model = Delivery
    fields = readonly_fields = (
        "received_at",
        "outcome",
        "late_retry",
        "what_changed",
        "replayed_at",
    )
    ordering = ["received_at", "id"]
    extra = 0
    can_delete = False
    show_change_link = True
    verbose_name_plural = "delivery history"

    def get_queryset(self, request: HttpRequest) -> QuerySet[Delivery]:
        # The history shows no bodies: a result's deliveries may hold megabytes of them.
        return super().get_queryset(request).defer("body", "headers")

    @admin.display(description="changes")
    def what_changed(self, delivery: Delivery) -> str | None:
        return (
            html_list(
                f"{change['field']}: {Truncator(str(change['old'])).chars(60)} → "
                f"{Truncator(str(change['new'])).chars(60)}"
                for change in delivery.changes
            )
            if delivery.changes
            else None
        )


class SearchByResultId:
    """Search a list of rows that belong to a result by the result's id (the only search)."""

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet, search_term: str
    ) -> tuple[QuerySet, bool]:
        try:
            result_id = uuid.UUID(search_term.strip())
        except ValueError:
            return (queryset.none() if search_term.strip() else queryset), False
        return queryset.filter(result_id=result_id), False


@admin.register(InterviewResult)
class InterviewResultAdmin(ReadOnlyAdmin):
    list_display = [
        "event",
        "status",
        "interview_status",
        "processing_status",
        "score",
        "ai_score",
        "decision",
        "candidate",
        "interview",
        "last_received_at",
    ]
    list_display_links = ["candidate"]
    list_filter = [
        status_filter("status", "status"),
        status_filter("interview_status", "interview status"),
        status_filter("processing_status", "processing status"),
        "event",
        ScoreRangeFilter,
        AIScoreRangeFilter,
        DecisionFilter,
        "interview",
    ]
    list_select_related = ["interview"]
    search_fields = ["candidate_name", "candidate_email", "candidate_external_id"]
    search_help_text = "Candidate name, e-mail or external id, or a result id."
    show_facets = admin.ShowFacets.ALLOW
    show_full_result_count = False
    paginator = EstimatedCountPaginator
    actions = ["export_selected", "erase_selected"]
    inlines = [DeliveryInline]
    fieldsets = [
        (
            "Candidate",
            {
                "fields": [
                    "candidate_name",
                    "candidate_email",
                    "candidate_phone_number",
                    "candidate_external_id",
                    "profile_id",
                    "profile_interview_id",
                ]
            },
        ),
        (
            "Result",
            {
                "fields": [
                    "id",
                    "interview",
                    "question_set_id",
                    "event",
                    "reset_for_retake",
                    "status",
                    "interview_status",
                    "processing_status",
                    "reason",
                ]
            },
        ),
        (
            "Assessment",
            {
                "fields": [
                    "score",
                    "ai_analysis_recruiter_score",
                    "decision",
                    "ai_analysis_recruiter",
                    "why_hire",
                    "why_not_hire",
                    "ai_analysis",
                    "pdf_export_url",
                    "pdf_export_valid_until",
                ]
            },
        ),
        ("Deliveries", {"fields": ["first_received_at", "last_received_at", "latest_body"]}),
    ]
    readonly_fields = [
        "reset_for_retake",
        "decision",
        "why_hire",
        "why_not_hire",
        "latest_body",
    ]

    @admin.display(description="AI score", ordering="ai_analysis_recruiter_score")
    def ai_score(self, result: InterviewResult) -> float | None:
        return result.ai_analysis_recruiter_score

    @admin.display(description="decision", ordering="recruiter_go_next_round")
    def decision(self, result: InterviewResult) -> str:
        return result.decision

    @admin.display(description="candidate", ordering="candidate_name")
    def candidate(self, result: InterviewResult) -> str:
        # Isolated: a right-to-left override in a name must not reorder the rest of the row.
        return format_html("<bdi>{}</bdi>", result.candidate_label)

    @admin.display(description="reset for retake", boolean=True)
    def reset_for_retake(self, result: InterviewResult) -> bool:
        return result.reset_for_retake

    @admin.display(description="why hire")
    def why_hire(self, result: InterviewResult) -> str | None:
        return (
            html_list(result.ai_analysis_recruiter_why_hire)
            if result.ai_analysis_recruiter_why_hire
            else None
        )

    @admin.display(description="why not hire")
    def why_not_hire(self, result: InterviewResult) -> str | None:
        reasons = result.ai_analysis_recruiter_why_not_hire
        return html_list(reasons) if reasons else None

    @admin.display(description="latest delivery's body")
    def latest_body(self, result: InterviewResult) -> str | None:
        delivery = result.current_delivery
        return pretty_body(delivery.body) if delivery is not None else None

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet, search_term: str
    ) -> tuple[QuerySet, bool]:
        # A result id is matched exactly (an index lookup), not as a substring of anything.
        try:
            result_id = uuid.UUID(search_term.strip())
        except ValueError:
            return super().get_search_results(request, queryset, search_term)
        return queryset.filter(
            Q(pk=result_id) | Q(candidate_external_id=search_term.strip())
        ), False

    def has_export_permission(self, request: HttpRequest) -> bool:
        # The same permission as every other export (interviews/roles.py), not just "view".
        return request.user.has_perm(EXPORT_RESULTS)

    @admin.action(description="Export selected results to CSV", permissions=["export"])
    def export_selected(self, request: HttpRequest, queryset: QuerySet) -> HttpResponseBase:
        if request.POST.get("select_across") == "1":
            params = {key: request.GET.getlist(key) for key in request.GET}
        else:
            params = {"id": request.POST.getlist(ACTION_CHECKBOX_NAME)}
        return export_response(
            queryset=queryset.order_by(*ordering_expressions(DEFAULT_ORDERING)),
            user=request.user,
            channel=Export.Channel.ADMIN,
            params=params,
        )

    def has_erase_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm(ERASE_CANDIDATES)

    @admin.action(description="Erase the selected candidates", permissions=["erase"])
    def erase_selected(self, request: HttpRequest, queryset: QuerySet) -> HttpResponseBase | None:
        return erase_candidates(self, request, queryset)


@admin.register(Delivery)
class DeliveryAdmin(SearchByResultId, ReadOnlyAdmin):
    list_display = [
        "id",
        "received_at",
        "outcome",
        "result_link",
        "envelope_type",
        "body_size",
        "late_retry",
        "replayed_at",
    ]
    list_filter = ["outcome", "late_retry", "received_at"]
    date_hierarchy = "received_at"
    search_help_text = "A result id."
    search_fields = ["=result__id"]
    show_full_result_count = False
    paginator = EstimatedCountPaginator
    actions = ["replay_selected"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Delivery]:
        # The list shows no bodies (up to 512 KiB each); the detail loads its one when shown.
        return super().get_queryset(request).defer("body", "headers")

    fields = [
        "received_at",
        "outcome",
        "error",
        "result",
        "late_retry",
        "replayed_at",
        "changes",
        "source_ip",
        "envelope_type",
        "record_hash",
        "body_size",
        "body_truncated",
        "body_dropped",
        "body_sha256",
        "pretty_headers",
        "pretty_body",
    ]
    readonly_fields = ["pretty_headers", "pretty_body"]

    @admin.display(description="result", ordering="result")
    def result_link(self, delivery: Delivery) -> str | None:
        if delivery.result_id is None:
            return None
        url = reverse("admin:interviews_interviewresult_change", args=[quote(delivery.result_id)])
        return format_html('<a href="{}">{}</a>', url, str(delivery.result_id)[:8])

    @admin.display(description="headers (secrets redacted)")
    def pretty_headers(self, delivery: Delivery) -> str:
        return format_html("<pre>{}</pre>", json.dumps(delivery.headers, indent=2, sort_keys=True))

    @admin.display(description="body")
    def pretty_body(self, delivery: Delivery) -> str:
        return pretty_body(delivery.body)

    def has_replay_permission(self, request: HttpRequest) -> bool:
        # The model permission, not has_change_permission: deliveries stay read-only forms.
        return request.user.has_perm("interviews.change_delivery")

    @admin.action(description="Replay selected deliveries", permissions=["replay"])
    def replay_selected(self, request: HttpRequest, queryset: QuerySet) -> None:
        outcomes: Counter[str] = Counter()
        for delivery in queryset.order_by("received_at", "id"):
            outcomes[delivery_replay(delivery=delivery)] += 1
        summary = ", ".join(f"{n} {outcome}" for outcome, n in sorted(outcomes.items()))
        self.message_user(request, f"{outcomes.total()} replayed: {summary}.", messages.SUCCESS)


@admin.register(Interview)
class InterviewAdmin(admin.ModelAdmin):
    list_display = ["__str__", "id", "result_count", "first_seen_at"]
    search_fields = ["name"]
    fields = ["id", "name", "first_seen_at", "result_count"]
    readonly_fields = ["id", "first_seen_at", "result_count"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Interview]:
        return super().get_queryset(request).annotate(result_count=Count("results"))

    @admin.display(description="results", ordering="result_count")
    def result_count(self, interview: Interview) -> int:
        return getattr(interview, "result_count", 0)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # Interviews arrive with their results.

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # Their results point at them.


@admin.register(Export)
class ExportAdmin(ReadOnlyAdmin):
    list_display = ["started_at", "user", "channel", "filter_summary", "rows", "completed"]
    list_filter = ["channel", "completed", "started_at"]
    list_select_related = ["user"]
    show_full_result_count = False
    paginator = EstimatedCountPaginator
    fields = ["started_at", "finished_at", "user", "channel", "params", "rows", "completed"]

    @admin.display(description="filter")
    def filter_summary(self, export: Export) -> str:
        return Truncator(json.dumps(export.params, ensure_ascii=False)).chars(120)


# --- The candidate's rights: erasure (privacy.py) ---------------------------------------------

# The erase action's confirmation counts what each selected candidate would lose (a dry run of
# the erasure): a bounded number per request keeps that page quick.
ERASE_AT_ONCE = 100


def erase_candidates(
    modeladmin: admin.ModelAdmin, request: HttpRequest, queryset: QuerySet
) -> HttpResponseBase | None:
    """Erase the selected results' candidates, after a confirmation page (Django's pattern for
    deleting: the action answers the page, whose form posts the action again with "confirm")."""
    if not request.user.has_perm(ERASE_CANDIDATES):
        raise PermissionDenied
    ids = list(queryset.order_by().values_list("pk", flat=True)[: ERASE_AT_ONCE + 1])
    if len(ids) > ERASE_AT_ONCE:
        modeladmin.message_user(
            request, f"Select at most {ERASE_AT_ONCE} candidates to erase at once.", messages.ERROR
        )
        return None
    selectors = [selector_make(kind="result", value=str(pk)) for pk in ids]
    totals: Counter[str] = Counter()
    if request.POST.get("confirm") != "yes":
        for selector in selectors:
            totals.update(candidate_erase(selector=selector, dry_run=True).counts)
        context = {
            **modeladmin.admin_site.each_context(request),
            "title": "Erase the selected candidates?",
            "opts": modeladmin.model._meta,
            "results": InterviewResult.objects.filter(pk__in=ids),
            "counts": sorted(totals.items()),
            "action_checkbox_name": ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(
            request, "admin/interviews/interviewresult/erase_confirmation.html", context
        )
    for selector in selectors:
        summary = candidate_erase(
            selector=selector, channel=Erasure.Channel.ADMIN, user=request.user
        )
        totals.update(summary.counts)
    removed = ", ".join(f"{count} {kind}" for kind, count in sorted(totals.items()))
    n = len(selectors)
    message = f"Erased {n} candidate{'' if n == 1 else 's'} ({removed or 'nothing was left'})."
    modeladmin.message_user(request, message, messages.SUCCESS)
    return None


@admin.register(Erasure)
class ErasureAdmin(ReadOnlyAdmin):
    list_display = ["erased_at", "channel", "user", "selector_kind", "removed"]
    list_filter = ["channel", "erased_at"]
    list_select_related = ["user"]
    fields = ["erased_at", "channel", "user", "selector_kind", "selector_hmac", "removed"]


@admin.register(ReportArchive)
class ReportArchiveAdmin(SearchByResultId, ReadOnlyAdmin):
    """Kept copies of the PDF reports; filter by state to see the ones that are not kept and
    why (the latest error), and queue them again."""

    list_display = [
        "result_link",
        "state",
        "attempts",
        "last_error",
        "next_attempt_at",
        "archived_at",
        "size",
        "updated_at",
    ]
    list_filter = ["state"]
    list_select_related = ["result"]
    ordering = ["state", "-updated_at"]
    search_fields = ["=result__id"]
    fields = readonly_fields = (
        "result_link",
        "state",
        "file",
        "size",
        "sha256",
        "archived_at",
        "attempts",
        "last_error",
        "next_attempt_at",
        "task_id",
        "updated_at",
    )
    actions = ["queue_again"]

    @admin.display(description="result", ordering="result")
    def result_link(self, archive: ReportArchive) -> str:
        url = reverse("admin:interviews_interviewresult_change", args=[quote(archive.result_id)])
        return format_html('<a href="{}">{}</a>', url, str(archive.result_id)[:8])

    def has_retry_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm(RETRY_REPORTS)

    @admin.action(description="Download the selected reports again", permissions=["retry"])
    def queue_again(self, request: HttpRequest, queryset: QuerySet) -> None:
        results = InterviewResult.objects.filter(
            pk__in=queryset.values("result_id")
        ).select_related("report_archive")
        queued = report_archive_queue(results=results)
        self.message_user(request, f"{queued} report(s) queued.", messages.SUCCESS)
