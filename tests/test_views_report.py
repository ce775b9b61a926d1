"""GET /results/<id>/report.pdf, POST /results/<id>/report/retry/ and the report on the pages."""

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from interviews.models import ReportArchive
from tests.factories import InterviewResultFactory, ReportArchiveFactory
from tests.report_server import SAMPLE_PDF

pytestmark = pytest.mark.django_db
State = ReportArchive.State


@pytest.fixture(autouse=True)
def media(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


def kept(**result: Any) -> ReportArchive:
    archive = ReportArchiveFactory.create(
        state=State.KEPT, **{f"result__{k}": v for k, v in result.items()}
    )
    assert isinstance(archive, ReportArchive)
    archive.file.name = default_storage.save(
        f"reports/{archive.result_id}/abc.pdf", ContentFile(SAMPLE_PDF)
    )
    archive.size = 1_250_000
    archive.archived_at = timezone.now()
    archive.save()
    return archive


def report_url(archive: ReportArchive) -> str:
    return reverse("result-report", args=[archive.result_id])


def test_it_serves_the_kept_copy(recruiter_client: Client) -> None:
    archive = kept(candidate_name="Maria Tamm")

    response = recruiter_client.get(report_url(archive))

    assert response.status_code == 200
    assert b"".join(response.streaming_content) == SAMPLE_PDF  # type: ignore[attr-defined]
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'inline; filename="Maria Tamm.pdf"'
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "no-store" in response["Cache-Control"]
    csp = response["Content-Security-Policy"]
    assert "object-src 'self'" in csp
    assert "'unsafe-inline'" not in csp


def test_it_serves_it_to_viewers(viewer_client: Client) -> None:
    assert viewer_client.get(report_url(kept())).status_code == 200


@pytest.mark.parametrize(
    ("name", "filename"),
    [
        ('Evil"; filename=x.exe\r\nX-Injected: 1', "Evil filename x.exe X-Injected 1.pdf"),
        ("Zoë Ångström-Łukasz", "Zoe Angstrom-ukasz.pdf"),
        ("../../etc/passwd", "etc passwd.pdf"),
    ],
)
def test_it_sanitises_the_file_name(recruiter_client: Client, name: str, filename: str) -> None:
    response = recruiter_client.get(report_url(kept(candidate_name=name)))

    assert response["Content-Disposition"] == f'inline; filename="{filename}"'


def test_it_names_the_file_by_id_without_a_name(recruiter_client: Client) -> None:
    archive = kept(candidate_name=None)

    response = recruiter_client.get(report_url(archive))

    assert response["Content-Disposition"] == f'inline; filename="{archive.result_id}.pdf"'


@pytest.mark.parametrize("state", [State.PENDING, State.FAILED])
def test_it_answers_404_until_a_copy_is_kept(recruiter_client: Client, state: str) -> None:
    archive = ReportArchiveFactory.create(state=state)

    assert recruiter_client.get(report_url(archive)).status_code == 404


def test_it_answers_404_without_an_archive_or_a_result(recruiter_client: Client) -> None:
    result = InterviewResultFactory.create()

    assert recruiter_client.get(reverse("result-report", args=[result.pk])).status_code == 404
    assert (
        recruiter_client.get("/results/00000000-0000-0000-0000-000000000000/report.pdf").status_code
        == 404
    )


def test_it_answers_404_when_the_file_is_gone_from_storage(recruiter_client: Client) -> None:
    archive = kept()
    default_storage.delete(str(archive.file.name))

    assert recruiter_client.get(report_url(archive)).status_code == 404


def test_it_sends_anonymous_visitors_to_the_login_page(client: Client) -> None:
    response = client.get(report_url(kept()))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_it_refuses_users_without_a_role(client: Client, outsider: Any) -> None:
    client.force_login(outsider)

    assert client.get(report_url(kept())).status_code == 403


def test_it_accepts_only_get_and_head(recruiter_client: Client) -> None:
    assert recruiter_client.post(report_url(kept())).status_code == 405


# --- Try again -------------------------------------------------------------------------------


def retry_url(archive: ReportArchive) -> str:
    return reverse("result-report-retry", args=[archive.result_id])


def test_it_queues_a_failed_report_again(
    recruiter_client: Client, django_capture_on_commit_callbacks: Any
) -> None:
    archive = ReportArchiveFactory.create(state=State.FAILED, attempts=6, last_error="Gave up.")

    with django_capture_on_commit_callbacks(execute=True):
        response = recruiter_client.post(retry_url(archive))

    assert response.status_code == 302
    assert response["Location"] == reverse("result-detail", args=[archive.result_id])
    archive.refresh_from_db()
    assert (archive.state, archive.attempts, archive.last_error) == (State.PENDING, 0, "")
    assert DBTaskResult.objects.get().args_kwargs["args"] == [str(archive.result_id)]


def test_it_needs_the_retry_permission(viewer_client: Client) -> None:
    archive = ReportArchiveFactory.create(state=State.FAILED)

    assert viewer_client.post(retry_url(archive)).status_code == 403
    archive.refresh_from_db()
    assert archive.state == State.FAILED


def test_it_needs_post_and_csrf(recruiter: Any) -> None:
    archive = ReportArchiveFactory.create(state=State.FAILED)
    client = Client(enforce_csrf_checks=True)
    client.force_login(recruiter)

    assert client.get(retry_url(archive)).status_code == 405
    assert client.post(retry_url(archive)).status_code == 403
    assert not DBTaskResult.objects.exists()


def test_it_answers_404_for_an_unknown_result(recruiter_client: Client) -> None:
    url = "/results/00000000-0000-0000-0000-000000000000/report/retry/"

    assert recruiter_client.post(url).status_code == 404


# --- On the pages ----------------------------------------------------------------------------


def detail(client: Client, archive: ReportArchive) -> str:
    response = client.get(reverse("result-detail", args=[archive.result_id]))
    assert response.status_code == 200
    return response.content.decode()


def test_the_detail_page_shows_the_kept_copy(recruiter_client: Client) -> None:
    archive = kept()

    page = detail(recruiter_client, archive)

    assert "Kept on" in page
    assert "1.2\xa0MB" in page
    assert report_url(archive) in page


def test_the_detail_page_says_not_kept_yet_with_the_platforms_link(
    recruiter_client: Client,
) -> None:
    archive = ReportArchiveFactory.create(result__pdf_export_url="https://example.com/r.pdf?sig=1")

    page = detail(recruiter_client, archive)

    assert "Not kept yet" in page
    assert "https://example.com/r.pdf?sig=1" in page
    assert report_url(archive) not in page


def test_the_detail_page_explains_a_failure_with_a_try_again_button(
    recruiter_client: Client,
) -> None:
    archive = ReportArchiveFactory.create(
        state=State.FAILED, last_error="The report's server answered 404."
    )

    page = detail(recruiter_client, archive)

    assert "could not be kept: The report&#x27;s server answered 404." in page
    assert retry_url(archive) in page
    assert "Try again" in page


def test_the_detail_page_offers_no_try_again_to_viewers(viewer_client: Client) -> None:
    archive = ReportArchiveFactory.create(state=State.FAILED, last_error="Gave up.")

    page = detail(viewer_client, archive)

    assert "Gave up." in page
    assert "Try again" not in page


def test_the_list_marks_kept_reports_without_a_query_per_row(
    recruiter_client: Client, django_assert_max_num_queries: Any
) -> None:
    kept_ones = [kept() for _ in range(3)]
    ReportArchiveFactory.create_batch(3)
    InterviewResultFactory.create_batch(3)
    recruiter_client.get(reverse("results"))  # warm the per-process caches

    with django_assert_max_num_queries(20) as captured:
        response = recruiter_client.get(reverse("results"))
    queries = len(captured)
    kept_ones += [kept() for _ in range(5)]
    with django_assert_max_num_queries(queries):
        response = recruiter_client.get(reverse("results"))

    page = response.content.decode()
    assert page.count('class="sub report-kept"') == 8
    for archive in kept_ones:
        assert report_url(archive) in page


def test_the_api_gives_the_copys_absolute_url_and_state(recruiter_client: Client) -> None:
    archive = kept()
    pending = ReportArchiveFactory.create()

    results = {row["id"]: row for row in recruiter_client.get("/api/results/").json()["results"]}

    kept_row = results[str(archive.result_id)]
    assert kept_row["report_pdf_url"] == "http://testserver" + report_url(archive)
    assert kept_row["report_archive"]["state"] == "kept"
    assert kept_row["report_archive"]["size"] == 1_250_000
    pending_row = results[str(pending.result_id)]
    assert pending_row["report_pdf_url"] is None
    assert pending_row["report_archive"]["state"] == "pending"
    detail_row = recruiter_client.get(f"/api/results/{archive.result_id}/").json()
    assert detail_row["report_pdf_url"] == kept_row["report_pdf_url"]


def test_the_api_says_null_without_a_report_link(recruiter_client: Client) -> None:
    result = InterviewResultFactory.create(pdf_export_url=None)

    row = recruiter_client.get(f"/api/results/{result.pk}/").json()

    assert row["report_pdf_url"] is None
    assert row["report_archive"] is None


@pytest.fixture(scope="session")
def plain_http() -> Iterator[None]:
    """As in tests/test_browser.py: the live server (started once) speaks plain HTTP."""
    with override_settings(SECURE_SSL_REDIRECT=False):
        yield


@pytest.mark.browser
@pytest.mark.skipif(
    not Path("/usr/bin/chromium").exists() and not os.environ.get("CI"),
    reason="/usr/bin/chromium is not installed",
)
@pytest.mark.django_db(transaction=True)
def test_chromiums_pdf_viewer_opens_the_report_under_its_policy(
    plain_http: None,
    live_server: Any,
    settings: Any,
    recruiter: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread, beside the ORM calls.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    settings.SECURE_HSTS_SECONDS = 0
    archive = kept(candidate_name="Maria Tamm")
    session = Client()
    session.force_login(recruiter)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path="/usr/bin/chromium", args=["--headless", "--no-sandbox"]
        )
        context = browser.new_context()
        context.add_cookies(
            [
                {
                    "name": "sessionid",
                    "value": session.cookies["sessionid"].value,
                    "url": live_server.url,
                }
            ]
        )
        page = context.new_page()
        violations: list[str] = []
        page.on("console", lambda message: violations.append(message.text))
        response = page.goto(live_server.url + report_url(archive))
        assert response is not None and response.status == 200
        # As sent (`headers` gives what Chromium kept of the policy for the viewer's frame).
        sent = {h["name"].lower(): h["value"] for h in response.headers_array()}
        assert "object-src 'self'" in sent["content-security-policy"]
        # The viewer's own toolbar: the document was loaded and parsed (one page), and it
        # shows the file name the view sent.
        toolbar = (
            "(() => { const viewer = document.querySelector('pdf-viewer');"
            " const root = viewer && viewer.shadowRoot;"
            " const bar = root && root.querySelector('viewer-toolbar');"
            " return bar ? [bar.docLength, bar.docTitle] : [0, '']; })()"
        )
        pages, title = 0, ""
        for _ in range(100):
            viewers = [f for f in page.frames if f.url.startswith("chrome-extension://")]
            if viewers:
                pages, title = viewers[0].evaluate(toolbar)
                if pages:
                    break
            page.wait_for_timeout(100)
        browser.close()
    assert (pages, title) == (1, "Maria Tamm.pdf")
    assert not [text for text in violations if "Content Security Policy" in text]
