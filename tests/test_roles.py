"""The roles (interviews/roles.py, CONTRACT.md "Roles"): the groups and their permissions, the
403 page, what each role is shown, `grant_role` and `createsuperuser`. Which URL answers what to
whom is tests/test_access.py."""

import io
from typing import Any

import pytest
from django.contrib.auth.models import Group, Permission, User
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from rest_framework.test import APIClient

from interviews.models import Export
from interviews.roles import (
    ACCESS_HINT,
    EXPORT_RESULTS,
    GROUP_PERMISSIONS,
    RECRUITERS,
    RENAME_INTERVIEWS,
    RETRY_REPORTS,
    VIEW_RESULTS,
    VIEWERS,
    roles_ensure,
)
from tests.factories import InterviewResultFactory

pytestmark = pytest.mark.django_db


def group_permissions(name: str) -> set[str]:
    return {
        f"{app_label}.{codename}"
        for app_label, codename in Group.objects.get(name=name).permissions.values_list(
            "content_type__app_label", "codename"
        )
    }


def run(*args: str) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


# --- The groups -------------------------------------------------------------------------------


def test_the_groups_have_exactly_their_permissions_after_migrate() -> None:
    assert group_permissions(VIEWERS) == {"interviews.view_interview", VIEW_RESULTS}
    assert group_permissions(RECRUITERS) == {
        "interviews.view_interview",
        VIEW_RESULTS,
        EXPORT_RESULTS,
        RENAME_INTERVIEWS,
        RETRY_REPORTS,
    }


def test_every_listed_permission_exists() -> None:
    # A typo in GROUP_PERMISSIONS would be skipped silently by roles_ensure.
    for perms in GROUP_PERMISSIONS.values():
        for perm in perms:
            app_label, codename = perm.split(".")
            assert Permission.objects.filter(
                content_type__app_label=app_label, codename=codename
            ).exists(), perm


def test_roles_ensure_is_idempotent_and_restores_a_removed_permission() -> None:
    Group.objects.get(name=VIEWERS).permissions.clear()
    roles_ensure()
    roles_ensure()
    assert Group.objects.filter(name__in=[VIEWERS, RECRUITERS]).count() == 2
    assert group_permissions(VIEWERS) == set(GROUP_PERMISSIONS[VIEWERS])
    assert group_permissions(RECRUITERS) == set(GROUP_PERMISSIONS[RECRUITERS])


def test_a_deleted_group_comes_back_with_roles_ensure() -> None:
    Group.objects.filter(name=RECRUITERS).delete()
    roles_ensure()
    assert group_permissions(RECRUITERS) == set(GROUP_PERMISSIONS[RECRUITERS])


# --- What each role is shown -----------------------------------------------------------------


def test_the_403_page_says_whom_to_ask(client: Client, outsider: User) -> None:
    client.force_login(outsider)
    response = client.get("/results/")
    assert response.status_code == 403
    content = response.content.decode()
    assert ACCESS_HINT in content
    assert "outsider" in content
    # No link to a page that would only refuse again.
    assert 'href="/results/"' not in content.split("</header>", 1)[1]


def test_the_api_refusal_says_whom_to_ask(outsider: User) -> None:
    api = APIClient()
    api.force_authenticate(outsider)
    response = api.get("/api/results/")
    assert response.status_code == 403
    assert ACCESS_HINT in response.json()["detail"]


def test_viewers_see_no_export_button(viewer_client: Client) -> None:
    InterviewResultFactory.create()
    content = viewer_client.get("/results/").content.decode()
    assert "Export </span>CSV" not in content
    assert "/results/export.csv" not in content


def test_recruiters_see_the_export_button(recruiter_client: Client) -> None:
    InterviewResultFactory.create()
    content = recruiter_client.get("/results/").content.decode()
    assert 'href="/results/export.csv' in content


def test_viewers_see_the_interview_name_but_no_rename_form(viewer_client: Client) -> None:
    result = InterviewResultFactory.create(interview__name="Backend Engineer")
    content = viewer_client.get(f"/results/{result.pk}/").content.decode()
    assert "Backend Engineer" in content
    assert "/name/" not in content


def test_recruiters_see_the_rename_form(recruiter_client: Client) -> None:
    result = InterviewResultFactory.create()
    content = recruiter_client.get(f"/results/{result.pk}/").content.decode()
    assert f'action="/interviews/{result.interview.pk}/name/"' in content  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("role", "status"), [("viewer", 403), ("recruiter", 200), ("outsider", 403)]
)
@pytest.mark.parametrize("ask", [{"format": "csv"}, {"HTTP_ACCEPT": "text/csv"}])
def test_the_api_csv_export_needs_the_export_permission(
    request: pytest.FixtureRequest, role: str, status: int, ask: dict[str, Any]
) -> None:
    api = APIClient()
    api.force_authenticate(request.getfixturevalue(role))
    query = {k: v for k, v in ask.items() if not k.startswith("HTTP_")}
    headers = {k: v for k, v in ask.items() if k.startswith("HTTP_")}
    response = api.get("/api/results/", query, **headers)
    assert response.status_code == status
    assert Export.objects.exists() is (status == 200)
    if status == 403:
        assert response["Content-Type"].startswith("application/json")


def test_a_superuser_in_no_group_reaches_everything(client: Client, superuser: User) -> None:
    client.force_login(superuser)
    assert client.get("/results/").status_code == 200
    assert client.get("/results/export.csv").status_code == 200


def test_a_permission_granted_to_one_user_works_without_a_group(
    client: Client, outsider: User
) -> None:
    # Pages check permissions, not group names: an operator may grant one in the admin.
    outsider.user_permissions.add(Permission.objects.get(codename="view_interviewresult"))
    client.force_login(outsider)
    assert client.get("/results/").status_code == 200
    assert client.get("/results/export.csv").status_code == 403


# --- grant_role -------------------------------------------------------------------------------


def test_grant_role_adds_a_user_to_a_group_in_any_case(outsider: User) -> None:
    assert run("grant_role", "outsider", "viewers") == "outsider added to Viewers.\n"
    assert list(outsider.groups.values_list("name", flat=True)) == [VIEWERS]
    assert run("grant_role", "outsider", "VIEWERS") == "outsider already in Viewers.\n"
    assert outsider.groups.count() == 1


def test_grant_role_gives_the_role_at_once(client: Client, outsider: User) -> None:
    client.force_login(outsider)
    assert client.get("/results/export.csv").status_code == 403
    run("grant_role", "outsider", "Recruiters")
    assert client.get("/results/export.csv").status_code == 200


def test_grant_role_remove_takes_the_user_out(viewer: User) -> None:
    assert run("grant_role", "viewer", "Viewers", "--remove") == "viewer removed from Viewers.\n"
    assert not viewer.groups.exists()
    assert run("grant_role", "viewer", "Viewers", "--remove") == "viewer was not in Viewers.\n"


def test_grant_role_refuses_an_unknown_user() -> None:
    with pytest.raises(CommandError, match="No user 'nobody'"):
        run("grant_role", "nobody", "Viewers")


def test_grant_role_refuses_an_unknown_group(outsider: User) -> None:
    with pytest.raises(CommandError, match="No role 'admins': use one of Viewers, Recruiters"):
        run("grant_role", "outsider", "admins")
    assert not outsider.groups.exists()


# --- Accounts ----------------------------------------------------------------------------------


def test_createsuperuser_still_works(monkeypatch: pytest.MonkeyPatch, client: Client) -> None:
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", "a long enough password 42")
    call_command(
        "createsuperuser",
        "--noinput",
        "--username",
        "operator",
        "--email",
        "operator@example.com",
        stdout=io.StringIO(),
    )
    operator = User.objects.get(username="operator")
    assert operator.is_superuser and operator.is_staff
    assert operator.check_password("a long enough password 42")
    client.force_login(operator)
    assert client.get("/results/").status_code == 200
    assert client.get("/admin/").status_code == 200


def test_the_demo_recruiter_is_in_recruiters(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DEMO_PASSWORD", "demo-password")
    run("demo_setup", "--count", "1")
    demo = User.objects.get(username="recruiter")
    assert list(demo.groups.values_list("name", flat=True)) == [RECRUITERS]
