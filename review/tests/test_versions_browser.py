"""Versions in Chromium: the editor signs off a new version of a live brief with a correction
notice (the admin's own modal), then a reader opens the notice, the versions, an old version
and the side-by-side diff."""

import pytest
from playwright.sync_api import expect

from briefs.models import BriefPage, BriefVersion
from briefs.tests import admin_steps as steps
from conftest import admin_login

from .test_notices import new_draft, publish_first_version, to_sign_off
from .test_workflow_browser import shot

NOTICE = "The start year was 2006, not 2005."


@pytest.mark.browser
def test_editor_enters_a_notice_and_a_reader_opens_versions_and_diff(
    live_server, browser, page, transactional_db, accounts, evidence
):
    from .conftest import make_brief

    brief = publish_first_version(make_brief(accounts["analyst"], *evidence), accounts)
    brief = new_draft(brief, accounts, "since 2006")
    to_sign_off(brief, accounts)
    base = live_server.url

    # The editor signs off: "Publish update with notice" asks for the notice.
    admin_login(page, base, "editor", "editor-demo-2026")
    page.goto(f"{base}/admin/pages/{brief.pk}/edit/")
    steps.workflow_action(page, "Publish update with notice")
    dialog = page.locator(".modal-dialog").filter(has=page.locator("textarea[name=notice_text]"))
    dialog.locator("select[name=notice_type]").select_option("correction")
    dialog.locator("textarea[name=notice_text]").fill(NOTICE)
    shot(page, "versions-1-notice")
    with page.expect_navigation():
        dialog.locator("button[type=submit], input[type=submit]").first.click()
    page.locator(".messages li").first.wait_for()
    live = BriefPage.objects.get(pk=brief.pk)
    v2 = BriefVersion.objects.get(page=live, number=2)
    assert (v2.notice_type, v2.notice_text, v2.revision_id) == (
        "correction",
        NOTICE,
        live.live_revision_id,
    )

    # A reader, signed out, sees the notice and the versions.
    reader_context = browser.new_context(viewport={"width": 1280, "height": 900})
    reader = reader_context.new_page()
    reader.set_default_timeout(20_000)
    try:
        reader.goto(f"{base}{live.url}")
        expect(reader.locator(".brief-notices")).to_contain_text(NOTICE)
        versions = reader.locator("#versions")
        expect(versions.locator("li")).to_have_count(2)
        shot(reader, "versions-2-live")
        with reader.expect_navigation():
            versions.get_by_role("link", name="Version 1", exact=True).click()
        assert reader.url.endswith(f"{live.url}versions/1/")
        expect(reader.locator("main")).to_contain_text("since 2005")
        shot(reader, "versions-3-version-1")
        reader.goto(f"{base}{live.url}")
        with reader.expect_navigation():
            reader.locator("#versions").get_by_role("link", name="Compare").click()
        assert reader.url.endswith(f"{live.url}versions/2/diff/")
        table = reader.locator("table.diff")
        expect(table).to_contain_text("2005")
        expect(table).to_contain_text("2006")
        shot(reader, "versions-4-diff")
    finally:
        reader_context.close()
