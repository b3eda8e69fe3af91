"""A new brief is created only from a complete form (briefs/admin_forms.py): neither Wagtail's
autosave (a JSON post of the "Add brief" form) nor "Save draft" makes a page from a half-filled
form; drafts of an existing brief keep Wagtail's relaxed rules."""

import pytest
from django.urls import reverse

from briefs.models import BriefAuthor, BriefPage

from .test_editor import add_url, brief_form, paragraph

pytestmark = pytest.mark.django_db

HALF = {"standfirst": "", "authors-0-name": "", "body-count": "0"}


def autosave(client, url, data):
    return client.post(url, data, headers={"accept": "application/json"})


def test_autosave_of_a_half_filled_new_brief_saves_nothing(admin_client, brief_index):
    response = autosave(admin_client, add_url(brief_index), brief_form("Half a brief", [], **HALF))
    assert response.status_code == 400
    assert response.json()["error_code"] == "validation_error"
    assert not BriefPage.objects.exists()
    assert not BriefAuthor.objects.exists()


def test_save_draft_of_a_half_filled_new_brief_names_what_is_missing(admin_client, brief_index):
    response = admin_client.post(add_url(brief_index), brief_form("Half a brief", [], **HALF))
    assert response.status_code == 200
    form = response.context["form"]
    assert set(form.errors) >= {"standfirst", "body"}
    assert form.formsets["authors"].errors[0]["name"] == ["This field is required."]
    assert not BriefPage.objects.exists()


def test_autosave_of_a_complete_new_brief_creates_it_then_edits_it(admin_client, brief_index):
    data = brief_form("Whole brief", [paragraph("All there.")])
    response = autosave(admin_client, add_url(brief_index), data)
    assert response.status_code == 200, response.content
    answer = response.json()
    brief = BriefPage.objects.get()
    assert answer["url"] == reverse("wagtailadmin_pages:edit", args=[brief.pk])
    # The next save goes to the editor, where a draft may again be incomplete.
    data = {**data, **answer["field_updates"], "standfirst": ""}
    response = autosave(admin_client, answer["url"], data)
    assert response.status_code == 200, response.content
    assert BriefPage.objects.count() == 1
    brief.refresh_from_db()
    assert brief.get_latest_revision_as_object().standfirst == ""
