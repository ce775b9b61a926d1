"""Every URL of the product (see CONTRACT.md "Endpoints"). /healthz is answered by
`interviews.middleware.HealthCheckMiddleware`, before the host check."""

from django.urls import path
from django.views.generic import RedirectView
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from interviews import api, exports, views
from interviews.webhooks import InterviewResultWebhook

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="results", permanent=False), name="home"),
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
    path("interviews/<uuid:pk>/name/", views.interview_rename, name="interview-rename"),
    # API clients
    path("api/results/", api.ResultListAPI.as_view(), name="api-results"),
    path("api/results/<uuid:pk>/", api.ResultDetailAPI.as_view(), name="api-result-detail"),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
]
