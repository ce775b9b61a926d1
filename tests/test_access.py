"""Every URL in every role (CONTRACT.md "Roles"), generated from the URL configuration.

The walk visits every pattern `get_resolver()` knows, the admin's and the auth views' included,
builds one concrete URL for it and asks it as each standing user (tests/conftest.py). `RULES`
says the status each role gets, in the order of `ROLES`. A pattern without a rule fails the
suite: a new URL is reachable by nobody's decision until its rule says who may reach it.

The admin's per-model patterns (changelist, add, change, history, delete and the bare object URL
that redirects to change) get their rules from `ADMIN_MODELS`: one row per registered model says
which object to open and what the superuser gets on add and delete; everyone else's answer is the
same for every model (non-staff are sent to the admin's login, staff without permissions get 403).
A newly registered admin model without a row fails the suite the same way.
"""

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.contrib.auth.models import Group, User
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from interviews.ingest import delivery_receive
from interviews.models import Export
from tests.conftest import payload_bytes
from tests.factories import InterviewResultFactory

pytestmark = pytest.mark.django_db

ROLES = ("anonymous", "outsider", "viewer", "recruiter", "staff", "superuser")
Statuses = tuple[int, int, int, int, int, int]

# The recurring answers, per role in the order of ROLES.
RECRUITER_PAGE: Statuses = (302, 403, 200, 200, 403, 200)  # VIEW_RESULTS
EXPORT_PAGE: Statuses = (302, 403, 403, 200, 403, 200)  # EXPORT_RESULTS
API: Statuses = (401, 403, 200, 200, 403, 200)  # VIEW_RESULTS, 401 when not logged in
OPEN: Statuses = (200, 200, 200, 200, 200, 200)
# The admin: non-staff go to its login page, staff get only what their permissions allow.
ADMIN_STAFF_ONLY: Statuses = (302, 302, 302, 302, 200, 200)
ADMIN_MODEL_PAGE: Statuses = (302, 302, 302, 302, 403, 200)


@dataclass(frozen=True)
class Rule:
    """What each role gets from one URL pattern, and how to build a concrete URL for it.

    `args` maps each of the pattern's parameters to a key of the `objects` fixture (a real
    object's id) or, for `literal`, to the text itself. `path` replaces the whole URL (regular
    expression patterns). `post` is asked too for write and POST-only endpoints.
    """

    get: Statuses
    post: Statuses | None = None
    args: dict[str, str] = field(default_factory=dict)
    literal: dict[str, str] = field(default_factory=dict)
    path: str | None = None
    data: dict[str, str] = field(default_factory=dict)


RULES: dict[str, Rule] = {
    # --- Recruiter pages ------------------------------------------------------------------
    "home": Rule(get=(302, 302, 302, 302, 302, 302)),  # a redirect to /results/ for everyone
    "favicon.ico": Rule(get=(301, 301, 301, 301, 301, 301)),
    "results": Rule(get=RECRUITER_PAGE),
    "results-summary": Rule(get=RECRUITER_PAGE),
    "result-detail": Rule(get=RECRUITER_PAGE, args={"pk": "result"}),
    "results-export": Rule(get=EXPORT_PAGE),
    "result-report": Rule(get=(302, 403, 404, 404, 403, 404), args={"pk": "result"}),  # none kept
    "result-report-retry": Rule(
        get=(405, 405, 405, 405, 405, 405),
        post=(302, 403, 403, 302, 403, 302),  # RETRY_REPORTS: queued, back to the result
        args={"pk": "result"},
    ),
    "interview-rename": Rule(
        get=EXPORT_PAGE,  # RENAME_INTERVIEWS: Recruiters only, as export
        post=(302, 403, 403, 302, 403, 302),  # saved, then back to the list
        args={"pk": "interview"},
        data={"name": "Backend Engineer"},
    ),
    # --- The platform and load balancers --------------------------------------------------
    "webhook-interview-result": Rule(
        get=(405, 405, 405, 405, 405, 405),
        post=(401, 401, 401, 401, 401, 401),  # no secret: 401 whoever is logged in
    ),
    # --- API ------------------------------------------------------------------------------
    "api-results": Rule(get=API),
    "api-result-detail": Rule(get=API, args={"pk": "result"}),
    "api-schema": Rule(get=(401, 403, 200, 200, 200, 200)),  # staff too: no data in it
    "api-docs": Rule(get=(401, 403, 200, 200, 200, 200)),
    # --- Logging in and out (Django's auth views) -----------------------------------------
    "login": Rule(get=OPEN),
    "logout": Rule(get=(405, 405, 405, 405, 405, 405), post=(302, 302, 302, 302, 302, 302)),
    "password_change": Rule(get=(302, 200, 200, 200, 200, 200)),
    "password_change_done": Rule(get=(302, 200, 200, 200, 200, 200)),
    "password_reset": Rule(get=OPEN),
    "password_reset_done": Rule(get=OPEN),
    "password_reset_confirm": Rule(
        get=OPEN, literal={"uidb64": "MQ", "token": "not-a-token"}
    ),  # an invalid link: a page that says so
    "password_reset_complete": Rule(get=OPEN),
    # --- The admin's own pages ------------------------------------------------------------
    "admin:index": Rule(get=ADMIN_STAFF_ONLY),
    # Its login page shows a logged-in non-staff user that they may not enter; staff go in.
    "admin:login": Rule(get=(200, 200, 200, 200, 302, 302)),
    "admin:logout": Rule(get=(302, 302, 302, 302, 405, 405), post=(302, 302, 302, 302, 302, 302)),
    "admin:password_change": Rule(get=ADMIN_STAFF_ONLY),
    "admin:password_change_done": Rule(get=ADMIN_STAFF_ONLY),
    "admin:autocomplete": Rule(get=(302, 302, 302, 302, 403, 403)),  # 403 without a field
    "admin:jsi18n": Rule(get=ADMIN_STAFF_ONLY),
    # "View on site": no model of ours has a page of its own to send staff to.
    "admin:view_on_site": Rule(
        get=(302, 302, 302, 302, 404, 404),
        args={"content_type_id": "result_type", "object_id": "result"},
    ),
    # An app's page lists only the models the user may see: none, for staff alone.
    "admin:auth_user_password_change": Rule(get=ADMIN_MODEL_PAGE, args={"id": "user"}),
    "admin:app_list": Rule(get=(302, 302, 302, 302, 404, 200), path="/admin/interviews/"),
    "admin/(?P<url>.*)$": Rule(get=(302, 302, 302, 302, 404, 404), path="/admin/no-such-page/"),
}


@dataclass(frozen=True)
class AdminModel:
    """One registered admin model: the object its pages open (a key of `objects`, or None for
    an id that does not exist: the admin then redirects to its index), and what the superuser
    gets from add and delete (403 where the admin allows neither)."""

    obj: str | None
    add: int = 200
    delete: int = 200


ADMIN_MODELS: dict[str, AdminModel] = {
    "auth_group": AdminModel(obj="group"),
    "auth_user": AdminModel(obj="user"),
    "authtoken_tokenproxy": AdminModel(obj="token_user"),
    "axes_accessattempt": AdminModel(obj=None, add=403),
    "axes_accesslog": AdminModel(obj=None, add=403),
    "axes_accessfailurelog": AdminModel(obj=None, add=403),
    "django_tasks_database_dbtaskresult": AdminModel(obj=None, add=403, delete=403),
    # The platform's data and the audit trail are view-only.
    "interviews_interviewresult": AdminModel(obj="result", add=403, delete=403),
    "interviews_delivery": AdminModel(obj="delivery", add=403, delete=403),
    "interviews_interview": AdminModel(obj="interview", add=403, delete=403),
    "interviews_export": AdminModel(obj="export", add=403, delete=403),
    "interviews_erasure": AdminModel(obj=None, add=403, delete=403),
    "interviews_reportarchive": AdminModel(obj=None, add=403, delete=403),
}
MISSING_ID = "999999999"


def admin_model_rule(name: str) -> Rule | None:
    """Return the rule of one of the admin's per-model URL names, or None if it is not one."""
    match = re.fullmatch(
        r"admin:(?P<model>\w+?)_(?P<view>changelist|add|change|history|delete)", name
    )
    if match is None or match["model"] not in ADMIN_MODELS:
        return None
    model = ADMIN_MODELS[match["model"]]
    args = {"object_id": model.obj} if model.obj else {}
    literal = {} if model.obj else {"object_id": MISSING_ID}
    found = 200 if model.obj else 302  # a missing object: back to the admin's index
    view = match["view"]
    superuser = {
        "changelist": 200,
        "add": model.add,
        "change": found,
        "history": found,
        "delete": found if model.delete == 200 else model.delete,
    }[view]
    # The history page looks the object up before it checks permissions.
    staff = found if view == "history" and not model.obj else 403
    return Rule(get=(302, 302, 302, 302, staff, superuser), args=args, literal=literal)


@dataclass
class Pattern:
    key: str  # the namespaced URL name, or the route where the pattern has no name
    route: str
    regex: bool


def url_patterns(
    patterns: list[URLPattern | URLResolver] | None = None, prefix: str = "", namespace: str = ""
) -> Iterator[Pattern]:
    """Yield every pattern of the URL configuration, included ones too."""
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from url_patterns(pattern.url_patterns, route, inner)
        else:
            regex = not hasattr(pattern.pattern, "_route")
            yield Pattern(f"{namespace}{pattern.name}" if pattern.name else route, route, regex)


def rule_for(pattern: Pattern) -> Rule | None:
    if pattern.key in RULES:
        return RULES[pattern.key]
    if pattern.key.startswith("admin/") and pattern.route.endswith("/<path:object_id>/"):
        # The bare object URL of an admin model: a redirect to its change page (non-staff:
        # to the login page).
        model = pattern.route.split("/")[1] + "_" + pattern.route.split("/")[2]
        if model in ADMIN_MODELS:
            return Rule(get=(302, 302, 302, 302, 302, 302), literal={"object_id": MISSING_ID})
        return None
    return admin_model_rule(pattern.key)


def concrete_url(pattern: Pattern, rule: Rule, objects: dict[str, str]) -> str:
    if rule.path is not None:
        return rule.path
    assert not pattern.regex, f"{pattern.key}: a regular expression needs `path` in its rule"

    def fill(match: re.Match[str]) -> str:
        name = match["name"]
        if name in rule.literal:
            return rule.literal[name]
        assert name in rule.args, f"{pattern.key}: its rule names no value for <{name}>"
        return objects[rule.args[name]]

    return "/" + re.sub(r"<(?:\w+:)?(?P<name>\w+)>", fill, pattern.route)


def test_every_url_has_a_rule() -> None:
    missing = [p.key for p in url_patterns() if rule_for(p) is None]
    assert not missing, (
        f"Add a rule to RULES (or a row to ADMIN_MODELS) in tests/test_access.py for: {missing}"
    )


def test_every_rule_has_a_url() -> None:
    keys = {p.key for p in url_patterns()}
    assert not set(RULES) - keys, "Rules for URLs that no longer exist"


@pytest.fixture
def objects(recruiter: User) -> dict[str, str]:
    """One real object per kind the URLs open, by id."""
    from django.contrib.contenttypes.models import ContentType
    from rest_framework.authtoken.models import Token

    from interviews.models import InterviewResult

    receipt = delivery_receive(body=payload_bytes("submitted.json"))
    result = InterviewResultFactory.create()
    assert result.interview is not None and receipt.result_id is not None
    export = Export.objects.create(user=recruiter, channel="page", params={}, rows=0)
    Token.objects.create(user=recruiter)
    return {
        "result": str(result.pk),
        "interview": str(result.interview.pk),
        "delivery": str(receipt.delivery.pk),
        "export": str(export.pk),
        "group": str(Group.objects.get(name="Viewers").pk),
        "user": str(recruiter.pk),
        "token_user": str(recruiter.pk),
        "result_type": str(ContentType.objects.get_for_model(InterviewResult).pk),
    }


@pytest.fixture
def users(
    recruiter: User, viewer: User, outsider: User, staff: User, superuser: User
) -> dict[str, User | None]:
    return {
        "anonymous": None,
        "outsider": outsider,
        "viewer": viewer,
        "recruiter": recruiter,
        "staff": staff,
        "superuser": superuser,
    }


def log_in(client: Client, user: User | None) -> None:
    client.logout()
    if user is not None:
        client.force_login(user)


@pytest.mark.parametrize("role", ROLES)
def test_each_url_answers_each_role_as_its_rule_says(
    role: str, users: dict[str, User | None], objects: dict[str, str]
) -> None:
    index = ROLES.index(role)
    client = Client()
    user = users[role]
    log_in(client, user)
    wrong = []
    for pattern in url_patterns():
        rule = rule_for(pattern)
        if rule is None:
            continue  # test_every_url_has_a_rule says which
        url = concrete_url(pattern, rule, objects)
        for method, statuses in (("GET", rule.get), ("POST", rule.post)):
            if statuses is None:
                continue
            send: Callable[..., Any] = client.post if method == "POST" else client.get
            status = send(url, rule.data).status_code
            if method == "POST":
                log_in(client, user)  # the POST may have logged the user out
            if status != statuses[index]:
                wrong.append(
                    f"{method} {url} ({pattern.key}): {status}, rule says {statuses[index]}"
                )
    assert not wrong, f"As {role}:\n" + "\n".join(wrong)
