"""The recruiter pages in a real Chromium (Debian's /usr/bin/chromium, never a downloaded one).

Run alone with `pytest -m browser`; UPDATE_SCREENSHOTS=1 also refreshes docs/screenshots/.
"""

import os
import shutil
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import Group
from django.test import override_settings
from django.utils import timezone
from playwright.sync_api import expect

from interviews.demo import demo_load
from interviews.roles import RECRUITERS
from tests.factories import InterviewFactory, InterviewResultFactory, UserFactory

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
PASSWORD = "correct horse battery staple"
SCREENSHOTS = Path(__file__).resolve().parent.parent / "docs" / "screenshots"
DESKTOP = {"width": 1366, "height": 900}
PHONE = {"width": 390, "height": 844}

# Playwright's sync API runs an event loop in this thread; the test's own ORM calls are still
# synchronous code, which Django would otherwise refuse next to a running loop.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

pytestmark = [
    pytest.mark.browser,
    # In CI a missing browser is a failure, not a skip.
    pytest.mark.skipif(
        not CHROMIUM.exists() and not os.environ.get("CI"),
        reason="/usr/bin/chromium is not installed",
    ),
]


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture(scope="session")
def plain_http() -> Iterator[None]:
    """Turn the SSL redirect off before the live server builds its middleware (which reads it
    once, at start-up): the live server speaks plain HTTP."""
    with override_settings(SECURE_SSL_REDIRECT=False):
        yield


@pytest.fixture
def site(plain_http: None, live_server: Any, settings: Any, transactional_db: None) -> str:
    """Return the live server's URL, served over plain HTTP with DEBUG off."""
    settings.ALLOWED_HOSTS = ["localhost", "127.0.0.1"]
    settings.SESSION_COOKIE_SECURE = False
    settings.CSRF_COOKIE_SECURE = False
    settings.SECURE_HSTS_SECONDS = 0
    return str(live_server.url)


@pytest.fixture
def console() -> list[str]:
    """Collect the browser console's messages and page errors of a test."""
    return []


@pytest.fixture
def page(browser: Any, console: list[str]) -> Iterator[Any]:
    context = browser.new_context(viewport=DESKTOP, accept_downloads=True)
    page = context.new_page()
    page.on("console", lambda message: console.append(message.text))
    page.on("pageerror", lambda error: console.append(str(error)))
    yield page
    context.close()
    violations = [text for text in console if "Content Security Policy" in text]
    assert not violations, violations


def log_in(page: Any, site: str, path: str = "/results/") -> None:
    user = UserFactory.create(username="recruiter", password=PASSWORD)
    user.groups.add(Group.objects.get(name=RECRUITERS))  # only a role sees the pages
    page.goto(site + path)
    assert "/accounts/login/" in page.url
    page.get_by_label("Username").fill(user.username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"**{path}*")


@pytest.fixture
def candidates() -> dict[str, Any]:
    """Two strong submitted candidates, one weak one and one collected one, newest first."""
    interview = InterviewFactory.create(name="Backend Engineer")
    now = timezone.now()

    def make(name: str, minutes_ago: int, **fields: Any) -> Any:
        received = now - timedelta(minutes=minutes_ago)
        return InterviewResultFactory.create(
            candidate_name=name,
            interview=interview,
            first_received_at=received,
            last_received_at=received,
            **fields,
        )

    return {
        "ada": make(
            "Ada Lovelace",
            1,
            score=6.5,
            ai_analysis_recruiter_why_hire=["Designs clear data models", "<b>not bold</b>"],
            ai_analysis_recruiter_why_not_hire=["No on-call experience"],
        ),
        "bob": make("Bob Weak", 2, score=2.1),
        "cleo": make("Cleo Collected", 3, status="draft", score=6.0),
        "eve": make("Eve Strong", 4, score=5.5, ai_analysis_recruiter_why_hire=["Calm"]),
    }


def result_names(page: Any) -> list[str]:
    return page.locator(".results-table .candidate-link").all_inner_texts()


def test_a_recruiter_filters_opens_steps_and_goes_back(
    page: Any, site: str, candidates: dict[str, Any]
) -> None:
    log_in(page, site)
    assert set(result_names(page)) == {"Ada Lovelace", "Bob Weak", "Cleo Collected", "Eve Strong"}

    # htmx swaps the table and pushes the URL: no full reload (the marker survives).
    page.evaluate("window.__sameDocument = true")
    page.get_by_text("Platform statuses").click()
    page.locator("#filters").get_by_label("active", exact=True).check()
    page.wait_for_url("**status=active*")
    page.get_by_role("group", name="Score", exact=True).get_by_label("From").fill("5")
    page.get_by_role("group", name="Score", exact=True).get_by_label("From").press("Tab")
    page.wait_for_url("**score_min=5*")
    expect(page.locator(".results-table tbody tr")).to_have_count(2)
    assert result_names(page) == ["Ada Lovelace", "Eve Strong"]
    assert page.evaluate("window.__sameDocument") is True

    # The reasons read right in the list, as text.
    ada_row = page.locator("tr", has_text="Ada Lovelace")
    ada_row.locator("summary").click()
    # In the opened list (the summary repeats the first reason).
    reasons = ada_row.locator(".reasons__body")
    expect(reasons.get_by_text("Designs clear data models", exact=True)).to_be_visible()
    expect(reasons.get_by_text("<b>not bold</b>", exact=True)).to_be_visible()

    # The export link carries the filter, not the page.
    export = page.get_by_role("link", name="Export CSV").get_attribute("href")
    assert export.startswith("/results/export.csv?")
    assert "status=active" in export and "score_min=5" in export and "cursor" not in export

    # Open one, step with the button and the keys, and go back with Esc.
    page.get_by_role("link", name="Ada Lovelace").click()
    page.wait_for_url(f"**/results/{candidates['ada'].pk}/*")
    assert page.get_by_role("heading", level=1).inner_text() == "Ada Lovelace"
    page.get_by_role("link", name="Next →").click()
    page.wait_for_url(f"**/results/{candidates['eve'].pk}/*")
    page.keyboard.press("k")
    page.wait_for_url(f"**/results/{candidates['ada'].pk}/*")
    page.keyboard.press("j")
    page.wait_for_url(f"**/results/{candidates['eve'].pk}/*")
    page.keyboard.press("Escape")
    page.wait_for_url("**/results/?*")
    assert "score_min=5" in page.url and "status=active" in page.url
    assert result_names(page) == ["Ada Lovelace", "Eve Strong"]
    assert (
        page.get_by_role("group", name="Score", exact=True).get_by_label("From").input_value()
        == "5"
    )


def test_the_back_button_restores_the_previous_filter(
    page: Any, site: str, candidates: dict[str, Any]
) -> None:
    log_in(page, site)
    page.get_by_label("Search").fill("Bob")
    page.wait_for_url("**q=Bob*")
    expect(page.locator(".results-table tbody tr")).to_have_count(1)
    page.go_back()
    expect(page.locator(".results-table tbody tr")).to_have_count(4)
    assert "q=Bob" not in page.url


def test_the_list_works_without_javascript(
    browser: Any, site: str, candidates: dict[str, Any], console: list[str]
) -> None:
    context = browser.new_context(viewport=DESKTOP, java_script_enabled=False)
    page = context.new_page()
    log_in(page, site)
    page.get_by_role("group", name="Score", exact=True).get_by_label("From").fill("6")
    page.get_by_role("button", name="Apply filters").click()
    page.wait_for_url("**score_min=6*")
    assert set(result_names(page)) == {"Ada Lovelace", "Cleo Collected"}
    context.close()


def test_it_saves_screenshots_of_the_list_and_the_detail(
    browser: Any, site: str, tmp_path: Path, console: list[str]
) -> None:
    demo_load(count=60)
    context = browser.new_context(viewport=DESKTOP)
    page = context.new_page()
    page.on("console", lambda message: console.append(message.text))
    log_in(page, site)
    shots = {}
    for width_name, viewport in (("desktop", DESKTOP), ("phone", PHONE)):
        page.set_viewport_size(viewport)
        page.goto(site + "/results/?event=submitted&ordering=-score")
        shots[f"list-{width_name}.png"] = page.screenshot()
        page.locator(".candidate-link").first.click()
        page.wait_for_url("**/results/*/?back=*")
        shots[f"detail-{width_name}.png"] = page.screenshot(full_page=True)
    context.close()
    for name, image in shots.items():
        (tmp_path / name).write_bytes(image)
        assert image.startswith(b"\x89PNG")
    if os.environ.get("UPDATE_SCREENSHOTS") == "1":
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        for name in shots:
            shutil.copy(tmp_path / name, SCREENSHOTS / name)
    assert not [text for text in console if "Content Security Policy" in text]
