"""CSV export (placeholder until the export issue lands)."""

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse


@login_required
def result_export_csv(request: HttpRequest) -> HttpResponse:
    raise Http404
