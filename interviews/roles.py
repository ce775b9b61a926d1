"""Who may do what (CONTRACT.md "Roles"): the permissions each page needs, and the two groups.

Pages, the API, exports and reports check these permissions, never group names, so an operator
can also grant one permission to one user in the admin. The groups are created by migration
0005 and kept in step after every `migrate` (a later migration may add a model whose
permission a group needs).
"""

from typing import Any

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
