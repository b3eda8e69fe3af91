"""Update notices at sign-off and withdrawal notices, through the admin's own views."""

import json

import pytest
from django.urls import reverse
from wagtail.models import TaskState

from briefs.models import BriefPage, BriefVersion, BriefWithdrawal, RevisionNotice

from .conftest import body_data, make_brief
from .conftest import edit_form_data as form
from .test_workflow import action_url, as_user, current_task, edit_url, messages_of

pytestmark = pytest.mark.django_db

XHR = {"HTTP_X_REQUESTED_WITH": "XMLHttpRequest"}


def to_sign_off(page, accounts):
    """Submit the latest revision and let the reviewer approve it: the sign-off is next."""
    page = BriefPage.objects.get(pk=page.pk)
    page.get_workflow().start(page, accounts["analyst"])
    _, task_state = current_task(page)
    task_state.task.specific.on_action(task_state, accounts["reviewer"], "approve", comment="")
    return current_task(page)


def publish_first_version(page, accounts):
    _, task_state = to_sign_off(page, accounts)
    task_state.task.specific.on_action(task_state, accounts["editor"], "approve", comment="")
    return BriefPage.objects.get(pk=page.pk)


def new_draft(page, accounts, words):
    page = BriefPage.objects.get(pk=page.pk).get_latest_revision_as_object()
    body = list(page.body.raw_data)
    body[1] = {**body[1], "value": body[1]["value"].replace("since 2005", words)}
    page.body = body
    page.save_revision(user=accounts["analyst"])
    return BriefPage.objects.get(pk=page.pk)


def test_first_publication_is_version_1_without_notice(accounts, evidence):
    page = publish_first_version(make_brief(accounts["analyst"], *evidence), accounts)
    assert page.live
    (version,) = BriefVersion.objects.filter(page=page)
    assert (version.number, version.revision_id, version.notice_type) == (
        1,
        page.live_revision_id,
        "",
    )


def test_new_version_of_live_brief_needs_a_notice_at_sign_off(client, accounts, evidence):
    page = publish_first_version(make_brief(accounts["analyst"], *evidence), accounts)
    page = new_draft(page, accounts, "since 2006")
    _, task_state = to_sign_off(page, accounts)
    editor = accounts["editor"]
    actions = [name for name, *_ in task_state.task.specific.get_actions(page, editor)]
    assert "approve" not in actions and "publish_update" in actions

    as_user(client, editor)
    # A plain approval is not on offer for a live brief.
    response = client.post(action_url(page, "approve"), {"comment": ""})
    assert response.status_code in (302, 403)
    assert current_task(page)[1].status == TaskState.STATUS_IN_PROGRESS
    # The modal's form says what is missing, and nothing is published.
    modal = client.get(action_url(page, "publish_update"), **XHR)
    assert "Type of notice" in modal.json()["html"]
    response = client.post(
        action_url(page, "publish_update"), {"notice_type": "", "notice_text": " "}, **XHR
    )
    html = response.json()["html"]
    assert "say whether this version is a correction" in html
    assert "write the notice readers will see" in html
    assert BriefVersion.objects.filter(page=page).count() == 1
    assert current_task(page)[1].status == TaskState.STATUS_IN_PROGRESS

    response = client.post(
        action_url(page, "publish_update"),
        {"notice_type": "correction", "notice_text": "The start year was 2006, not 2005."},
        **XHR,
    )
    assert response.json()["step"] == "success"
    page = BriefPage.objects.get(pk=page.pk)
    assert "since 2006" in page.body.raw_data[1]["value"]
    v1, v2 = BriefVersion.objects.filter(page=page).order_by("number")
    assert (v2.number, v2.revision_id) == (2, page.live_revision_id)
    assert (v2.notice_type, v2.notice_text) == ("correction", "The start year was 2006, not 2005.")
    assert RevisionNotice.objects.get(revision_id=v2.revision_id).created_by == editor
    assert v1.revision_id != v2.revision_id


def test_update_signed_off_in_the_editor_tells_the_live_url(client, accounts, evidence):
    """The editor's modal posts the notice with the editor's form: the editor is told where
    the new version is live, as after a first sign-off (test_signoff)."""
    page = publish_first_version(make_brief(accounts["analyst"], *evidence), accounts)
    page = new_draft(page, accounts, "since 2008")
    to_sign_off(page, accounts)
    as_user(client, accounts["editor"])
    modal = client.get(action_url(page, "publish_update"), **XHR).json()["html"]
    # The modal says which of its fields readers see.
    assert "Not shown to readers" in modal
    data = form(page, action="action-workflow-action")
    data["workflow-action-name"] = "publish_update"
    data["workflow-action-extra-data"] = json.dumps(
        {"notice_type": "update", "notice_text": "The start year is now 2008.", "comment": ""}
    )

    response = client.post(edit_url(page), data, follow=True)

    page = BriefPage.objects.get(pk=page.pk)
    assert BriefVersion.objects.filter(page=page).count() == 2
    expected = f"“{page.title}” is published: {page.get_full_url()}"
    assert any(message.startswith(expected) for message in messages_of(response))


def test_crafted_approval_without_notice_publishes_nothing(client, accounts, evidence):
    page = publish_first_version(make_brief(accounts["analyst"], *evidence), accounts)
    page = new_draft(page, accounts, "since 2007")
    to_sign_off(page, accounts)
    as_user(client, accounts["editor"])
    # The editor's "approve with changes" posts the modal's data as JSON, unchecked by Wagtail.
    data = form(page, action="action-workflow-action")
    data["workflow-action-name"] = "publish_update"
    data["workflow-action-extra-data"] = json.dumps({"notice_type": "correction"})
    response = client.post(edit_url(page), data)
    assert response.status_code in (302, 403)
    assert BriefVersion.objects.filter(page=page).count() == 1
    assert "since 2007" not in BriefPage.objects.get(pk=page.pk).body.raw_data[1]["value"]


def test_administrator_cannot_republish_a_live_brief_without_notice(client, accounts, evidence):
    page = publish_first_version(make_brief(accounts["analyst"], *evidence), accounts)
    as_user(client, accounts["admin"])
    response = client.post(
        edit_url(page), form(page, title="Retitled", action="action-publish"), follow=True
    )
    assert "public update notice" in " ".join(messages_of(response))
    assert BriefPage.objects.get(pk=page.pk).title != "Retitled"
    assert BriefVersion.objects.filter(page=page).count() == 1


def test_unpublishing_a_live_brief_asks_for_a_withdrawal_notice(client, accounts, evidence):
    page = publish_first_version(make_brief(accounts["analyst"], *evidence), accounts)
    as_user(client, accounts["editor"])
    # Wagtail's unpublish view hands the brief to the withdrawal form.
    response = client.post(reverse("wagtailadmin_pages:unpublish", args=[page.pk]))
    withdraw_url = reverse("review_withdraw", args=[page.pk])
    assert response.status_code == 302 and response.url == withdraw_url
    assert BriefPage.objects.get(pk=page.pk).live
    editor_html = client.get(edit_url(page)).content.decode()
    assert withdraw_url in editor_html and "Withdraw…" in editor_html

    response = client.post(withdraw_url, {"text": "   "})
    assert response.status_code == 200
    assert "Say why the brief is withdrawn" in response.content.decode()
    assert BriefPage.objects.get(pk=page.pk).live

    response = client.post(withdraw_url, {"text": "The survey it relies on was retracted."})
    assert response.status_code == 302
    page = BriefPage.objects.get(pk=page.pk)
    assert not page.live
    (withdrawal,) = BriefWithdrawal.objects.filter(page=page)
    assert withdrawal.text == "The survey it relies on was retracted."
    assert withdrawal.withdrawn_by == accounts["editor"]


def test_analyst_cannot_withdraw(client, accounts, evidence):
    page = publish_first_version(make_brief(accounts["analyst"], *evidence), accounts)
    as_user(client, accounts["analyst"])
    response = client.post(reverse("review_withdraw", args=[page.pk]), {"text": "Gone."})
    assert response.status_code in (302, 403)
    assert BriefPage.objects.get(pk=page.pk).live


def test_body_helper_still_matches():
    # new_draft edits the paragraph body_data() writes.
    assert "since 2005" in body_data(type("E", (), {"pk": 1}), type("E", (), {"pk": 2}))[1]["value"]
