"""Permission matrix: anonymous, analyst, reviewer, editor, admin by edit, submit, approve,
reject, publish, unpublish, preview; every cell asserted through the admin's own URLs."""

import pytest
from django.urls import reverse
from wagtail.models import TaskState, WorkflowState

from briefs.models import BriefPage

from .conftest import edit_form_data, make_brief
from .test_workflow import as_user, current_task, denied, edit_url

pytestmark = pytest.mark.django_db

# approve / reject: (at peer review, at editorial sign-off);
# publish: (direct "Publish" in the editor, by approving the sign-off).
MATRIX = {
    "anonymous": dict(edit=False, submit=False, approve=(False, False), reject=(False, False),
                      publish=(False, False), unpublish=False, preview=False),
    "analyst": dict(edit=True, submit=True, approve=(False, False), reject=(False, False),
                    publish=(False, False), unpublish=False, preview=True),
    "reviewer": dict(edit=False, submit=False, approve=(True, False), reject=(True, False),
                     publish=(False, False), unpublish=False, preview=True),
    "editor": dict(edit=True, submit=True, approve=(False, True), reject=(False, True),
                   publish=(False, True), unpublish=True, preview=True),
    "admin": dict(edit=True, submit=True, approve=(True, True), reject=(True, True),
                  publish=(True, True), unpublish=True, preview=True),
}  # fmt: skip


def _login(client, accounts, role):
    client.logout()
    if role != "anonymous":
        as_user(client, accounts[role])
    return client


def _in_review(accounts, evidence):
    page = make_brief(accounts["analyst"], *evidence)
    page.get_workflow().start(page, accounts["analyst"])
    assert current_task(page)[1].task.name == "Peer review"
    return page


def _at_sign_off(accounts, evidence):
    page = _in_review(accounts, evidence)
    task_state = current_task(page)[1]
    task_state.task.specific.on_action(task_state, accounts["reviewer"], "approve", comment="")
    assert current_task(page)[1].task.name == "Editorial sign-off"
    return page


def _workflow_action(client, page, action):
    task_state = current_task(page)[1]
    url = reverse("wagtailadmin_pages:workflow_action", args=[page.pk, action, task_state.pk])
    response = client.post(url, {"comment": "Matrix comment: fix the figures."})
    after = TaskState.objects.get(pk=task_state.pk).status
    expected = TaskState.STATUS_APPROVED if action == "approve" else TaskState.STATUS_REJECTED
    if after == expected:
        return True
    assert after == TaskState.STATUS_IN_PROGRESS and denied(response), (action, response)
    return False


def _live(page):
    return BriefPage.objects.get(pk=page.pk).live


@pytest.mark.parametrize("role", list(MATRIX))
def test_permission_matrix(client, accounts, evidence, role):
    expected = MATRIX[role]
    analyst = accounts["analyst"]
    seen = {}

    # edit: open the editor of a draft and save a change.
    page = make_brief(analyst, *evidence)
    _login(client, accounts, role)
    opened = client.get(edit_url(page))
    client.post(edit_url(page), edit_form_data(page, title="Edited in the matrix"))
    saved = (
        BriefPage.objects.get(pk=page.pk).get_latest_revision_as_object().title
        == "Edited in the matrix"
    )
    assert (opened.status_code == 200) == saved, role
    if not saved:
        assert denied(opened)
    seen["edit"] = saved

    # submit: "Submit for review" from the editor.
    page = make_brief(analyst, *evidence)
    client.post(edit_url(page), edit_form_data(page, action="action-submit"))
    seen["submit"] = WorkflowState.objects.for_instance(page).exists()

    # approve / reject, at each human step.
    seen["approve"] = (
        _workflow_action(client, _in_review(accounts, evidence), "approve"),
        _workflow_action(client, _at_sign_off(accounts, evidence), "approve"),
    )
    seen["reject"] = (
        _workflow_action(client, _in_review(accounts, evidence), "reject"),
        _workflow_action(client, _at_sign_off(accounts, evidence), "reject"),
    )

    # publish: directly from the editor, and by signing off.
    page = make_brief(analyst, *evidence)
    client.post(edit_url(page), edit_form_data(page, action="action-publish"))
    direct = _live(page)
    page = _at_sign_off(accounts, evidence)
    _workflow_action(client, page, "approve")
    seen["publish"] = (direct, _live(page))

    # unpublish a live brief.
    page = make_brief(analyst, *evidence)
    page.get_latest_revision().publish()
    response = client.post(reverse("wagtailadmin_pages:unpublish", args=[page.pk]))
    withdraw_url = reverse("review_withdraw", args=[page.pk])
    if response.status_code == 302 and response.url == withdraw_url:
        # A live brief is withdrawn with a public notice (review.withdrawal).
        response = client.post(withdraw_url, {"text": "Withdrawn for the test."})
    seen["unpublish"] = not _live(page)
    if _live(page):
        assert denied(response)

    # preview: the draft of a brief waiting for peer review, as HTML.
    page = _in_review(accounts, evidence)
    response = client.get(reverse("wagtailadmin_pages:view_draft", args=[page.pk]))
    seen["preview"] = (
        response.status_code == 200 and "Kazakhstan and China" in response.content.decode()
    )
    if seen["preview"]:
        assert response["Content-Type"].startswith("text/html")
    else:
        assert denied(response)

    assert seen == expected


def test_reviewer_sees_no_draft_outside_review(client, accounts, evidence):
    page = make_brief(accounts["analyst"], *evidence)
    as_user(client, accounts["reviewer"])
    assert denied(client.get(reverse("wagtailadmin_pages:view_draft", args=[page.pk])))
    assert denied(client.get(edit_url(page)))
