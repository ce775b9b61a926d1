"""The recruiter pages (the candidate list, one result, naming an interview) and the 500 handler.

Reads go through `interviews.selectors`, filters through the one FilterSet, so the list shows
exactly what the API and the CSV export select for the same query string.
"""

import re
import sys
import unicodedata
import uuid
from urllib.parse import urlencode

from csp.constants import SELF
from csp.decorators import csp_replace
from django.conf import settings
from django.contrib import messages
from django.db import InterfaceError, OperationalError
from django.db.models import QuerySet
from django.http import (
    FileResponse,
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseBase,
    HttpResponsePermanentRedirect,
    HttpResponseRedirect,
    HttpResponseServerError,
    QueryDict,
)
from django.shortcuts import get_object_or_404, render
from django.template import loader
from django.templatetags.static import static
from django.urls import reverse
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from interviews import reports, selectors
from interviews.charts import funnel_chart, histogram_chart
from interviews.forms import InterviewRenameForm, filter_form_prepare
from interviews.middleware import database_unavailable_response
from interviews.models import DECISION_CHOICES, Event, Interview, InterviewResult
from interviews.pagination import InvalidCursor, paginate
from interviews.roles import RENAME_INTERVIEWS, RETRY_REPORTS, VIEW_RESULTS, needs_permission

PAGE_SIZE = 50
PAGE_SIZE_CHOICES = (10, 25, 50, 100)
# Parameters that are not filters: changing a filter starts again from the first page.
NOT_FILTERS = {"cursor", "per_page", "ordering"}
# Column -> (descending ordering, ascending ordering); the first click sorts high to low.
SORTABLE_COLUMNS = {
    "score": ("-score", "score"),
    "ai_score": ("-ai_score", "ai_score"),
    "received": ("-received", "received"),
}
FUNNEL_STEPS = [
    (Event.COLLECTED, "Collected"),
    (Event.SUBMITTED, "Submitted"),
    (Event.FAILED, "Failed"),
]


def server_error(request: HttpRequest) -> HttpResponse:
    """The 500 handler: a database outage raised outside a view is still a 503.

    Renders without a request context, so nothing here touches the database.
    """
    exception = sys.exc_info()[1]
    if isinstance(exception, OperationalError | InterfaceError):
        return database_unavailable_response()
    try:
        return HttpResponseServerError(loader.get_template("500.html").render())
    except Exception:  # the error page itself failed (say, static files not collected)
        return HttpResponseServerError(
            "Something went wrong. Please try again in a moment.", content_type="text/plain"
        )


def _page_size(request: HttpRequest) -> int:
    """Return ?per_page clamped to 10..100; the default for anything else."""
    try:
        return min(max(int(request.GET.get("per_page", PAGE_SIZE)), 10), 100)
    except ValueError:
        return PAGE_SIZE


def _query(params: QueryDict, **changes: str | None) -> str:
    """Return "?<params with changes>" ("" when empty); a None value removes the parameter."""
    params = params.copy()
    for key, value in changes.items():
        params.pop(key, None)
        if value is not None:
            params[key] = value
    return f"?{params.urlencode()}" if params else ""


def _sort_columns(params: QueryDict, ordering: str) -> dict[str, dict[str, str]]:
    """Return, per sortable column, the link that sorts by it and its aria-sort state."""
    columns = {}
    for column, (descending, ascending) in SORTABLE_COLUMNS.items():
        if ordering == descending:
            state, target = "descending", ascending
        elif ordering == ascending:
            state, target = "ascending", descending
        else:
            state, target = "none", descending
        columns[column] = {"url": _query(params, ordering=target, cursor=None), "state": state}
    return columns


def _summary_context(request: HttpRequest, queryset: QuerySet[InterviewResult]) -> dict:
    """Return the counts by event and by decision and the score histogram of `queryset`.

    Two aggregate queries, whatever the page size.
    """
    params = request.GET
    summary = selectors.result_summary(queryset=queryset)
    histogram = None
    if summary.score_min is not None and summary.score_max is not None:
        bins = selectors.result_score_histogram(
            queryset=queryset,
            low=summary.score_min,
            high=summary.score_max,
            bins=min(10, summary.scored),
        )
        histogram = histogram_chart(bins, height=120)
    event_steps = FUNNEL_STEPS + ([(Event.OTHER, "Other")] if summary.events[Event.OTHER] else [])
    funnel = funnel_chart([(key, label, summary.events[key]) for key, label in event_steps])
    decisions = funnel_chart(
        [(key, label, summary.decisions[key]) for key, label in DECISION_CHOICES]
    )
    # Each bar links to the list narrowed to it; absolute, as the panel has its own URL.
    results_url = reverse("results")
    return {
        "summary": summary,
        "histogram": histogram,
        "funnel": funnel,
        "event_bars": [
            (row, results_url + _query(params, event=row.key, cursor=None)) for row in funnel.rows
        ],
        "decision_bars": [
            (row, results_url + _query(params, decision=row.key, cursor=None))
            for row in decisions.rows
        ],
    }


@require_safe
def favicon(request: HttpRequest) -> HttpResponse:
    """Point browsers that ask for /favicon.ico (the admin's pages) at the site's icon."""
    return HttpResponsePermanentRedirect(static("favicon.svg"))


@require_safe
@needs_permission(VIEW_RESULTS)
def result_list(request: HttpRequest) -> HttpResponse:
    """Show the candidates the query string selects, with counts and charts for that filter.

    Invalid filter values answer 400 with the form's errors and no list: a bad value must never
    look like "no candidates". An htmx request from the page gets only the results region, and
    there the counts and charts load afterwards from `result_summary_panel`, so that the table
    comes back first; a whole page (first visit, no JavaScript, history) renders them inline.
    """
    params = request.GET
    htmx = getattr(request, "htmx", None)
    region_only = bool(htmx and htmx.target == "results" and not htmx.history_restore_request)
    filterset = selectors.result_filterset(params=params)
    filter_form_prepare(
        filterset,
        status_values={
            field: selectors.result_status_values(field=field) for field in selectors.STATUS_FIELDS
        },
    )
    filters_active = any(key not in NOT_FILTERS and any(values) for key, values in params.lists())
    context: dict = {
        "filterset": filterset,
        "form": filterset.form,
        "filters_active": filters_active,
        "clear_url": reverse("results"),
        "page_size_choices": PAGE_SIZE_CHOICES,
    }
    status = 200
    if not filterset.is_valid():
        status = 400
        context["invalid"] = True
    else:
        ordering = filterset.ordering_value
        queryset = filterset.qs
        page_size = _page_size(request)
        try:
            page = paginate(
                queryset, ordering=ordering, cursor=params.get("cursor"), page_size=page_size
            )
        except InvalidCursor:
            context["cursor_invalid"] = True
            page = paginate(queryset, ordering=ordering, cursor=None, page_size=page_size)
        # At a very large scale the count is the planner's estimate, and the counts and charts
        # (aggregates over every matching row) load after the table, as after an htmx swap.
        estimate = selectors.result_count_estimate(queryset=queryset)
        if region_only or estimate is not None:
            # The count is what the recruiter reads first; the heavier aggregates follow.
            total = estimate if estimate is not None else selectors.result_count(queryset=queryset)
            context["total_estimated"] = estimate is not None
            context["summary_url"] = reverse("results-summary") + _query(params, cursor=None)
        else:
            context.update(_summary_context(request, queryset))
            total = context["summary"].total
        # Only when nothing matches: is the whole table empty (the webhook never delivered)?
        nothing_received = total == 0 and (
            not filters_active or not InterviewResult.objects.exists()
        )
        list_query = params.copy()
        context.update(
            page=page,
            rows=page.rows,
            total=total,
            nothing_received=nothing_received,
            ordering=ordering,
            page_size=page_size,
            columns=_sort_columns(params, ordering),
            detail_query=f"?{urlencode({'back': list_query.urlencode()})}" if list_query else "",
            next_url=_query(params, cursor=page.next_cursor) if page.next_cursor else None,
            previous_url=(
                _query(params, cursor=page.previous_cursor) if page.previous_cursor else None
            ),
            first_url=_query(params, cursor=None) if params.get("cursor") else None,
            export_url=reverse("results-export") + _query(params, cursor=None),
            webhook_url=request.build_absolute_uri(reverse("webhook-interview-result")),
            webhook_header=settings.WEBHOOK_SECRET_HEADER,
            webhook_bearer=settings.WEBHOOK_SECRET_HEADER.lower() == "authorization",
        )

    template = "results/list.html#results" if region_only else "results/list.html"
    response = render(request, template, context, status=status)
    # The same URL answers a whole page or the results region: caches must keep them apart.
    patch_vary_headers(response, ["HX-Request"])
    return response


@require_safe
@needs_permission(VIEW_RESULTS)
def result_summary_panel(request: HttpRequest) -> HttpResponse:
    """Answer the counts and charts of the list's filter: the list's htmx region loads them.

    The same filter parameters as the list (page and order do not change the counts); invalid
    ones answer 400 with a short message, the list itself shows which field is wrong.
    """
    filterset = selectors.result_filterset(params=request.GET)
    if not filterset.is_valid():
        return render(request, "results/_summary.html", {"invalid": True}, status=400)
    context = _summary_context(request, filterset.qs)
    # Without JavaScript the list links here: answer a page around the panel.
    template = "results/_summary.html" if request.htmx else "results/summary_page.html"  # type: ignore[attr-defined]
    return render(request, template, context)


@require_safe
@needs_permission(VIEW_RESULTS)
def result_detail(request: HttpRequest, pk: uuid.UUID) -> HttpResponse:
    """Show one result: scores and their rank, the AI's reasons, the PDF and every delivery.

    ?back=<the list's query string> brings the recruiter back to that list and steps through it.
    """
    try:
        result = selectors.result_get(result_id=pk)
    except InterviewResult.DoesNotExist:
        raise Http404("No such result.") from None
    back = request.GET.get("back", "")
    back_params = QueryDict(back)
    previous, following = selectors.result_neighbours(result=result, params=back_params)
    step_query = f"?{urlencode({'back': back})}" if back else ""
    context = {
        "result": result,
        "deliveries": selectors.result_deliveries(result=result),
        "ranks": selectors.result_score_ranks(result=result),
        "back_url": reverse("results") + _query(back_params),
        "previous_url": (
            reverse("result-detail", args=[previous.pk]) + step_query if previous else None
        ),
        "next_url": (
            reverse("result-detail", args=[following.pk]) + step_query if following else None
        ),
        "rename_form": InterviewRenameForm(instance=result.interview) if result.interview else None,
    }
    return render(request, "results/detail.html", context)


def _safe_next(request: HttpRequest, fallback: str) -> str:
    """Return the ?next/POST next URL when it stays on this site, else `fallback`."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return fallback


@require_http_methods(["GET", "HEAD", "POST"])
@needs_permission(RENAME_INTERVIEWS)
def interview_rename(request: HttpRequest, pk: uuid.UUID) -> HttpResponse:
    """Give an interview a human name, then go back to the page the recruiter came from."""
    interview = get_object_or_404(Interview, pk=pk)
    fallback = reverse("results") + "?" + urlencode({"interview": str(interview.pk)})
    next_url = _safe_next(request, fallback)
    form = InterviewRenameForm(request.POST or None, instance=interview)
    if request.method == "POST" and form.is_valid():
        form.save()
        if interview.name:
            messages.success(request, f"The interview is now called “{interview.name}”.")
        else:
            messages.success(request, "The interview's name was removed.")
        return HttpResponseRedirect(next_url)
    status = 400 if request.method == "POST" else 200
    context = {"interview": interview, "form": form, "next_url": next_url}
    return render(request, "results/interview_rename.html", context, status=status)


# --- The archived PDF report ----------------------------------------------------------------


def _report_filename(result: InterviewResult) -> str:
    """Return "<candidate name>.pdf" in plain ASCII (or "<result id>.pdf"): safe in a header."""
    name = unicodedata.normalize("NFKD", result.candidate_name or "")
    name = re.sub(r"[^A-Za-z0-9._-]+", " ", name.encode("ascii", "ignore").decode())
    name = re.sub(r"\s+", " ", name).strip(" .")[:80]
    return f"{name or result.pk}.pdf"


@require_safe
@needs_permission(VIEW_RESULTS)
# The browser shows a PDF in its viewer plugin, an object of this document: `object-src 'self'`
# lets it load whatever the browser's version (Chromium 156 also renders under 'none'); the
# rest of the site's policy stays. tests/test_views_report.py opens it in real Chromium.
@csp_replace({"object-src": [SELF]})  # type: ignore[arg-type]
def result_report_pdf(request: HttpRequest, pk: uuid.UUID) -> HttpResponseBase:
    """Serve the kept copy of the result's PDF report, never a public media URL; 404 until one
    is kept."""
    archive = reports.report_archive_get(result_id=pk)
    if archive is None:
        raise Http404("No copy of this report is kept yet.")
    try:
        handle = archive.file.open("rb")
    except FileNotFoundError:
        raise Http404("The kept copy of this report is missing from storage.") from None
    response = FileResponse(handle, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{_report_filename(archive.result)}"'
    response["X-Content-Type-Options"] = "nosniff"
    # Personal data: browsers and proxies keep no copy.
    patch_cache_control(response, private=True, no_store=True)
    return response


@require_POST
@needs_permission(RETRY_REPORTS)
def result_report_retry(request: HttpRequest, pk: uuid.UUID) -> HttpResponse:
    """Queue the download of the result's report again (the detail page's "Try again")."""
    result = get_object_or_404(InterviewResult.objects.select_related("report_archive"), pk=pk)
    if reports.report_archive_queue(results=[result]):
        messages.success(request, "The report will be downloaded again in a moment.")
    else:
        messages.info(request, "There is no report to download for this result.")
    return HttpResponseRedirect(_safe_next(request, reverse("result-detail", args=[pk])))
