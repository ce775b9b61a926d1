"""Every URL of the product (see CONTRACT.md "Endpoints"). /healthz is answered by
`interviews.middleware.HealthCheckMiddleware`, before the host check."""

from csp.decorators import csp_update
from django.urls import path
from django.views.generic import RedirectView
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from interviews import api, exports, views
from interviews.webhooks import InterviewResultWebhook

# Swagger UI sets one style attribute from its own script; allow exactly that one (by hash).
# Scripts stay strict: the split view serves its script as a file, never inline.
api_docs = csp_update(
    {"style-src": ["'unsafe-hashes'", "'sha256-MMpT0iDxyjALd9PdfepImGX3DBfJPXZ4IlDWdPAgtn0='"]}
)(SpectacularSwaggerSplitView.as_view(url_name="api-schema"))

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="results", permanent=False), name="home"),
    path("favicon.ico", views.favicon),
    # The platform
    path(
        "webhooks/interview-result/",
        InterviewResultWebhook.as_view(),
        name="webhook-interview-result",
    ),
    # Recruiters
    path("results/", views.result_list, name="results"),
    path("results/export.csv", exports.result_export_csv, name="results-export"),
    path("results/summary/", views.result_summary_panel, name="results-summary"),
    path("results/<uuid:pk>/", views.result_detail, name="result-detail"),
    path("results/<uuid:pk>/report.pdf", views.result_report_pdf, name="result-report"),
    path("results/<uuid:pk>/report/retry/", views.result_report_retry, name="result-report-retry"),
    path("interviews/<uuid:pk>/name/", views.interview_rename, name="interview-rename"),
    # API clients
    path("api/results/", api.ResultListAPI.as_view(), name="api-results"),
    path("api/results/<uuid:pk>/", api.ResultDetailAPI.as_view(), name="api-result-detail"),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", api_docs, name="api-docs"),
]
