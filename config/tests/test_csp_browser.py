"""The Content-Security-Policy holds in a real browser: Chromium loads the public site and the
main Wagtail admin screens under the policy of the settings (the strict one for the public
site, the admin's relaxation under /admin/) and reports no `securitypolicyviolation` event,
no CSP console error and no uncaught script error."""

import pytest

from briefs.tests.admin_steps import add_block, choose_in_evidence_modal, evidence_modal
from conftest import admin_login

# serialized_rollback: the site tree that migrations create survives the flush between tests.
pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.fixture
def content(db):
    """A published brief with a StreamField citing evidence of a source, and its country."""
    from pdfs.tests.conftest import PAGES, QUOTE, brief_body, make_brief, make_evidence, make_source
    from taxonomy.models import Country

    source = make_source("Steppe Economics", PAGES)
    evidence = make_evidence(source, QUOTE)
    brief = make_brief(title="Loans and Trust", body=brief_body(evidence))
    country = Country.objects.order_by("pk").first()
    if country is not None:
        brief.countries.add(country)
        brief.save_revision().publish()
    return {"source": source, "evidence": evidence, "brief": brief, "country": country}


class Watcher:
    """Collects CSP violations (DOM events and console messages) and uncaught errors."""

    def __init__(self, page):
        self.problems = []
        self.console_errors = []
        page.expose_function("__reportCsp", self._violation)
        page.add_init_script(
            "document.addEventListener('securitypolicyviolation', e => window.__reportCsp("
            "[e.violatedDirective, e.blockedURI, e.sourceFile, e.lineNumber, e.sample]"
            ".join(' | ')));"
        )
        page.on("console", self._console)
        page.on("pageerror", lambda error: self.problems.append(f"page error: {error}"))
        self.page = page

    def _violation(self, text):
        self.problems.append(f"{self.page.url}: CSP violation: {text}")

    def _console(self, message):
        text = message.text
        if message.type == "error":
            self.console_errors.append(text)
        if message.type == "error" and "Content Security Policy" in text:
            self.problems.append(f"{self.page.url}: console: {text}")

    def visit(self, url, expect_status=200):
        response = self.page.goto(url)
        assert response.status == expect_status, url
        self.page.wait_for_load_state("networkidle")
        return response

    def assert_clean(self):
        assert self.problems == [], "\n".join(self.problems)


def _csp(response):
    return response.headers.get("content-security-policy", "")


def test_public_pages_work_under_the_strict_policy(page, live_server, content):
    watcher = Watcher(page)
    brief = content["brief"]
    urls = ["/", "/briefs/", brief.url]
    if content["country"] is not None:
        urls.append(f"/countries/{content['country'].slug}/")
    for path in urls:
        response = watcher.visit(f"{live_server.url}{path}")
        policy = _csp(response)
        assert "script-src 'self'" in policy and "'unsafe-inline'" not in policy, path
        assert "frame-ancestors 'self'" in policy
    # The API's documentation page (Redoc, served from this site, with its own relaxation).
    watcher.visit(f"{live_server.url}/api/v1/docs/")
    page.locator("redoc h1, [role=navigation], .api-content").first.wait_for()
    watcher.assert_clean()
    # The brief's text rendered, with its citation.
    watcher.visit(f"{live_server.url}{brief.url}")
    assert "Loans and Trust" in page.content()


def test_the_watcher_sees_a_violation(page, live_server, content):
    """Control: an inline script on a public page is blocked and reported."""
    watcher = Watcher(page)
    watcher.visit(f"{live_server.url}/")
    page.evaluate(
        "() => { const s = document.createElement('script'); s.textContent = 'window.x = 1';"
        " document.body.appendChild(s); }"
    )
    page.wait_for_timeout(300)
    assert page.evaluate("() => window.x") is None
    assert any("script-src" in problem for problem in watcher.problems), watcher.problems


def test_admin_screens_work_under_the_admin_policy(page, live_server, content, superuser):
    watcher = Watcher(page)
    admin_login(page, live_server.url, "boss", "pw-boss-2026")
    brief = content["brief"]
    admin = f"{live_server.url}/admin"

    response = watcher.visit(f"{admin}/")
    assert "'unsafe-inline'" in _csp(response)
    assert page.locator("h1").first.is_visible()

    # Snippet listings.
    watcher.visit(f"{admin}/snippets/sources/source/")
    assert page.get_by_text("Steppe Economics").first.is_visible()
    watcher.visit(f"{admin}/snippets/evidence/evidence/")

    # The page explorer and the page editor with its StreamField.
    watcher.visit(f"{admin}/pages/{brief.get_parent().pk}/")
    watcher.visit(f"{admin}/pages/{brief.pk}/edit/")
    page.locator("[data-streamfield-stream-container], .w-field--stream_field").first.wait_for()
    page.get_by_role("button", name="Save draft").first.wait_for()

    # A chooser modal: the evidence chooser of a new evidence quote block.
    block = add_block(page, "Evidence quote")
    block.get_by_role("button", name="Choose evidence").first.click()
    modal = evidence_modal(page)
    page.wait_for_load_state("networkidle")
    modal.get_by_text("Survey respondents said").first.wait_for()
    choose_in_evidence_modal(page, "Survey respondents said")
    # A table block: its editor (Handsontable) in the site's language, with no error.
    add_block(page, "Table").locator(".handsontable").first.wait_for()
    assert not [text for text in watcher.console_errors if "anguage" in text], (
        watcher.console_errors
    )

    # The page chooser of the explorer ("Move"), and the reader of a source (its own script).
    watcher.visit(f"{admin}/pages/{brief.pk}/move/")
    watcher.visit(f"{admin}/sources/{content['source'].pk}/reader/")
    watcher.assert_clean()


def test_lockout_page_renders_under_the_admin_policy(page, live_server, superuser, settings):
    watcher = Watcher(page)
    for _ in range(settings.AXES_FAILURE_LIMIT):
        page.goto(f"{live_server.url}/admin/login/")
        page.fill("input[name=username]", "boss")
        page.fill("input[name=password]", "not-the-password")
        page.click("button[type=submit]")
        page.wait_for_load_state("networkidle")
    assert page.get_by_role("heading", name="Too many failed sign-in attempts").is_visible()
    assert (
        page.locator("[data-lockout-message]")
        .inner_text()
        .startswith("Signing in as “boss” from this address is locked after 5 failed attempts.")
    )
    watcher.assert_clean()
