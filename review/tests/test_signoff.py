"""The editorial sign-off says what it does: its approve buttons read "Publish" (or "Schedule"
for a future go-live date), and the editor is then told where the brief is live."""

import datetime

import pytest
from django.utils import timezone

from briefs.models import BriefPage
from review.models import EditorialSignOffTask

from .conftest import edit_form_data as form
from .conftest import make_brief
from .test_workflow import action_url, as_user, current_task, edit_url, messages_of

pytestmark = pytest.mark.django_db


def at_sign_off(client, accounts, evidence, **fields):
    analyst, reviewer, editor = accounts["analyst"], accounts["reviewer"], accounts["editor"]
    page = make_brief(analyst, *evidence)
    as_user(client, analyst)
    client.post(edit_url(page), form(page, action="action-submit", **fields))
    as_user(client, reviewer)
    client.post(action_url(page, "approve"), {"comment": ""})
    _, task_state = current_task(page)
    assert isinstance(task_state.task.specific, EditorialSignOffTask)
    as_user(client, editor)
    return page, task_state


def approve_labels(page, task_state, user):
    page = BriefPage.objects.get(pk=page.pk)
    return [
        label
        for name, label, _ in task_state.task.specific.get_actions(page, user)
        if name == "approve"
    ]


def test_sign_off_reads_publish_and_tells_the_live_url(client, accounts, evidence):
    page, task_state = at_sign_off(client, accounts, evidence)
    assert approve_labels(page, task_state, accounts["editor"]) == [
        "Publish",
        "Publish with comment",
    ]
    html = client.get(edit_url(page)).content.decode()
    assert "Publish with comment" in html and "Approve with comment" not in html

    response = client.post(action_url(page, "approve"), {"comment": ""}, follow=True)
    page = BriefPage.objects.get(pk=page.pk)
    assert page.live
    live_url = page.get_full_url()
    (message,) = messages_of(response)
    assert message.startswith(f"“{page.title}” is published: {live_url}")
    assert f'href="{live_url}"' in message  # the "View live" button


def test_sign_off_in_the_editor_tells_the_live_url(client, accounts, evidence):
    page, _ = at_sign_off(client, accounts, evidence)
    data = form(page, action="action-workflow-action")
    data["workflow-action-name"] = "approve"
    response = client.post(edit_url(page), data, follow=True)
    page = BriefPage.objects.get(pk=page.pk)
    assert page.live
    expected = f"“{page.title}” is published: {page.get_full_url()}"
    assert any(message.startswith(expected) for message in messages_of(response))


def test_sign_off_of_a_brief_no_site_serves_says_so(client, accounts, evidence):
    """Published, but no Site's root is above it (an administrator pointed the site at another
    page): the message says so, without a "View live" button, instead of an error page."""
    from wagtail.models import Page, Site

    page, _ = at_sign_off(client, accounts, evidence)
    other = Page.get_first_root_node().add_child(instance=Page(title="Elsewhere", slug="elsewhere"))
    Site.objects.update(root_page=other)
    Site.clear_site_root_paths_cache()
    response = client.post(action_url(page, "approve"), {"comment": ""}, follow=True)
    assert response.status_code == 200
    assert BriefPage.objects.get(pk=page.pk).live
    (message,) = messages_of(response)
    assert message.startswith(f"“{page.title}” is published: no address: no site serves it")
    assert "View live" not in message


def test_sign_off_with_a_future_go_live_date_reads_schedule(client, accounts, evidence):
    go_live = timezone.now() + datetime.timedelta(days=2)
    page, task_state = at_sign_off(client, accounts, evidence)
    client.post(edit_url(page), form(page, go_live_at=go_live.strftime("%Y-%m-%d %H:%M")))
    assert approve_labels(page, task_state, accounts["editor"]) == [
        "Schedule",
        "Schedule with comment",
    ]
    response = client.post(action_url(page, "approve"), {"comment": ""}, follow=True)
    page = BriefPage.objects.get(pk=page.pk)
    assert not page.live
    (message,) = [m for m in messages_of(response) if m.startswith(f"“{page.title}” is sched")]
    assert "is scheduled to go live on" in message
    assert page.get_full_url() in message
