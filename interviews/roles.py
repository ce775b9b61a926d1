"""Who may do what (CONTRACT.md "Roles"): the permissions each page needs, and the two groups.

Pages, the API, exports and reports check these permissions, never group names, so an operator
can also grant one permission to one user in the admin. The groups are created by migration
0005 and kept in step after every `migrate` (a later migration may add a model whose
permission a group needs).
"""

from collections.abc import Callable
from functools import wraps
from typing import TYPE_CHECKING, Any, TypeVar, cast

from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import render
from rest_framework.permissions import BasePermission

if TYPE_CHECKING:  # rest_framework.views reads the settings that name this module.
    from rest_framework.request import Request
    from rest_framework.views import APIView

ViewFunction = TypeVar("ViewFunction", bound=Callable[..., HttpResponseBase])

# See the dashboard, one result, the API and the archived reports.
VIEW_RESULTS = "interviews.view_interviewresult"
# Export CSV (page, API, admin action): an export is recorded, so exporting is adding one.
EXPORT_RESULTS = "interviews.add_export"
# Name an interview.
RENAME_INTERVIEWS = "interviews.change_interview"
# Try a failed report download again.
RETRY_REPORTS = "interviews.change_reportarchive"
# Erase a candidate from the admin (staff with this permission; the command needs none).
ERASE_CANDIDATES = "interviews.delete_interviewresult"

RECRUITERS = "Recruiters"
VIEWERS = "Viewers"

# Group -> permissions ("app_label.codename"). Viewers read; Recruiters also export and write.
GROUP_PERMISSIONS: dict[str, list[str]] = {
    VIEWERS: ["interviews.view_interview", VIEW_RESULTS],
    RECRUITERS: [
        "interviews.view_interview",
        VIEW_RESULTS,
        EXPORT_RESULTS,
        RENAME_INTERVIEWS,
        RETRY_REPORTS,
    ],
}

# Who to ask, on the 403 page.
ACCESS_HINT = (
    "Ask an administrator of this dashboard to add your account to the Recruiters or the "
    "Viewers group."
)


def roles_ensure(*, apps: Any = None, **kwargs: Any) -> None:
    """Create the groups and give each exactly the permissions that exist of its list.

    Called by migration 0005 (with the historical app registry) and after every `migrate`
    (post_migrate), so a permission whose model a later migration adds joins its group.
    """
    if apps is None:
        from django.apps import apps as global_apps

        apps = global_apps
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for group_name, perms in GROUP_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=group_name)
        wanted = []
        for perm in perms:
            app_label, codename = perm.split(".")
            found = Permission.objects.filter(
                content_type__app_label=app_label, codename=codename
            ).first()
            if found is not None:
                wanted.append(found)
        group.permissions.add(*wanted)


# --- Enforcement: pages (a decorator) and the API (DRF permission classes) ---------------------


def access_denied(request: HttpRequest) -> HttpResponse:
    """Answer 403 with the page that says whom to ask for access."""
    return render(request, "403.html", {"access_hint": ACCESS_HINT}, status=403)


def needs_permission(perm: str) -> Callable[[ViewFunction], ViewFunction]:
    """Let a view through only for users with `perm` (superusers have every permission).

    Anonymous visitors go to the login page, as with `login_required`; a logged-in user
    without the permission gets 403 and the page that says whom to ask, not the login page
    again (they are logged in: logging in once more would not help).
    """

    def decorator(view: ViewFunction) -> ViewFunction:
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not request.user.has_perm(perm):
                return access_denied(request)
            return view(request, *args, **kwargs)

        return cast(ViewFunction, wrapper)

    return decorator


class CanViewResults(BasePermission):
    """The API's default (settings.REST_FRAMEWORK): VIEW_RESULTS.

    Anonymous requests fail it too, and DRF then answers 401 (not authenticated), not 403.
    """

    message = f"Your account may not read results. {ACCESS_HINT}"

    def has_permission(self, request: "Request", view: "APIView") -> bool:
        return bool(request.user and request.user.has_perm(VIEW_RESULTS))


class CanExportResults(BasePermission):
    """EXPORT_RESULTS, when the request asks for the CSV export (`?format=csv`, `Accept: text/csv`).

    DRF negotiates the format before it checks permissions, so the renderer is known here.
    """

    message = f"Your account may not export results. {ACCESS_HINT}"

    def has_permission(self, request: "Request", view: "APIView") -> bool:
        renderer = getattr(request, "accepted_renderer", None)
        if getattr(renderer, "format", None) != "csv":
            return True
        return bool(request.user and request.user.has_perm(EXPORT_RESULTS))


class CanReadAPIDocs(BasePermission):
    """The OpenAPI schema and its docs: whoever may read results, and staff (it holds no data)."""

    message = f"Your account may not read the API's documentation. {ACCESS_HINT}"

    def has_permission(self, request: "Request", view: "APIView") -> bool:
        user = request.user
        return bool(user and (user.is_staff or user.has_perm(VIEW_RESULTS)))
