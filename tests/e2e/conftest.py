"""End-to-end fixtures: Debian's Chromium driven by Playwright's sync API
against pytest-django's ``live_server``.

Every page a test looks at goes through ``Session.check(name)``, which
asserts the page is clean and accessible:

* no console errors, uncaught exceptions or failed sub-requests;
* no Content-Security-Policy violations (the page runs under the real
  CSP: a listener added before any page script records every violation);
* no "serious" or "critical" axe-core findings for the WCAG 2.x A/AA
  rules. axe is injected as a <script>, which the CSP rightly blocks, so
  it runs in a second browser context with ``bypass_csp=True`` on a copy
  of the page's current DOM (served to that context by a route, so the
  server is not asked twice and nothing is submitted again);
* a full-page screenshot lands in ``test-artifacts/e2e/<name>.png``
  (1280x800 for staff pages, 360x740 for portal pages), with the axe
  findings of lower impact next to it in ``<name>.axe.json`` for review.
"""

from __future__ import annotations

import json
import os
import re
import time
from pathlib import Path

import pytest

# Playwright's sync API runs an asyncio event loop in the test thread;
# Django would otherwise refuse database access from it.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM = Path("/usr/bin/chromium")
AXE_SCRIPT = Path(__file__).resolve().parent / "vendor" / "axe.min.js"
SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "e2e"
LAUNCH_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
STAFF_VIEWPORT = {"width": 1280, "height": 800}
PHONE_VIEWPORT = {"width": 360, "height": 740}
# WCAG 2.0, 2.1 and 2.2, levels A and AA.
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
BLOCKING_IMPACTS = {"serious", "critical"}

# Runs in every document before its own scripts; CDP injects it, so the
# page's CSP does not apply to it.
CSP_LISTENER = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__cspViolations.push(
    `${event.violatedDirective} blocked ${event.blockedURI || "inline"} ` +
    `(${event.sourceFile || "?"}:${event.lineNumber || "?"})`
  );
});
"""

AXE_RUN = """
async (tags) => {
  const result = await axe.run(document, {
    runOnly: {type: "tag", values: tags},
    resultTypes: ["violations"],
  });
  return result.violations.map((v) => ({
    id: v.id,
    impact: v.impact,
    help: v.help,
    nodes: v.nodes.slice(0, 5).map((n) => n.target.join(" ")),
  }));
}
"""


@pytest.fixture(scope="module")
def browser():
    if not CHROMIUM.exists():
        pytest.skip(f"end-to-end tests need Debian's Chromium at {CHROMIUM} (apt install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=LAUNCH_ARGS)
        try:
            yield browser
        finally:
            browser.close()


class Session:
    """One person at one screen size: a browser context with its own cookies."""

    def __init__(self, browser, base_url: str, viewport: dict):
        self.browser = browser
        self.base_url = base_url
        self.viewport = viewport
        self.context = browser.new_context(
            base_url=base_url, viewport=viewport, locale="en-GB", timezone_id="Asia/Manila"
        )
        self.context.set_default_timeout(15_000)
        self.context.add_init_script(script=CSP_LISTENER)
        self.page = self.context.new_page()
        self.problems: list[str] = []
        self.page.on("console", self._on_console)
        self.page.on("pageerror", lambda error: self.problems.append(f"page error: {error}"))
        self.page.on("requestfailed", self._on_request_failed)
        self.page.on("response", self._on_response)
        self._axe_context = None

    # -- listeners --------------------------------------------------------

    def _on_console(self, message) -> None:
        if message.type == "error":
            where = (message.location or {}).get("url", "")
            self.problems.append(f"console error: {message.text} [{where}]")

    def _on_request_failed(self, request) -> None:
        # A click that navigates away aborts what the old page was still
        # loading (net::ERR_ABORTED); a resource that is really missing
        # still shows up as an HTTP error in _on_response.
        if request.failure == "net::ERR_ABORTED":
            return
        self.problems.append(f"request failed: {request.url} ({request.failure})")

    def _on_response(self, response) -> None:
        # A page answering 403 or 404 is what some tests ask for; anything
        # it loads (CSS, icon, script) must load.
        if response.status >= 400 and response.request.resource_type != "document":
            self.problems.append(f"HTTP {response.status}: {response.url}")

    # -- the per-page check -----------------------------------------------

    def check(self, name: str, *, status: int = 200) -> None:
        """Assert the current page is clean and accessible; keep a screenshot.

        ``status``: the HTTP status the page itself was expected to answer
        with; Chromium logs a console error for a 4xx document, which is
        then expected and not a problem.
        """
        page = self.page
        page.wait_for_load_state("load")
        violations = page.evaluate("() => window.__cspViolations || []")
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)
        findings = self._axe(page.url, page.content())
        (SCREENSHOTS / f"{name}.axe.json").write_text(json.dumps(findings, indent=2))

        assert page.locator("h1").count() == 1, f"{name}: a page has exactly one h1"
        assert re.fullmatch(r".+ · Tinig", page.title()), f"{name}: title {page.title()!r}"
        assert not violations, f"{name}: CSP violations: {violations}"
        expected = f"the server responded with a status of {status} "
        problems = [
            p for p in self.problems if status < 400 or not (expected in p and page.url in p)
        ]
        self.problems = []
        assert not problems, f"{name}: {problems}"
        blocking = [f for f in findings if f["impact"] in BLOCKING_IMPACTS]
        assert not blocking, f"{name}: axe found {json.dumps(blocking, indent=2)}"

    def _axe(self, url: str, html: str) -> list[dict]:
        if self._axe_context is None:
            self._axe_context = self.browser.new_context(
                base_url=self.base_url, viewport=self.viewport, bypass_csp=True
            )
        page = self._axe_context.new_page()
        try:
            page.route(
                lambda candidate: candidate == url,
                lambda route: route.fulfill(
                    status=200, content_type="text/html; charset=utf-8", body=html
                ),
            )
            page.goto(url)
            page.add_script_tag(path=str(AXE_SCRIPT))
            return page.evaluate(AXE_RUN, AXE_TAGS)
        finally:
            page.close()

    def close(self) -> None:
        if self._axe_context is not None:
            self._axe_context.close()
        self.context.close()


@pytest.fixture
def open_session(browser, live_server, transactional_db):
    """``open_session(viewport)`` -> a fresh Session; closed after the test."""
    sessions: list[Session] = []

    def _open(viewport: dict) -> Session:
        session = Session(browser, live_server.url, viewport)
        sessions.append(session)
        return session

    yield _open
    for session in sessions:
        session.close()


def fresh_totp_code(secret: str) -> str:
    """A TOTP code that stays valid for at least a few more seconds
    (allauth accepts only the current 30-second window)."""
    from tests.accounts.factories import totp_code

    if 30 - time.time() % 30 < 3:
        time.sleep(30 - time.time() % 30 + 0.2)
    return totp_code(secret)


def assert_tap_targets_are_large(page, minimum: int = 44) -> None:
    """Every control on a portal page is at least 44px tall. A checkbox or
    radio button counts through its label (clicking it works the control);
    links inside a sentence are excepted, as WCAG 2.5.8 does."""
    small = page.evaluate(
        """(minimum) => [...document.querySelectorAll(
              "a[href], button, select, textarea, " +
              "input:not([type=hidden], [type=checkbox], [type=radio]), " +
              ".choice label, .field-checkbox label, .field-radio label")]
            .filter((el) => !(el.tagName === "A" && el.closest("p, li p")
                              && el.parentElement.textContent.trim() !== el.textContent.trim()))
            .filter((el) => !el.classList.contains("skip-link"))
            .map((el) => [el.outerHTML.slice(0, 80), el.getBoundingClientRect().height])
            .filter(([, height]) => height > 0 && height < minimum)""",
        minimum,
    )
    assert not small, f"tap targets under {minimum}px: {small}"
