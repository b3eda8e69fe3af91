"""The "Brief review" workflow with the demo accounts, through the admin's own views."""

import datetime

import pytest
from django.core import mail
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from wagtail.models import Revision, TaskState, Workflow, WorkflowState

from briefs.models import BriefIndexPage, BriefPage
from review.models import (
    EditorialSignOffTask,
    EvidenceCheckTask,
    EvidenceCheckTaskState,
    PeerReviewTask,
)
from review.services import check_revision
from review.tasks import publish_scheduled_pages
from sources.models import Source

from .conftest import PAGES, body_data, make_brief, make_evidence, replace_source_text
from .conftest import edit_form_data as form

pytestmark = pytest.mark.django_db

NEW_PAGES = [
    PAGES[0],
    "A 2019 poll found that 47 percent of respondents distrust the Khorgos hub. "
    "Attitudes in rural districts are more cautious. ",
]
NEW_QUOTE = "47 percent of respondents distrust the Khorgos hub."


def edit_url(page):
    return reverse("wagtailadmin_pages:edit", args=[page.pk])


def action_url(page, action):
    state = WorkflowState.objects.for_instance(page).get(status__in=["in_progress"])
    return reverse(
        "wagtailadmin_pages:workflow_action",
        args=[page.pk, action, state.current_task_state_id],
    )


def current_task(page):
    state = (
        WorkflowState.objects.for_instance(page)
        .exclude(status__in=["cancelled"])
        .order_by("-created_at", "-pk")
        .first()
    )
    return state, state.current_task_state.specific if state.current_task_state else None


def as_user(client, user):
    client.logout()
    client.force_login(user)
    return client


def denied(response):
    """Wagtail's admin answers a PermissionDenied with a redirect to the dashboard and a
    "you do not have permission" message; anonymous users go to the login page."""
    if response.status_code == 403:
        return True
    return response.status_code == 302 and (
        response.url == reverse("wagtailadmin_home") or "/login/" in response.url
    )


def form_errors(response):
    form = response.context and response.context.get("form")
    if not form:
        return messages_of(response)
    errors = form.errors.as_data()
    body = errors.get("body")
    detail = (
        [{k: getattr(v, "block_errors", v) for k, v in e.block_errors.items()} for e in body]
        if body
        else None
    )
    return (messages_of(response), form.errors, detail)


def messages_of(response):
    return [str(m) for m in response.context["messages"]] if response.context else []


# The setup ---------------------------------------------------------------------------------


def test_groups_workflow_and_demo_accounts(accounts):
    names = {name: set(u.groups.values_list("name", flat=True)) for name, u in accounts.items()}
    assert names == {
        "analyst": {"Analysts"},
        "reviewer": {"Reviewers"},
        "editor": {"Editors"},
        "admin": {"Administrators"},
    }
    workflow = Workflow.objects.get(name="Brief review")
    tasks = list(workflow.tasks.specific())
    assert [type(t) for t in tasks] == [EvidenceCheckTask, PeerReviewTask, EditorialSignOffTask]
    assert tasks[1].required_approvals == 1
    assert list(tasks[1].groups.values_list("name", flat=True)) == ["Reviewers"]
    assert list(tasks[2].groups.values_list("name", flat=True)) == ["Editors"]
    assert BriefIndexPage.objects.get().get_workflow() == workflow
    analyst = accounts["analyst"]
    assert analyst.has_perm("evidence.add_evidence") and analyst.has_perm("sources.add_source")
    assert not accounts["reviewer"].has_perm("evidence.change_evidence")


def test_check_itemises_which_citation_in_which_block(accounts, evidence):
    e1, e2 = evidence
    page = make_brief(accounts["analyst"], e1, e2)
    assert check_revision(page.latest_revision).passed
    replace_source_text(e2.source, NEW_PAGES)
    result = check_revision(page.latest_revision)
    assert result.checked == 2
    (problem,) = result.problems
    assert problem.block_number == 3 and problem.block_label == "Evidence quote"
    assert problem.text.startswith("Block 3 (Evidence quote): “58 percent of respondents")
    assert "is orphaned" in problem.text
    # A source being re-processed stops its evidence too.
    Source.objects.filter(pk=e1.source_id).update(status=Source.Status.PROCESSING)
    texts = [p.text for p in check_revision(page.latest_revision).problems]
    assert any(t.startswith("Block 2 (Text): “Chinese investment") for t in texts)
    assert any("processing" in t for t in texts)


# The whole flow ----------------------------------------------------------------------------


def test_whole_flow_with_demo_accounts(
    client, accounts, evidence, django_capture_on_commit_callbacks
):
    analyst, reviewer, editor = accounts["analyst"], accounts["reviewer"], accounts["editor"]
    e1, e2 = evidence
    page = make_brief(analyst, e1, e2)

    # 1. The cited quote of block 3 is orphaned by a re-ingestion of its source between the
    # analyst's last save and the submission. (Citing orphaned evidence in the editor is refused
    # by the form itself, so an orphan reaches the workflow only that way: the admin's
    # "Submit" calls exactly Workflow.start.)
    replace_source_text(e2.source, NEW_PAGES)
    page.get_workflow().start(page, analyst)
    state, task_state = current_task(page)
    assert state.status == WorkflowState.STATUS_NEEDS_CHANGES
    assert isinstance(task_state, EvidenceCheckTaskState)
    assert task_state.status == TaskState.STATUS_REJECTED
    assert task_state.problems[0]["block_number"] == 3
    assert "is orphaned" in task_state.comment and "Block 3 (Evidence quote)" in task_state.comment
    # The analyst sees the itemised list in the admin: on the editor and in the history.
    as_user(client, analyst)
    response = client.get(edit_url(page))
    assert response.status_code == 200
    shown = " ".join(messages_of(response))
    assert "The evidence check sent this brief back" in shown
    assert "Block 3 (Evidence quote)" in shown and "is orphaned" in shown
    history = client.get(
        reverse("wagtailadmin_pages:workflow_history_detail", args=[page.pk, state.pk])
    )
    assert "Block 3 (Evidence quote)" in history.content.decode()

    # 2. Fix: quote the passage as it now stands, and resubmit through the editor.
    e3 = make_evidence(e2.source, NEW_QUOTE)
    mail.outbox.clear()
    response = client.post(
        edit_url(page), form(page, body=body_data(e1, e3), action="action-submit")
    )
    assert response.status_code == 302, form_errors(response)
    state, task_state = current_task(page)
    assert state.status == WorkflowState.STATUS_IN_PROGRESS
    assert isinstance(task_state.task.specific, PeerReviewTask)
    check = TaskState.objects.filter(workflow_state=state, task__name="Evidence check")
    assert check.order_by("-pk").first().status == TaskState.STATUS_APPROVED
    # The reviewer is told; the author is not asked to review their own brief.
    to = {tuple(m.to) for m in mail.outbox}
    assert ("reviewer@briefdesk.example",) in to
    assert ("analyst@briefdesk.example",) not in to

    # 3. The reviewer previews the draft as HTML, then requests changes with a comment.
    as_user(client, reviewer)
    preview = client.get(
        reverse("wagtailadmin_pages:workflow_preview", args=[page.pk, task_state.task_id])
    )
    assert preview.status_code == 200 and "47 percent" in preview.content.decode()
    mail.outbox.clear()
    response = client.post(action_url(page, "reject"), {"comment": ""})
    assert current_task(page)[1].status == TaskState.STATUS_IN_PROGRESS  # a comment is required
    response = client.post(
        action_url(page, "reject"), {"comment": "Say which year the 47 percent is from."}
    )
    assert response.status_code == 302
    # The brief went back to its author, so the editor is closed to the reviewer now: they
    # land on the dashboard, told where the brief went.
    landing = client.get(response["Location"], follow=True)
    assert landing.status_code == 200
    assert landing.redirect_chain[-1][0] == reverse("wagtailadmin_home")
    assert "it went back to its author" in landing.content.decode()
    state, task_state = current_task(page)
    assert state.status == WorkflowState.STATUS_NEEDS_CHANGES
    assert task_state.status == TaskState.STATUS_REJECTED
    (message,) = [m for m in mail.outbox if m.to == ["analyst@briefdesk.example"]]
    assert "Say which year the 47 percent is from." in message.body
    assert "Peer review" in message.body
    # The editor tells the analyst too, not only the workflow history.
    as_user(client, analyst)
    shown = " ".join(messages_of(client.get(edit_url(page))))
    assert "Changes requested at “Peer review”" in shown
    assert "Say which year the 47 percent is from." in shown

    # 4. The analyst resubmits; the evidence check runs again, then peer review.
    as_user(client, analyst)
    response = client.post(edit_url(page), form(page, action="action-submit"))
    assert response.status_code == 302, form_errors(response)
    state, task_state = current_task(page)
    assert isinstance(task_state.task.specific, PeerReviewTask)
    checks = TaskState.objects.filter(workflow_state=state, task__name="Evidence check")
    assert checks.filter(status=TaskState.STATUS_APPROVED).count() == 2

    # 5. The author cannot approve their own brief, even as a member of the reviewers.
    from django.contrib.auth.models import Group

    analyst.groups.add(Group.objects.get(name="Reviewers"))
    response = client.post(action_url(page, "approve"), {"comment": "Looks good to me"})
    assert denied(response)
    assert current_task(page)[1].status == TaskState.STATUS_IN_PROGRESS

    # 6. The reviewer approves with a comment; editors are asked for the sign-off.
    as_user(client, reviewer)
    mail.outbox.clear()
    response = client.post(action_url(page, "approve"), {"comment": "Sound and well sourced."})
    assert response.status_code == 302
    landing = client.get(response["Location"], follow=True)
    assert landing.status_code == 200
    assert "it is now at “Editorial sign-off”" in landing.content.decode()
    state, task_state = current_task(page)
    assert isinstance(task_state.task.specific, EditorialSignOffTask)
    assert ("editor@briefdesk.example",) in {tuple(m.to) for m in mail.outbox}
    assert not BriefPage.objects.get(pk=page.pk).live

    # 7. The editor approves: the brief is live.
    as_user(client, editor)
    response = client.post(action_url(page, "approve"), {"comment": ""})
    assert response.status_code == 302
    page = BriefPage.objects.get(pk=page.pk)
    assert page.live and page.has_unpublished_changes is False
    state = WorkflowState.objects.get(pk=state.pk)
    assert state.status == WorkflowState.STATUS_APPROVED
    assert "47 percent" in client.get(page.url).content.decode()
    # The history shows every step, and revisions can be compared.
    history = client.get(reverse("wagtailadmin_pages:history", args=[page.pk])).content.decode()
    for step in ("Evidence check", "Peer review", "Editorial sign-off"):
        assert step in history
    revisions = list(Revision.page_revisions.filter(object_id=str(page.pk)).order_by("pk"))
    compare = client.get(
        reverse(
            "wagtailadmin_pages:revisions_compare",
            args=[page.pk, revisions[0].pk, revisions[-1].pk],
        )
    )
    assert compare.status_code == 200


def test_orphaned_after_review_stops_the_sign_off(client, accounts, evidence):
    """The gate holds to the end: evidence orphaned while a brief waits is caught before it
    is published, and the author is told which citation."""
    analyst, reviewer, editor = accounts["analyst"], accounts["reviewer"], accounts["editor"]
    e1, e2 = evidence
    page = make_brief(analyst, e1, e2)
    as_user(client, analyst)
    assert client.post(edit_url(page), form(page, action="action-submit")).status_code == 302
    as_user(client, reviewer)
    client.post(action_url(page, "approve"), {"comment": ""})
    assert isinstance(current_task(page)[1].task.specific, EditorialSignOffTask)

    replace_source_text(e2.source, NEW_PAGES)  # orphans the quote of block 3
    mail.outbox.clear()
    as_user(client, editor)
    client.post(action_url(page, "approve"), {"comment": ""})
    state, task_state = current_task(page)
    assert state.status == WorkflowState.STATUS_NEEDS_CHANGES
    assert not BriefPage.objects.get(pk=page.pk).live
    assert "Block 3 (Evidence quote)" in task_state.comment
    (message,) = [m for m in mail.outbox if m.to == ["analyst@briefdesk.example"]]
    assert "is orphaned" in message.body


def test_submission_through_editor_reports_the_check(client, accounts, evidence):
    analyst = accounts["analyst"]
    e1, e2 = evidence
    page = make_brief(analyst, e1, e2)
    Source.objects.filter(pk=e1.source_id).update(status=Source.Status.PROCESSING)
    as_user(client, analyst)
    response = client.post(edit_url(page), form(page, action="action-submit"), follow=True)
    shown = " ".join(messages_of(response))
    assert "Sent back to you" in shown and "Block 2 (Text)" in shown, shown
    assert current_task(page)[0].status == WorkflowState.STATUS_NEEDS_CHANGES


def test_editor_refuses_citing_orphaned_evidence(client, accounts, evidence):
    analyst = accounts["analyst"]
    e1, e2 = evidence
    page = make_brief(analyst, e1, e2)
    replace_source_text(e2.source, NEW_PAGES)
    as_user(client, analyst)
    response = client.post(edit_url(page), form(page, action="action-submit"))
    assert response.status_code == 200
    assert "orphaned" in response.content.decode()
    assert not WorkflowState.objects.for_instance(page).exists()


def test_whoever_edited_a_revision_under_review_cannot_approve_it(
    client, accounts, evidence, django_user_model
):
    """A user in both Analysts and Reviewers edited a brief in peer review, then approved it."""
    from django.contrib.auth.models import Group

    both = django_user_model.objects.create_user("both", "both@briefdesk.example", "x")
    both.groups.add(Group.objects.get(name="Analysts"), Group.objects.get(name="Reviewers"))
    e1, e2 = evidence
    page = make_brief(accounts["analyst"], e1, e2)
    as_user(client, accounts["analyst"])
    assert client.post(edit_url(page), form(page, action="action-submit")).status_code == 302
    _state, task_state = current_task(page)
    assert isinstance(task_state.task.specific, PeerReviewTask)
    task = task_state.task.specific

    # Before editing, "both" may review it.
    as_user(client, both)
    assert "approve" in [name for name, *_ in task.get_actions(page, both)]
    # "both" saves a draft of the brief under review.
    response = client.post(edit_url(page), form(page, title="Kazakhstan and China, edited"))
    assert response.status_code == 302, form_errors(response)
    page = BriefPage.objects.get(pk=page.pk)
    assert page.get_latest_revision().user == both
    assert current_task(page)[1].pk == task_state.pk  # still in peer review

    # The approve actions are gone for them (editor, dashboard) and approving is refused.
    assert "approve" not in [name for name, *_ in task.get_actions(page, both)]
    assert task_state.pk not in set(
        task.get_task_states_user_can_moderate(both).values_list("pk", flat=True)
    )
    assert action_url(page, "approve") not in client.get(edit_url(page)).content.decode()
    assert denied(client.post(action_url(page, "approve"), {"comment": "Fine by me"}))
    assert current_task(page)[1].status == TaskState.STATUS_IN_PROGRESS
    # Also at the model level, whatever the view.
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        task.on_action(current_task(page)[1], both, "approve")
    assert not current_task(page)[1].specific.approvals.exists()

    # Another reviewer still can.
    assert "approve" in [name for name, *_ in task.get_actions(page, accounts["reviewer"])]


def test_two_distinct_reviewers_when_configured(client, accounts, evidence, django_user_model):
    from django.contrib.auth.models import Group

    PeerReviewTask.objects.update(required_approvals=2)
    second = django_user_model.objects.create_user("reviewer2", "r2@briefdesk.example", "x")
    second.groups.add(Group.objects.get(name="Reviewers"))
    e1, e2 = evidence
    page = make_brief(accounts["analyst"], e1, e2)
    as_user(client, accounts["analyst"])
    client.post(edit_url(page), form(page, action="action-submit"))
    as_user(client, accounts["reviewer"])
    client.post(action_url(page, "approve"), {"comment": "One"})
    assert isinstance(current_task(page)[1].task.specific, PeerReviewTask)
    # The same reviewer cannot approve twice.
    assert denied(client.post(action_url(page, "approve"), {"comment": "Again"}))
    as_user(client, second)
    client.post(action_url(page, "approve"), {"comment": "Two"})
    state, task_state = current_task(page)
    assert isinstance(task_state.task.specific, EditorialSignOffTask)
    peer = TaskState.objects.filter(workflow_state=state, task__name="Peer review").get()
    assert "One" in peer.comment and "Two" in peer.comment


# Scheduled publishing ------------------------------------------------------------------------


def test_approved_brief_with_go_live_date_publishes_on_schedule(client, accounts, evidence):
    analyst, reviewer, editor = accounts["analyst"], accounts["reviewer"], accounts["editor"]
    e1, e2 = evidence
    page = make_brief(analyst, e1, e2)
    go_live = (timezone.now() + datetime.timedelta(days=2)).strftime("%Y-%m-%d %H:%M")
    as_user(client, analyst)
    client.post(edit_url(page), form(page, action="action-submit"))
    as_user(client, reviewer)
    client.post(action_url(page, "approve"), {"comment": ""})
    # The editor sets the go-live date, then signs off.
    as_user(client, editor)
    response = client.post(edit_url(page), form(page, go_live_at=go_live))
    assert response.status_code == 302
    client.post(action_url(page, "approve"), {"comment": ""})
    page = BriefPage.objects.get(pk=page.pk)
    assert not page.live
    scheduled = Revision.page_revisions.get(
        object_id=str(page.pk), approved_go_live_at__isnull=False
    )
    assert client.get("/briefs/").content.decode().count(page.title) == 0

    # The go-live date comes: beat runs the task.
    past = timezone.now() - datetime.timedelta(minutes=1)
    scheduled.content["go_live_at"] = past.isoformat()
    scheduled.approved_go_live_at = past
    scheduled.save(update_fields=["content", "approved_go_live_at"])
    publish_scheduled_pages.delay()
    page = BriefPage.objects.get(pk=page.pk)
    assert page.live
    assert client.get(page.url).status_code == 200


def test_beat_schedule_names_the_task():
    from django.conf import settings

    from config.celery import app

    entry = settings.CELERY_BEAT_SCHEDULE["publish-scheduled-pages"]
    assert entry["task"] in app.tasks and entry["schedule"] <= 60
    call_command("publish_scheduled")  # the command it runs exists


def test_direct_publish_is_refused_but_draft_kept(client, accounts, evidence):
    editor = accounts["editor"]
    e1, e2 = evidence
    page = make_brief(accounts["analyst"], e1, e2)
    as_user(client, editor)
    edit = client.get(edit_url(page)).content.decode()
    assert 'name="action-publish"' not in edit
    response = client.post(
        edit_url(page), form(page, title="Changed title", action="action-publish"), follow=True
    )
    assert "published through the “Brief review” workflow" in " ".join(messages_of(response))
    page = BriefPage.objects.get(pk=page.pk)
    assert not page.live
    assert page.get_latest_revision_as_object().title == "Changed title"  # nothing lost


def test_superuser_direct_publish_passes_the_check(client, accounts, evidence):
    admin = accounts["admin"]
    e1, e2 = evidence
    page = make_brief(accounts["analyst"], e1, e2)
    Source.objects.filter(pk=e1.source_id).update(status=Source.Status.FAILED)
    as_user(client, admin)
    response = client.post(edit_url(page), form(page, action="action-publish"), follow=True)
    assert "Not published" in " ".join(messages_of(response))
    assert not BriefPage.objects.get(pk=page.pk).live
    Source.objects.filter(pk=e1.source_id).update(status=Source.Status.READY)
    client.post(edit_url(page), form(page, action="action-publish"))
    assert BriefPage.objects.get(pk=page.pk).live
