"""A reviewer who changes the brief in the editor and then approves: Wagtail would save the
changes as the reviewer's revision first, making them an author whose approval is refused.
The form refuses before anything is saved, says why, and keeps the changes on screen."""

from html import unescape

import pytest
from django.contrib.messages.storage.fallback import FallbackStorage
from django.utils.html import strip_tags
from wagtail.models import Revision, TaskState

from briefs.admin_views import BriefEditView
from briefs.models import BriefPage
from evidence.tests.factories import EvidenceFactory
from review.models import EDITS_WITH_APPROVAL, PeerReviewApproval, PeerReviewTask

from .conftest import QUOTE_1, QUOTE_2, make_brief
from .conftest import edit_form_data as form
from .test_workflow import as_user, current_task, edit_url, messages_of

pytestmark = pytest.mark.django_db


def at_peer_review(client, accounts, evidence):
    analyst = accounts["analyst"]
    page = make_brief(analyst, *evidence)
    as_user(client, analyst)
    client.post(edit_url(page), form(page, action="action-submit"))
    _, task_state = current_task(page)
    assert isinstance(task_state.task.specific, PeerReviewTask)
    return page, task_state


def workflow_action(page, action_name, **fields):
    data = form(page, action="action-workflow-action", **fields)
    data["workflow-action-name"] = action_name
    return data


def test_approving_with_changes_is_refused_before_anything_is_saved(client, accounts, evidence):
    page, task_state = at_peer_review(client, accounts, evidence)
    revisions = Revision.objects.filter(object_id=str(page.pk)).count()
    as_user(client, accounts["reviewer"])

    response = client.post(
        edit_url(page), workflow_action(page, "approve", title="A reviewer's better title")
    )

    # The editor again, with the reason and the reviewer's change still in the form.
    assert response.status_code == 200
    form_shown = response.context["form"]
    assert str(EDITS_WITH_APPROVAL) in form_shown.non_field_errors()
    assert form_shown["title"].value() == "A reviewer's better title"
    # The message says why, first; not Wagtail's "could not be saved due to validation errors",
    # which reads as if a field had been filled in wrong.
    (message,) = [" ".join(strip_tags(m).split()) for m in messages_of(response)]
    assert message == str(EDITS_WITH_APPROVAL)
    # Nothing saved, nothing approved: the brief waits for a review as it was submitted.
    assert Revision.objects.filter(object_id=str(page.pk)).count() == revisions
    assert BriefPage.objects.get(pk=page.pk).get_latest_revision_as_object().title == page.title
    assert not PeerReviewApproval.objects.filter(task_state=task_state).exists()
    task_state.refresh_from_db()
    assert task_state.status == TaskState.STATUS_IN_PROGRESS
    # The reviewer may still review it.
    actions = task_state.task.specific.get_actions(
        BriefPage.objects.get(pk=page.pk), accounts["reviewer"]
    )
    assert "approve" in [name for name, _label, _modal in actions]


def test_other_errors_are_listed_under_the_reason(client, accounts, evidence):
    page, _task_state = at_peer_review(client, accounts, evidence)
    as_user(client, accounts["reviewer"])

    response = client.post(edit_url(page), workflow_action(page, "approve", title=""))

    (message,) = [" ".join(strip_tags(m).split()) for m in messages_of(response)]
    assert message.startswith(str(EDITS_WITH_APPROVAL))
    assert message.endswith("Title: This field is required.")
    assert response.context["form"].errors["title"]


def test_requesting_changes_with_edits_still_saves_them(client, accounts, evidence):
    """Only approval is at odds with editing: a reviewer may change the brief and send it back."""
    page, task_state = at_peer_review(client, accounts, evidence)
    as_user(client, accounts["reviewer"])
    data = workflow_action(page, "reject", title="Title the reviewer suggests")
    data["workflow-action-extra-data"] = '{"comment": "See my title."}'

    client.post(edit_url(page), data)

    latest = BriefPage.objects.get(pk=page.pk).get_latest_revision()
    assert latest.user == accounts["reviewer"]
    assert latest.as_object().title == "Title the reviewer suggests"
    task_state.refresh_from_db()
    assert task_state.status == TaskState.STATUS_REJECTED


def test_refusal_is_the_peer_reviews_alone(accounts, evidence):
    page = make_brief(accounts["analyst"], *evidence)
    task = PeerReviewTask(name="Peer review")
    reviewer, analyst = accounts["reviewer"], accounts["analyst"]
    assert task.refusal_of_edits_with(page, reviewer, "approve") == EDITS_WITH_APPROVAL
    assert task.refusal_of_edits_with(page, reviewer, "reject") is None
    # An author is offered no approval at all (get_actions); nothing to explain here.
    assert task.refusal_of_edits_with(page, analyst, "approve") is None


@pytest.mark.parametrize("changed", [False, True])
def test_update_message_only_when_the_action_saved_changes(rf, accounts, evidence, changed):
    """After a workflow action taken in the editor Wagtail says "Page … has been updated.",
    changes or none; without changes a reviewer read that they had changed the brief."""
    request = rf.post("/")
    request.user = accounts["reviewer"]
    request.session = {}
    request._messages = FallbackStorage(request)
    view = BriefEditView()
    view.request = request
    view.page = make_brief(accounts["analyst"], *evidence)
    view.is_reverting = False
    view.action_name_and_method = ("perform_workflow_action", None)
    view.has_content_changes = changed

    view.add_save_confirmation_message()

    said = [" ".join(unescape(strip_tags(str(m))).split()) for m in request._messages]
    assert said == ([f"Page '{view.page.title}' has been updated."] if changed else [])


def test_a_brief_with_a_key_figure_posted_unchanged_is_approved(client, accounts, source):
    """The editor posts a key figure's number as "1", stored as 1: that is no change
    (briefs.blocks.WholeNumberBlock), so the reviewer's Approve in the editor goes through."""
    e1 = EvidenceFactory(
        source=source, quote=QUOTE_1, figures=[(19.2e9, "USD", 2017, "Chinese investment")]
    )
    e2 = EvidenceFactory(source=source, quote=QUOTE_2)
    analyst = accounts["analyst"]
    page = make_brief(analyst, e1, e2).get_latest_revision_as_object()
    figure = {"type": "key_figure", "value": {"evidence": e1.pk, "figure": 1, "caption": ""}}
    # Submitted from the editor, as analysts do: the body is stored as the editor posts it.
    as_user(client, analyst)
    client.post(
        edit_url(page), form(page, body=[*page.body.raw_data, figure], action="action-submit")
    )
    _, task_state = current_task(page)
    assert isinstance(task_state.task.specific, PeerReviewTask)
    as_user(client, accounts["reviewer"])
    data = workflow_action(page, "approve")
    # As the editor posts them: with the ids of the blocks and of the author row.
    latest = BriefPage.objects.get(pk=page.pk).get_latest_revision_as_object()
    for index, block in enumerate(latest.body):
        data[f"body-{index}-id"] = block.id
    (author,) = latest.authors.all()
    data.update({"authors-INITIAL_FORMS": "1", "authors-0-id": author.pk, "authors-0-ORDER": "1"})

    client.post(edit_url(page), data)

    assert PeerReviewApproval.objects.filter(task_state=task_state).exists()
