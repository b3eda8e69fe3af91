"""Wagtail's autosave on the "Add brief" form, in a real browser (Playwright driving Chromium).

A half-filled form must not become a page (Wagtail relaxes required fields for drafts, and
autosave posts as a draft); once the form is complete, autosave may create the brief, and the
analyst's "Save draft" then updates that one brief, without "The slug … is already in use"."""

import re

import pytest
from playwright.sync_api import expect

from briefs.models import BriefPage
from conftest import admin_login

from . import admin_steps as steps

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

TITLE = "Water politics on the Syr Darya"
SLUG = "water-politics-on-the-syr-darya"


def wait_in_browser(page, predicate, message, timeout=30):
    """Poll ``predicate`` while Playwright runs (its event handlers run only then, so not
    conftest.wait_for, which sleeps)."""
    for _ in range(timeout * 5):
        if result := predicate():
            return result
        page.wait_for_timeout(200)
    raise AssertionError(f"Timed out after {timeout}s waiting for {message}")


@pytest.fixture
def short_autosave(settings):
    settings.WAGTAIL_AUTOSAVE_INTERVAL = 200  # milliseconds after the last change


def test_autosave_never_creates_a_half_filled_brief(
    page, live_server, demo_accounts, brief_index, short_autosave
):
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    autosaves = []  # (what the form held, the server's answer)
    add_url = f"/admin/pages/add/briefs/briefpage/{brief_index.pk}/"

    def record(response):
        request = response.request
        if request.method == "POST" and "application/json" in (request.headers.get("accept") or ""):
            autosaves.append((request.url, request.post_data or "", response.json()))

    page.on("response", record)
    admin_login(page, live_server.url, "analyst", "analyst-demo-2026")
    # The admin takes the form's initial state a moment after loading; only changes made after
    # that count as edits for autosave. (A flag on <html>, not page.wait_for_function: the
    # admin's CSP forbids eval.)
    page.add_init_script(
        "document.addEventListener('w-unsaved:watch-edits', () => {"
        " document.documentElement.dataset.watchingEdits = 'yes'; })"
    )
    steps.open_new_brief(page, live_server.url, brief_index)
    page.locator("html[data-watching-edits]").wait_for(state="attached")

    # The title (leaving the field fills in the slug): autosave posts it and is refused.
    page.locator("#id_title").fill(TITLE)
    page.locator("#id_title").press("Tab")
    expect(page.locator("#id_slug")).to_have_value(SLUG)
    refused = wait_in_browser(page, lambda: [a for a in autosaves if SLUG in a[1]], "autosave")
    url, _posted, answer = refused[0]
    assert url.endswith(add_url)
    assert answer["success"] is False and answer["error_code"] == "validation_error"
    page.wait_for_timeout(1_000)  # well past the interval: nothing else saves it either
    assert not BriefPage.objects.exists()
    steps.screenshot(page, "autosave-half-filled")

    # The rest of the form: autosave now creates the brief, and later saves edit it.
    page.locator("#id_standfirst").fill("Upstream dams and downstream farms; a test brief.")
    page.locator("#id_authors-0-name").fill("Aigerim Analyst")
    steps.add_text_block(page, "The river feeds four countries.")
    wait_in_browser(page, lambda: [a for a in autosaves if a[2].get("success")], "a new brief")
    brief = BriefPage.objects.get()
    page.wait_for_timeout(500)  # the editor takes over the form (Wagtail's hydration)
    message = steps.save_draft(page)
    assert "already in use" not in page.content()
    assert re.search(rf"Page '{re.escape(TITLE)}' has been updated", message), message
    assert page.url.startswith(f"{live_server.url}/admin/pages/{brief.pk}/edit/")
    assert BriefPage.objects.count() == 1
    brief.refresh_from_db()
    assert brief.get_latest_revision_as_object().standfirst.startswith("Upstream dams")
    assert [author.name for author in brief.authors.all()] == ["Aigerim Analyst"]
    assert errors == []
