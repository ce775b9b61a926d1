"""Plain Django views that are not part of the recruiter pages."""

import sys

from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, HttpResponseServerError
from django.template import loader

from interviews.middleware import database_unavailable_response


def server_error(request: HttpRequest) -> HttpResponse:
    """The 500 handler: a database outage raised outside a view is still a 503.

    Renders without a request context, so nothing here touches the database.
    """
    exception = sys.exc_info()[1]
    if isinstance(exception, OperationalError | InterfaceError):
        return database_unavailable_response()
    return HttpResponseServerError(loader.get_template("500.html").render())


# --- Recruiter pages (placeholders until the dashboard issue lands) ---------------------------
from django.contrib.auth.decorators import login_required  # noqa: E402
from django.http import Http404  # noqa: E402


@login_required
def result_list(request: HttpRequest) -> HttpResponse:
    return HttpResponse("results")


@login_required
def result_detail(request: HttpRequest, pk: object) -> HttpResponse:
    raise Http404


@login_required
def interview_rename(request: HttpRequest, pk: object) -> HttpResponse:
    raise Http404
