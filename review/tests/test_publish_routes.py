"""Every route to ``live=True`` for a brief, tried as each role: only the workflow's sign-off
(and an administrator's checked direct publication of an existing brief) puts a brief live.

The rule is briefs/permissions.py; these tests go through Wagtail's own admin URLs and actions,
so a route Wagtail adds or changes is caught here rather than by a view-by-view guard."""

import pytest
from django.urls import reverse
from wagtail.actions.copy_page import CopyPageAction, CopyPagePermissionError
from wagtail.actions.publish_page_revision import PublishPagePermissionError
from wagtail.models import PageLogEntry

from briefs.models import BriefAuthor, BriefIndexPage, BriefPage
from sources.models import Source

from .conftest import edit_form_data, make_brief
from .test_workflow import as_user, edit_url, messages_of

pytestmark = pytest.mark.django_db

ROLES = ["analyst", "reviewer", "editor", "admin"]


def _live_briefs():
    return set(BriefPage.objects.filter(live=True).values_list("pk", flat=True))


def _add_url(index):
    return reverse("wagtailadmin_pages:add", args=("briefs", "briefpage", index.pk))


@pytest.mark.parametrize("role", ROLES)
def test_add_brief_with_publish_never_goes_live(client, accounts, evidence, role):
    """The reported hole: "Add brief" posted with action-publish saved the page live before
    any hook ran. Only an administrator may create and publish at once, and then only through
    the evidence check (which this brief, citing failed-source evidence, does not pass)."""
    index = BriefIndexPage.objects.get()
    template = make_brief(accounts["analyst"], *evidence)
    data = edit_form_data(template, title="Born live?", slug="born-live", action="action-publish")
    if role == "admin":
        Source.objects.filter(pk=evidence[0].source_id).update(status=Source.Status.FAILED)
    as_user(client, accounts[role])
    before = _live_briefs()
    response = client.post(_add_url(index), data, follow=True)
    assert _live_briefs() == before
    created = BriefPage.objects.filter(slug="born-live").first()
    if role == "reviewer":  # may not add briefs at all
        assert created is None
        return
    assert created is not None and not created.live and created.live_revision_id is None
    assert created.get_latest_revision_as_object().title == "Born live?"  # nothing lost
    assert not PageLogEntry.objects.filter(page=created, action="wagtail.publish").exists()
    said = " ".join(messages_of(response))
    assert ("Not published" if role == "admin" else "“Brief review” workflow") in said
    # Not on the public site either.
    assert client.get("/briefs/born-live/").status_code == 404


def test_admin_create_and_publish_goes_through_the_checked_action(client, accounts, evidence):
    index = BriefIndexPage.objects.get()
    template = make_brief(accounts["analyst"], *evidence)
    data = edit_form_data(template, title="Checked", slug="checked", action="action-publish")
    as_user(client, accounts["admin"])
    client.post(_add_url(index), data)
    page = BriefPage.objects.get(slug="checked")
    assert page.live and page.live_revision_id == page.latest_revision_id
    assert PageLogEntry.objects.filter(page=page, action="wagtail.publish").exists()


@pytest.mark.parametrize("role", ["analyst", "editor"])
def test_edit_with_publish_and_revert_are_saved_as_drafts(client, accounts, evidence, role):
    page = make_brief(accounts["analyst"], *evidence)
    old_revision = page.get_latest_revision()
    as_user(client, accounts[role])
    assert 'name="action-publish"' not in client.get(edit_url(page)).content.decode()
    client.post(edit_url(page), edit_form_data(page, title="Edited", action="action-publish"))
    # Reverting to an earlier revision posts the edit form with that revision's content.
    revert = reverse("wagtailadmin_pages:revisions_revert", args=[page.pk, old_revision.pk])
    client.post(revert, edit_form_data(page, action="action-publish"))
    page = BriefPage.objects.get(pk=page.pk)
    assert not page.live and page.live_revision_id is None


@pytest.mark.parametrize("role", ["analyst", "editor"])
def test_bulk_publish_refused(client, accounts, evidence, role):
    page = make_brief(accounts["analyst"], *evidence)
    index = BriefIndexPage.objects.get()
    as_user(client, accounts[role])
    url = (
        reverse("wagtail_bulk_action", args=("wagtailcore", "page", "publish"))
        + f"?id={page.pk}&childOf={index.pk}"
    )
    client.post(url, {"include_descendants": ""})
    assert not BriefPage.objects.get(pk=page.pk).live


def test_bulk_publish_by_admin_passes_the_evidence_check(client, accounts, evidence):
    page = make_brief(accounts["analyst"], *evidence)
    index = BriefIndexPage.objects.get()
    Source.objects.filter(pk=evidence[0].source_id).update(status=Source.Status.FAILED)
    as_user(client, accounts["admin"])
    url = (
        reverse("wagtail_bulk_action", args=("wagtailcore", "page", "publish"))
        + f"?id={page.pk}&childOf={index.pk}"
    )
    response = client.post(url, {"include_descendants": ""}, follow=True)
    assert not BriefPage.objects.get(pk=page.pk).live
    assert "evidence check" in " ".join(messages_of(response))
    Source.objects.filter(pk=evidence[0].source_id).update(status=Source.Status.READY)
    client.post(url, {"include_descendants": ""})
    assert BriefPage.objects.get(pk=page.pk).live


@pytest.mark.parametrize("role", ["editor", "admin"])
def test_copy_of_a_live_brief_is_a_draft(client, accounts, evidence, role):
    page = make_brief(accounts["analyst"], *evidence)
    page.get_latest_revision().publish()
    index = BriefIndexPage.objects.get()
    as_user(client, accounts[role])
    url = reverse("wagtailadmin_pages:copy", args=[page.pk])
    data = {
        "new_title": "Copied brief",
        "new_slug": "copied-brief",
        "new_parent_page": index.pk,
        "copy_subpages": "",
    }
    response = client.post(url, {**data, "publish_copies": "on"}, follow=True)
    said = response.content.decode() + " ".join(messages_of(response))
    assert "You do not have permission to publish pages" in said or "starts as a draft" in said
    assert not BriefPage.objects.filter(slug="copied-brief").exists()
    client.post(url, data)
    copy = BriefPage.objects.get(slug="copied-brief")
    assert not copy.live
    # And through the action itself, as code reachable from a view would call it.
    if role == "admin":
        return
    with pytest.raises(CopyPagePermissionError):
        CopyPageAction(
            page,
            to=index,
            update_attrs={"title": "Copy 2", "slug": "copy-2"},
            keep_live=True,
            user=accounts[role],
        ).execute()


def test_move_does_not_publish(client, accounts, evidence):
    page = make_brief(accounts["analyst"], *evidence)
    home = BriefIndexPage.objects.get().get_parent()
    other = home.add_child(instance=BriefIndexPage(title="Archive", slug="archive"))
    as_user(client, accounts["editor"])
    client.post(reverse("wagtailadmin_pages:move_confirm", args=[page.pk, other.pk]))
    page = BriefPage.objects.get(pk=page.pk)
    assert page.get_parent().pk == other.pk
    assert not page.live


@pytest.mark.parametrize("role", ["analyst", "reviewer", "editor"])
def test_publish_from_code_checks_the_user(accounts, evidence, role):
    """``revision.publish(user=…)``, as any view or task acting for a user calls it."""
    page = make_brief(accounts["analyst"], *evidence)
    with pytest.raises(PublishPagePermissionError):
        page.get_latest_revision().publish(user=accounts[role])
    assert not BriefPage.objects.get(pk=page.pk).live


def test_a_new_brief_saved_live_is_a_draft(accounts):
    index = BriefIndexPage.objects.get()
    page = BriefPage(title="Sneaky", slug="sneaky", standfirst="x", body=[], live=True)
    index.add_child(instance=page)
    page.authors.set([BriefAuthor(name="A")])
    page = BriefPage.objects.get(pk=page.pk)
    assert not page.live and page.has_unpublished_changes


def test_sign_off_still_publishes(client, accounts, evidence):
    """The one sanctioned route: the editor's approval of the last task publishes."""
    from .test_permissions import _at_sign_off, _workflow_action

    page = _at_sign_off(accounts, evidence)
    as_user(client, accounts["editor"])
    assert _workflow_action(client, page, "approve")
    page = BriefPage.objects.get(pk=page.pk)
    assert page.live and page.live_revision_id is not None
    assert PageLogEntry.objects.filter(page=page, action="wagtail.publish").exists()
