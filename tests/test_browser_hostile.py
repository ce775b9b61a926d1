"""Hostile content shows inert on every page, in the API and in the CSV (issue 8, "Proof under
attack").

The platform's text reaches recruiters' browsers and spreadsheets. A result whose every field
holds markup, script, formula prefixes, right-to-left overrides, 100 KB of text and a deceptive
report URL is ingested through the webhook, then opened in a real Chromium: no script runs (a
flag the payload would set stays unset, no dialog opens, no CSP violation is reported), no
`javascript:` or `data:` link exists, no link hides its real host behind user info, and
right-to-left overrides stay isolated. The CSV neutralises formulas.
"""

import csv
import io
import json
import os
import unicodedata
import uuid
from typing import Any

import pytest
from django.conf import settings
from django.contrib.auth.models import User
from django.test import Client

from interviews.models import Delivery
from tests import test_browser
from tests.conftest import WebhookClient, payload
from tests.test_browser import CHROMIUM

# The browser tests' fixtures, shared rather than copied (pytest finds them by these names).
browser = test_browser.browser
plain_http = test_browser.plain_http
site = test_browser.site
console = test_browser.console
page = test_browser.page

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not CHROMIUM.exists() and not os.environ.get("CI"),
        reason="/usr/bin/chromium is not installed",
    ),
]

PWN = "window.__pwned=1;alert(document.domain)"
MARKUP = (
    f'<img src=x onerror="{PWN}"><script>{PWN}</script><svg onload="{PWN}"></svg>'
    f'"\'><iframe src="javascript:{PWN}"></iframe><a href="javascript:{PWN}">click</a>'
)
RLO = "\u202e"
CONTROLS = "\x07\x08\x1b[2J"
FORMULAS = ['=HYPERLINK("https://evil.example","Open")', "+SUM(1,1)", "-2+3", "@SUM(1,1)"]
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
USERINFO_URL = "https://trusted.example@evil.example/x.pdf"
BREAKOUT_URL = f'https://example.com/x.pdf?a="><img/src=x/onerror={PWN}>'
HOSTILE_URLS = [
    "javascript:" + PWN,
    " JaVaScRiPt:" + PWN,
    "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
    "data:text/html,<script>" + PWN + "</script>",
]


def hostile(label: str, formula: str = FORMULAS[0]) -> str:
    return f"{formula} {label} {MARKUP} {RLO}fdp.exe{CONTROLS}"


def hundred_kb(label: str) -> str:
    text = f"{label} {MARKUP} "
    return (text * (100_000 // len(text) + 1))[: 100_000 - 8] + f"{RLO}fdp.exe"


RESULT_A = str(uuid.UUID(int=0xA, version=4))  # hostile text everywhere
RESULT_B = str(uuid.UUID(int=0xB, version=4))  # hostile statuses (the filters offer them)
RESULT_C = str(uuid.UUID(int=0xC, version=4))  # script and data URLs as its report


def hostile_records() -> dict[str, dict[str, Any]]:
    sample = payload("submitted.json")
    text_a = {
        name: hostile(name, FORMULAS[n % len(FORMULAS)])
        for n, name in enumerate(
            ["candidate_external_id", "candidate_name", "candidate_email", "candidate_phone_number"]
        )
    }
    return {
        RESULT_A: {
            **sample,
            "id": RESULT_A,
            **text_a,
            "ai_analysis": hundred_kb("ai_analysis"),
            "ai_analysis_recruiter": hundred_kb("ai_analysis_recruiter"),
            "reason": hundred_kb("reason"),
            "ai_analysis_recruiter_why_hire": [hostile("pro", f) for f in FORMULAS],
            "ai_analysis_recruiter_why_not_hire": hostile("con") + ";" + hostile("con2", "@x"),
            "pdf_export_url": USERINFO_URL,
        },
        RESULT_B: {
            **sample,
            "id": RESULT_B,
            "candidate_name": "Bob " + MARKUP,
            "status": hostile("status", "+x"),
            "interview_status": hostile("interview_status", "-x"),
            "processing_status": hostile("processing_status", "@x"),
            "pdf_export_url": BREAKOUT_URL,
        },
    }


# What a page must never contain; returns the offences found.
INERT = """() => {
  const bad = [];
  if (window.__pwned !== undefined) bad.push('a script ran: window.__pwned is set');
  const links = 'a[href], area[href], iframe[src], embed[src], object[data], form[action], '
    + 'button[formaction], input[formaction]';
  for (const el of document.querySelectorAll(links)) {
    const raw = el.getAttribute('href') ?? el.getAttribute('src') ?? el.getAttribute('data')
      ?? el.getAttribute('action') ?? el.getAttribute('formaction');
    let protocol = '';
    try { protocol = new URL(raw, location.href).protocol; } catch (e) { continue; }
    if (protocol === 'javascript:' || protocol === 'data:') bad.push(`${el.tagName} ${raw}`);
    if (el.tagName === 'A') {
      const url = new URL(raw, location.href);
      if ((url.username || url.password) && !el.innerText.includes(url.hostname)) {
        bad.push(`a link to ${url.hostname} shown as "${el.innerText.trim().slice(0, 60)}"`);
      }
    }
  }
  for (const el of document.querySelectorAll('*')) {
    for (const attr of el.attributes) {
      if (attr.name.startsWith('on') && attr.value.includes('__pwned')) {
        bad.push(`injected handler ${el.tagName}[${attr.name}]`);
      }
    }
  }
  if (document.querySelector('img[src="x"], svg[onload], iframe')) bad.push('injected element');
  for (const script of document.scripts) {
    if (script.textContent.includes('__pwned')) bad.push('injected script element');
  }
  return bad;
}"""

# A right-to-left override reverses the text after it, up to the end of its isolate (a <bdi>, an
# element styled `unicode-bidi: isolate`) or of its block: every value here ends with its one
# override and "fdp.exe", so anything else after an override in its isolate is text the value
# could disguise. Between Unicode isolate marks (FSI ... PDI), where markup cannot go, is fine.
# Raw bodies (<pre>, in the admin) are shown byte for byte, and are not checked.
BIDI = r"""() => {
  const bad = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  const skip = new Set(['SCRIPT', 'STYLE', 'TEMPLATE', 'NOSCRIPT']);
  const isolates = (el) => {
    const style = getComputedStyle(el);
    return el.tagName === 'BDI' || !['inline', 'contents'].includes(style.display)
      || ['isolate', 'isolate-override', 'plaintext'].includes(style.unicodeBidi);
  };
  while (walker.nextNode()) {
    const node = walker.currentNode;
    const at = node.data.indexOf('\u202e');
    if (at < 0 || node.parentElement.closest('pre') || skip.has(node.parentElement.tagName)) {
      continue;
    }
    if (/[\u2066\u2067\u2068]/.test(node.data.slice(0, at))
        && node.data.indexOf('\u2069', at) > at) continue;
    let isolate = node.parentElement;
    while (isolate.parentElement && !isolates(isolate)) isolate = isolate.parentElement;
    const text = isolate.textContent;
    const from = text.indexOf('\u202e');
    const after = text.slice(from + 1).replace('fdp.exe', '');
    if (after.replace(/[\s\u0000-\u001f\u007f\u2026]|\[2J/g, '')) {
      bad.push(`${isolate.tagName}: ...${text.slice(from, from + 60)}`);
    }
  }
  return bad;
}"""


def dismiss(dialog: Any, dialogs: list[str]) -> None:
    dialogs.append(dialog.message)
    dialog.dismiss()


def log_in_as(tab: Any, url: str, user: User) -> None:
    """Give the browser the session of `user` (force_login: no login form, no lockout)."""
    client = Client()
    client.force_login(user)
    session = client.cookies[settings.SESSION_COOKIE_NAME].value
    tab.context.clear_cookies()
    tab.context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": session, "url": url}])


def visit(tab: Any, url: str, dialogs: list[str], *, bidi: bool = True) -> None:
    response = tab.goto(url)
    assert response is not None and response.status == 200, (url, response and response.status)
    tab.wait_for_load_state("load")
    offences = tab.evaluate(INERT)
    assert offences == [], (url, offences)
    assert dialogs == [], (url, dialogs)
    if bidi:
        assert tab.evaluate(BIDI) == [], url


@pytest.fixture
def ingested(db: None, webhook: WebhookClient, settings: Any) -> list[int]:
    """Post the hostile results through the webhook; return the ids of their deliveries."""
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]  # `site` narrows them
    deliveries = []
    for record in hostile_records().values():
        body = json.dumps(record, ensure_ascii=False).encode()
        assert len(body) <= settings.WEBHOOK_MAX_BODY_BYTES
        response = webhook.post(body)
        if response.status_code == 400 and record["pdf_export_url"] == USERINFO_URL:
            # The other way the contract allows: refuse a URL with user info (a 400 naming it).
            assert list(response.json()["errors"]) == ["pdf_export_url"], response.json()
            deliveries.append(Delivery.objects.latest("pk").pk)
            response = webhook.post({**record, "pdf_export_url": BREAKOUT_URL})
        assert response.status_code == 200, response.content[:300]
        deliveries.append(Delivery.objects.latest("pk").pk)
    for url in HOSTILE_URLS:
        # Refused (a 400), or stored and then never a link: the pages below check both.
        response = webhook.post(
            {**payload("submitted.json"), "id": RESULT_C, "pdf_export_url": url}
        )
        assert response.status_code in {200, 400}, response.content[:300]
        deliveries.append(Delivery.objects.latest("pk").pk)
    return deliveries


def test_hostile_results_show_inert_on_every_page(
    page: Any,
    site: str,
    ingested: list[int],
    recruiter: User,
    superuser: User,
):
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: dismiss(dialog, dialogs))

    log_in_as(page, site, recruiter)
    visit(page, f"{site}/results/", dialogs)
    names = page.locator(".candidate-link").all_inner_texts()
    assert any("<script>" in name for name in names), names  # shown as text, not markup
    for result_id in (RESULT_A, RESULT_B):
        visit(page, f"{site}/results/{result_id}/", dialogs)
        assert MARKUP in page.locator("body").inner_text()
    visit(page, f"{site}/results/?q=fdp", dialogs)
    # The API's JSON as the browser shows it (raw data: no bidi isolation to expect).
    visit(page, f"{site}/api/results/?format=json", dialogs, bidi=False)
    visit(page, f"{site}/api/results/{RESULT_A}/?format=json", dialogs, bidi=False)

    log_in_as(page, site, superuser)
    visit(page, f"{site}/admin/interviews/interviewresult/", dialogs)
    for result_id in (RESULT_A, RESULT_B):
        visit(page, f"{site}/admin/interviews/interviewresult/{result_id}/change/", dialogs)
    # Raw bodies, accepted and refused, in the delivery admin.
    for delivery in ingested:
        visit(page, f"{site}/admin/interviews/delivery/{delivery}/change/", dialogs, bidi=False)
    visit(page, f"{site}/admin/interviews/delivery/", dialogs)


def test_the_api_answers_hostile_text_as_json_that_no_browser_sniffs(
    ingested: list[int], recruiter_client: Client
):
    response = recruiter_client.get(f"/api/results/{RESULT_A}/")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    assert response["X-Content-Type-Options"] == "nosniff"
    data = response.json()
    assert data["candidate_name"] == hostile_records()[RESULT_A]["candidate_name"]


def test_the_csv_neutralises_formulas_and_control_characters(
    ingested: list[int], recruiter_client: Client
):
    response = recruiter_client.get("/results/export.csv")

    assert response.status_code == 200
    text = response.getvalue().decode("utf-8-sig")
    rows = {row["id"]: row for row in csv.DictReader(io.StringIO(text))}
    sent = hostile_records()
    for result_id in (RESULT_A, RESULT_B):
        row = rows[result_id]
        for column, cell in row.items():
            assert not cell.startswith(FORMULA_PREFIXES), (column, cell[:40])
            controls = {c for c in cell if unicodedata.category(c) == "Cc"} - {"\n", "\r"}
            assert not controls, (column, controls)
        for column in ("candidate_name", "candidate_email", "candidate_external_id"):
            if str(sent[result_id].get(column, "")).startswith(FORMULA_PREFIXES):
                assert row[column].startswith("'"), (column, row[column][:40])
    # The text itself is kept (a formula shown as text, markup as sent, 100 KB in full).
    a = rows[RESULT_A]
    assert a["candidate_name"].startswith("'" + sent[RESULT_A]["candidate_name"][:20])
    assert MARKUP in a["candidate_name"]
    assert a["ai_analysis_recruiter"] == sent[RESULT_A]["ai_analysis_recruiter"]


def test_the_checks_catch_what_they_look_for(page: Any):
    """The same checks on a page that renders the payload as markup find every offence."""
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: dismiss(dialog, dialogs))
    page.set_content(
        f"<p>{MARKUP}</p><a href='{USERINFO_URL}'>Open the PDF report</a>"
        f"<p>Name: <b>{RLO}fdp.exe</b> Score: 5</p><p>Name: <bdi>{RLO}fdp.exe</bdi> Score: 5</p>"
    )
    page.wait_for_function("window.__pwned !== undefined")

    offences = page.evaluate(INERT)
    assert dialogs
    assert "a script ran: window.__pwned is set" in offences
    assert any(offence.startswith("A javascript:") for offence in offences)
    assert 'a link to evil.example shown as "Open the PDF report"' in offences
    assert "injected element" in offences
    assert page.evaluate(BIDI) == ["P: ...\u202efdp.exe Score: 5"]
