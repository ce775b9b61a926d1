"""An accessibility audit of the recruiter pages: axe-core (WCAG 2.1 A and AA) in a real Chromium.

axe-core comes from the npm registry, pinned in package.json and package-lock.json; `make test`
runs `npm ci`. Serious and critical violations fail; minor and moderate ones are printed as
warnings. Outside CI the audit skips where node_modules or Chromium is missing; in CI that fails.
"""

import os
import warnings
from pathlib import Path
from typing import Any

import pytest

from tests import test_browser
from tests.test_browser import CHROMIUM, DESKTOP, PHONE, log_in

# The browser tests' fixtures, shared rather than copied (pytest finds them by these names).
browser = test_browser.browser
plain_http = test_browser.plain_http
site = test_browser.site
console = test_browser.console
page = test_browser.page
candidates = test_browser.candidates

AXE = Path(__file__).resolve().parent.parent / "node_modules" / "axe-core" / "axe.min.js"
WCAG_21_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
FAILING_IMPACTS = {"serious", "critical"}

pytestmark = [
    pytest.mark.browser,
    # In CI a missing browser or axe-core is a failure, not a skip.
    pytest.mark.skipif(
        not (CHROMIUM.exists() and AXE.exists()) and not os.environ.get("CI"),
        reason="needs /usr/bin/chromium and node_modules/axe-core (npm ci)",
    ),
]


@pytest.fixture
def axe_page(page: Any) -> Any:
    """Return the `page` fixture with axe-core loaded into every document it opens.

    An init script runs through the DevTools protocol, outside the page's Content Security
    Policy, so the pages are audited exactly as served (strict CSP on) and the `page` fixture
    still fails on any CSP violation of their own.
    """
    if not AXE.exists():
        pytest.fail(f"{AXE} is missing: run `npm ci` (make test does)")
    page.context.add_init_script(path=str(AXE))
    return page


def axe_violations(page: Any) -> list[dict[str, Any]]:
    """Run axe-core on the open page; return its violations of the WCAG 2.1 A and AA rules."""
    return page.evaluate(
        """async (tags) => {
            const results = await axe.run(document, {runOnly: {type: 'tag', values: tags}});
            return results.violations.map((v) => ({
                id: v.id,
                impact: v.impact,
                help: v.help,
                targets: v.nodes.map((node) => node.target.join(' ')),
            }));
        }""",
        WCAG_21_AA,
    )


def describe(findings: list[tuple[str, dict[str, Any]]]) -> str:
    return "\n".join(
        f"  {where}: {v['id']} ({v['impact']}) {v['help']}; at {', '.join(v['targets'][:5])}"
        for where, v in findings
    )


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_every_page_passes_the_wcag_21_aa_audit(
    axe_page: Any, site: str, candidates: dict[str, Any], viewport: dict[str, int]
) -> None:
    page = axe_page
    page.set_viewport_size(viewport)
    findings: list[tuple[str, dict[str, Any]]] = []

    def audit(name: str, path: str, status: int = 200) -> None:
        response = page.goto(site + path)
        assert response.status == status, f"{path} answered {response.status}"
        findings.extend((name, violation) for violation in axe_violations(page))

    audit("login", "/accounts/login/")
    log_in(page, site)
    audit("list", "/results/")
    audit("filtered list", "/results/?status=active&score_min=5&ordering=-score")
    audit("empty list", "/results/?q=nobody-has-this-name")
    audit("invalid filter", "/results/?score_min=high", status=400)
    audit("detail", f"/results/{candidates['ada'].pk}/")

    failing = [(where, v) for where, v in findings if v["impact"] in FAILING_IMPACTS]
    minor = [(where, v) for where, v in findings if v["impact"] not in FAILING_IMPACTS]
    if minor:
        warnings.warn(f"axe-core, minor and moderate:\n{describe(minor)}", stacklevel=1)
    assert not failing, f"axe-core, serious and critical:\n{describe(failing)}"


def test_the_audit_reports_an_unlabelled_input_and_an_image_without_alt(
    axe_page: Any, site: str
) -> None:
    page = axe_page
    page.goto(site + "/accounts/login/")
    page.evaluate(
        """() => {
            const main = document.querySelector('main');
            const input = document.createElement('input');
            input.id = 'unlabelled';
            const image = document.createElement('img');
            image.id = 'no-alt';
            image.src = '/favicon.ico';
            main.append(input, image);
        }"""
    )

    found = {(v["id"], target) for v in axe_violations(page) for target in v["targets"]}

    assert ("label", "#unlabelled") in found
    assert ("image-alt", "#no-alt") in found
