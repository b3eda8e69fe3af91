"""The review workflow through the Wagtail admin in Chromium, as three different users: the
analyst submits, the reviewer approves with a comment, the editor signs off, which publishes."""

import uuid

import pytest
from django.conf import settings
from playwright.sync_api import expect
from wagtail.models import TaskState

from briefs.models import BriefPage
from briefs.tests import admin_steps as steps
from conftest import admin_login

from .conftest import (
    QUOTE_1,
    QUOTE_2,
    make_brief,
    make_evidence,
    make_source,
)

ARTIFACTS = settings.BASE_DIR / "test-artifacts"


def shot(page, name):
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"review-{name}.png"), full_page=True)


@pytest.mark.browser
def test_review_flow_in_the_admin(live_server, browser, page, transactional_db, demo_accounts):
    from django.contrib.auth import get_user_model

    analyst = get_user_model().objects.get(username="analyst")
    slug = f"kz-china-{uuid.uuid4().hex[:6]}"
    source = make_source()
    brief = make_brief(
        analyst, make_evidence(source, QUOTE_1), make_evidence(source, QUOTE_2), slug=slug
    )
    base = live_server.url
    edit = f"{base}/admin/pages/{brief.pk}/edit/"

    # The analyst submits the draft for review.
    admin_login(page, base, "analyst", "analyst-demo-2026")
    page.goto(edit)
    assert "submitted for moderation" in steps.submit_for_review(page)
    assert page.locator("footer button[name=action-publish]").count() == 0
    shot(page, "1-analyst-submitted")
    state = brief.current_workflow_state
    assert state.current_task_state.task.name == "Peer review"

    # The reviewer, in a browser of their own, approves with a comment, and lands on the
    # dashboard told where the brief went (the editor is no longer theirs to open).
    reviewer_context = browser.new_context(viewport={"width": 1280, "height": 900})
    reviewer = reviewer_context.new_page()
    reviewer.set_default_timeout(20_000)
    try:
        admin_login(reviewer, base, "reviewer", "reviewer-demo-2026")
        reviewer.goto(edit)
        # First with a change of theirs: approval is refused before anything is saved, with
        # the reason, and the change stays in the form.
        reviewer.locator("#id_title").fill("A reviewer's title")
        steps.approve_with_comment(reviewer, "Sound and well sourced.")
        expect(reviewer.locator(".messages")).to_contain_text("Not approved: you changed the brief")
        expect(reviewer.locator("#id_title")).to_have_value("A reviewer's title")
        shot(reviewer, "2-reviewer-edits-refused")
        assert BriefPage.objects.get(pk=brief.pk).get_latest_revision().user == analyst
        # Then as submitted (a fresh editor: the change discarded).
        reviewer.close()
        reviewer = reviewer_context.new_page()
        reviewer.set_default_timeout(20_000)
        reviewer.goto(edit)
        steps.approve_with_comment(reviewer, "Sound and well sourced.")
        reviewer.wait_for_url(f"{base}/admin/")
        expect(reviewer.locator(".messages")).to_contain_text("it is now at “Editorial sign-off”")
        shot(reviewer, "3-reviewer-approved")
    finally:
        reviewer_context.close()
    state.refresh_from_db()
    assert state.current_task_state.task.name == "Editorial sign-off"
    peer = TaskState.objects.get(workflow_state=state, task__name="Peer review")
    assert peer.status == TaskState.STATUS_APPROVED and "Sound and well sourced." in peer.comment

    # The editor signs off: the brief is live.
    editor_context = browser.new_context(viewport={"width": 1280, "height": 900})
    editor = editor_context.new_page()
    editor.set_default_timeout(20_000)
    try:
        admin_login(editor, base, "editor", "editor-demo-2026")
        editor.goto(edit)
        with editor.expect_navigation():
            steps.workflow_action(editor, "Publish")
        editor.locator(".messages li").first.wait_for()
        shot(editor, "4-editor-published")
        public = editor_context.new_page()
        public.goto(f"{base}/briefs/{slug}/")
        assert "Kazakhstan and China" in public.title() or "Kazakhstan and China" in (
            public.content()
        )
        shot(public, "5-public-brief")
    finally:
        editor_context.close()
    assert BriefPage.objects.get(pk=brief.pk).live
