"""A reviewer finds the brief waiting for them from the admin's menu, in Chromium."""

import pytest
from playwright.sync_api import expect

from conftest import admin_login

from .conftest import QUOTE_1, QUOTE_2, make_brief, make_evidence, make_source

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_reviewer_finds_briefs_in_review_from_the_menu(page, live_server, demo_accounts):
    from django.contrib.auth import get_user_model

    analyst = get_user_model().objects.get(username="analyst")
    source = make_source()
    brief = make_brief(
        analyst, make_evidence(source, QUOTE_1), make_evidence(source, QUOTE_2), slug="menu-kz"
    )
    brief.get_workflow().start(brief, analyst)

    admin_login(page, live_server.url, "reviewer", "reviewer-demo-2026")
    page.get_by_role("link", name="Briefs in review").click()
    page.wait_for_url(f"{live_server.url}/admin/review/briefs/")
    row = page.locator("tbody tr", has_text=brief.title)
    expect(row).to_contain_text("Peer review")
    row.get_by_role("link", name=brief.title).click()
    page.wait_for_url(f"{live_server.url}/admin/pages/{brief.pk}/edit/")
    page.locator("footer").wait_for()
    assert page.locator("footer button[name=action-publish]").count() == 0
