"""The read-only REST API: /api/results/ (filtered by the one FilterSet, keyset pages, or the CSV
export with ?format=csv) and /api/results/<id>/. Authentication and throttling are configured in
settings.REST_FRAMEWORK (throttling and the error handler in interviews/throttling.py).

Every answer under /api/ is JSON in a shape the schema documents: 400 maps each invalid parameter
to its messages; 401, 403, 404, 406 and 429 are `{"detail": "..."}`, also for a URL no route
matches (`not_found`, the project's handler404).
"""

from collections.abc import Mapping, Sequence
from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseBase, JsonResponse
from django.views import defaults
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework.exceptions import ValidationError
from rest_framework.generics import ListAPIView, RetrieveAPIView
from rest_framework.pagination import BasePagination
from rest_framework.renderers import BaseRenderer, BrowsableAPIRenderer, JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.utils.urls import replace_query_param
from rest_framework.views import APIView

from interviews.exports import export_response, filter_params
from interviews.filters import DEFAULT_ORDERING, ResultFilter
from interviews.models import Export, InterviewResult
from interviews.pagination import InvalidCursor, Page, paginate
from interviews.roles import CanExportResults, CanViewResults
from interviews.serializers import ResultSerializer

# A 400's body: each invalid parameter with its messages.
ERRORS_SCHEMA = {
    "type": "object",
    "additionalProperties": {"type": "array", "items": {"type": "string"}},
    "example": {"score_min": ["Enter a number."]},
}
DETAIL_SCHEMA = {
    "type": "object",
    "properties": {"detail": {"type": "string"}},
    "required": ["detail"],
}
ERROR_RESPONSES: dict[Any, Any] = {
    (401, "application/json"): OpenApiResponse(DETAIL_SCHEMA, description="Not authenticated."),
    (403, "application/json"): OpenApiResponse(
        DETAIL_SCHEMA, description="The account's role does not allow this."
    ),
    (406, "application/json"): OpenApiResponse(
        DETAIL_SCHEMA, description="The Accept header asks for a format the API does not offer."
    ),
    (429, "application/json"): OpenApiResponse(
        DETAIL_SCHEMA,
        description=(
            "Throttled: too many requests from this address (anonymous or failed "
            "authentication) or this user. `Retry-After` says how many seconds to wait."
        ),
    ),
}
RETRY_AFTER = OpenApiParameter(
    "Retry-After",
    OpenApiTypes.INT,
    OpenApiParameter.HEADER,
    response=[429],
    description="Seconds to wait before trying again.",
)
API_PREFIX = "/api/"


def not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    """The project's 404 handler: JSON under /api/ (a malformed result id, an unknown path),
    Django's page elsewhere."""
    if request.path.startswith(API_PREFIX):
        return JsonResponse({"detail": "Not found."}, status=404)
    return defaults.page_not_found(request, exception)


class CSVRenderer(BaseRenderer):
    """Select the CSV export with `?format=csv` or `Accept: text/csv`.

    The list view answers with the export's own streamed response, so this renderer never
    renders a body (see `ResultListAPI.finalize_response` for errors).
    """

    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"

    def render(
        self,
        data: Any,
        accepted_media_type: str | None = None,
        renderer_context: Mapping[str, Any] | None = None,
    ) -> bytes:
        raise NotImplementedError("ResultListAPI streams the CSV export itself.")


class ResultFilterBackend(DjangoFilterBackend):
    """Filter with ResultFilter and keep it on the view: the paginator pages in its ordering."""

    def get_filterset(
        self, request: Request, queryset: QuerySet, view: APIView
    ) -> ResultFilter | None:
        filterset = super().get_filterset(request, queryset, view)
        view.filterset = filterset  # type: ignore[attr-defined]
        return filterset


class ResultCursorPagination(BasePagination):
    """DRF's face of `pagination.paginate`: keyset pages in every ordering of the contract,
    answered as {"next", "previous", "results"}; next/previous keep the filters."""

    cursor_query_param = "cursor"
    page_size_query_param = "page_size"
    page_size = 50
    max_page_size = 200

    def paginate_queryset(
        self, queryset: QuerySet[Any, Any] | Sequence[Any], request: Request, view: Any = None
    ) -> list[Any] | None:
        assert isinstance(queryset, QuerySet)
        self.request = request
        filterset: ResultFilter | None = getattr(view, "filterset", None)
        ordering = filterset.ordering_value if filterset is not None else DEFAULT_ORDERING
        try:
            self.page: Page = paginate(
                queryset,
                ordering=ordering,
                cursor=request.query_params.get(self.cursor_query_param),
                page_size=self.get_page_size(request),
            )
        except InvalidCursor as exc:
            raise ValidationError({self.cursor_query_param: [str(exc)]}) from None
        return self.page.rows

    def get_page_size(self, request: Request) -> int:
        """Return the asked page size, capped at `max_page_size`; 400 unless a whole number ≥ 1."""
        raw = request.query_params.get(self.page_size_query_param, "").strip()
        if not raw:
            return self.page_size
        if not raw.isdecimal() or int(raw) < 1:
            raise ValidationError(
                {self.page_size_query_param: ["Enter a whole number of at least 1."]}
            )
        return min(int(raw), self.max_page_size)

    def get_paginated_response(self, data: Any) -> Response:
        return Response(
            {
                "next": self._link(self.page.next_cursor),
                "previous": self._link(self.page.previous_cursor),
                "results": data,
            }
        )

    def _link(self, cursor: str | None) -> str | None:
        if cursor is None:
            return None
        return replace_query_param(
            self.request.build_absolute_uri(), self.cursor_query_param, cursor
        )

    def get_paginated_response_schema(self, schema: dict[str, Any]) -> dict[str, Any]:
        link = {"type": "string", "format": "uri", "nullable": True}
        return {
            "type": "object",
            "required": ["next", "previous", "results"],
            "properties": {"next": link, "previous": link, "results": schema},
        }

    def get_schema_operation_parameters(self, view: APIView) -> list[dict[str, Any]]:
        return [
            {
                "name": self.cursor_query_param,
                "required": False,
                "in": "query",
                "description": "The page: the `next` or `previous` link's cursor, as given.",
                "schema": {"type": "string"},
            },
            {
                "name": self.page_size_query_param,
                "required": False,
                "in": "query",
                "description": (
                    f"Results per page (default {self.page_size}, at most {self.max_page_size})."
                ),
                "schema": {"type": "integer", "minimum": 1},
            },
        ]


@extend_schema(
    summary="List results",
    description=(
        "Results matching the filters, in keyset pages. With `format=csv` (or `Accept: "
        "text/csv`), every matching result as a streamed CSV file instead, not paginated."
    ),
    parameters=[
        OpenApiParameter(
            "format",
            OpenApiTypes.STR,
            enum=["json", "csv"],
            description="`csv`: the CSV export of every matching result.",
        ),
        RETRY_AFTER,
    ],
    responses={
        (200, "application/json"): ResultSerializer,
        (200, "text/csv"): OpenApiResponse(OpenApiTypes.STR, description="The CSV export."),
        (400, "application/json"): OpenApiResponse(
            ERRORS_SCHEMA, description="An invalid filter, cursor or page size."
        ),
        (404, "application/json"): OpenApiResponse(
            DETAIL_SCHEMA, description="A `format` the API does not offer."
        ),
        **ERROR_RESPONSES,
    },
)
class ResultListAPI(ListAPIView):
    queryset = InterviewResult.objects.select_related("interview", "report_archive")
    serializer_class = ResultSerializer
    filter_backends = [ResultFilterBackend]
    filterset_class = ResultFilter
    pagination_class = ResultCursorPagination
    renderer_classes = [JSONRenderer, BrowsableAPIRenderer, CSVRenderer]
    permission_classes = [CanViewResults, CanExportResults]

    # Returns the export's StreamingHttpResponse for CSV, which DRF passes through untouched.
    def list(  # type: ignore[override]
        self, request: Request, *args: Any, **kwargs: Any
    ) -> HttpResponseBase:
        if request.accepted_renderer.format != CSVRenderer.format:
            return super().list(request, *args, **kwargs)
        return export_response(
            queryset=self.filter_queryset(self.get_queryset()),
            user=request.user,
            channel=Export.Channel.API,
            params=filter_params(request.query_params),
        )

    def finalize_response(  # type: ignore[override]
        self, request: Request, response: HttpResponseBase, *args: Any, **kwargs: Any
    ) -> HttpResponseBase:
        # An error asked for as CSV (a bad filter, throttling) is answered in JSON: the client
        # gets the message, never an empty file.
        renderer = getattr(request, "accepted_renderer", None)
        if isinstance(response, Response) and isinstance(renderer, CSVRenderer):
            request.accepted_renderer = JSONRenderer()
            request.accepted_media_type = JSONRenderer.media_type
        return super().finalize_response(request, response, *args, **kwargs)  # type: ignore[arg-type]


@extend_schema(
    summary="Retrieve a result",
    parameters=[RETRY_AFTER],
    responses={
        (200, "application/json"): ResultSerializer,
        (404, "application/json"): OpenApiResponse(DETAIL_SCHEMA, description="No such result."),
        **ERROR_RESPONSES,
    },
)
class ResultDetailAPI(RetrieveAPIView):
    queryset = InterviewResult.objects.select_related("interview", "report_archive")
    serializer_class = ResultSerializer
    filter_backends: list[Any] = []  # The filters select lists, not one result.
    permission_classes = [CanViewResults]
