"""What waits for a reviewer: the dashboard names the step waiting for them (not the evidence
check's "Approved"), and "Briefs in review" lists the briefs whose current step they can act on,
linking to the editor Wagtail opens to them; no new rights (test_permissions.py)."""

import re

import pytest
from django.urls import reverse

from .conftest import make_brief
from .test_permissions import _at_sign_off, _in_review
from .test_workflow import as_user, denied, edit_url

pytestmark = pytest.mark.django_db

LISTING = reverse("briefs_in_review")


def awaiting_panel(html):
    match = re.search(r'id="awaiting-review-section".*?</section>', html, re.S)
    return match.group(0) if match else ""


def text(html):
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).strip()


def test_dashboard_names_the_step_waiting_for_the_reviewer(client, accounts, evidence):
    page = _in_review(accounts, evidence)
    as_user(client, accounts["reviewer"])
    panel = awaiting_panel(client.get(reverse("wagtailadmin_home")).content.decode())
    assert page.title in panel
    assert "Peer review : waiting for you Step 2 of 3" in text(panel)
    assert "Approved" not in panel  # the evidence check's


def test_dashboard_names_the_editors_step(client, accounts, evidence):
    page = _at_sign_off(accounts, evidence)
    as_user(client, accounts["editor"])
    panel = awaiting_panel(client.get(reverse("wagtailadmin_home")).content.decode())
    assert page.title in panel
    assert "Editorial sign-off : waiting for you Step 3 of 3" in text(panel)


def test_reviewers_and_editors_have_the_menu_item_analysts_do_not(client, accounts):
    for role, shown in [("reviewer", True), ("editor", True), ("analyst", False)]:
        as_user(client, accounts[role])
        html = client.get(reverse("wagtailadmin_home")).content.decode()
        assert ("Briefs in review" in html and LISTING in html) is shown, role


def test_briefs_in_review_lists_what_the_reviewer_can_act_on(client, accounts, evidence):
    waiting = _in_review(accounts, evidence)
    make_brief(accounts["analyst"], *evidence, title="A draft outside review")
    signing = _at_sign_off(accounts, evidence)
    as_user(client, accounts["reviewer"])
    response = client.get(LISTING)
    assert response.status_code == 200
    html = response.content.decode()
    assert f'href="{edit_url(waiting)}"' in html
    assert "Peer review" in html and "Analyst Demo" in html
    assert "A draft outside review" not in html
    assert f'href="{edit_url(signing)}"' not in html
    # The link opens the editor Wagtail gives the reviewer for this step, with its actions.
    editor = client.get(edit_url(waiting))
    assert editor.status_code == 200
    assert "Request changes" in editor.content.decode()

    as_user(client, accounts["editor"])
    html = client.get(LISTING).content.decode()
    assert f'href="{edit_url(signing)}"' in html and "Editorial sign-off" in html
    assert f'href="{edit_url(waiting)}"' not in html


def test_the_author_never_finds_their_own_brief_there(client, accounts, evidence):
    reviewer = accounts["reviewer"]
    page = make_brief(reviewer, *evidence, title="The reviewer's own brief")
    page.get_workflow().start(page, reviewer)
    as_user(client, reviewer)
    html = client.get(LISTING).content.decode()
    assert "The reviewer&#x27;s own brief" not in html and "own brief" not in html
    assert "No brief is waiting for you." in text(html)


def test_analysts_are_refused_the_listing(client, accounts):
    as_user(client, accounts["analyst"])
    assert denied(client.get(LISTING))
