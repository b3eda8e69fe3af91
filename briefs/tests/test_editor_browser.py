"""The brief editor in a real browser: an analyst writes a brief in the Wagtail admin, cites
evidence inline with the toolbar's "Cite evidence" button and the chooser modal, adds an
evidence quote and a chart, and saves a draft (Playwright driving Chromium against the live
test server). The steps live in admin_steps.py, shared with the end-to-end journey test."""

import re

import pytest

from briefs.models import BriefPage
from conftest import admin_login

from . import admin_steps as steps

# serialized_rollback: the groups, page permissions and site tree that migrations create are
# put back for this test after other transactional tests flushed the database.
pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

TITLE = "China's money in Kazakhstan"
INVESTMENT = "Chinese investment reached 27 billion dollars in 2018."
OPINION = "Public opinion remained wary of Chinese influence."


@pytest.fixture
def library(demo_accounts):
    return steps.editor_library()


def test_analyst_writes_a_brief_citing_evidence_and_a_bad_one_is_refused(
    page, live_server, library, brief_index, settings
):
    # Autosave has its own test (test_autosave_browser.py); here an autosave still in flight
    # on a loaded machine could land after "Save draft" and make the saved body depend on timing.
    settings.WAGTAIL_AUTOSAVE_INTERVAL = 0
    index = brief_index
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    admin_login(page, live_server.url, "analyst", "analyst-demo-2026")

    steps.open_new_brief(page, live_server.url, index)
    steps.fill_brief_metadata(
        page,
        title=TITLE,
        standfirst="Chinese money flows in; Kazakh opinion stays wary.",
        author="Aigerim Analyst",
    )
    steps.add_section_heading(page, "Chinese investment")
    text = steps.add_text_block(page, "Investment in Kazakhstan reached a record in 2018.")

    # The modal lists citable evidence; non-citable evidence is marked and cannot be chosen.
    steps.select_words(page, text, "reached a record")
    page.get_by_role("button", name="Cite evidence").click()
    modal = steps.evidence_modal(page)
    with page.expect_response(re.compile(r"/evidence_chooser/results/")):
        modal.get_by_label("Status").select_option(label="All evidence")
    results = modal.locator("#search-results")
    rejected_row = results.locator("tr", has_text="Chinese loans lacked transparency")
    assert "Cannot be cited" in rejected_row.inner_text()
    assert rejected_row.get_by_role("link").count() == 0
    steps.screenshot(page, "editor-chooser-statuses")
    modal.get_by_role("button", name="Close").click()
    modal.wait_for(state="hidden")

    citation = steps.cite_evidence_inline(
        page, text, "reached a record", INVESTMENT, search="investment"
    )
    assert citation.get_attribute("data-evidence-id") == str(library["investment"].pk)
    # Clicking the citation shows the quote, with Change / Remove like a link.
    citation.click()
    tooltip = text.locator(".EvidenceTooltip [role=tooltip]")
    tooltip.wait_for()
    assert INVESTMENT in tooltip.inner_text()
    assert tooltip.get_by_role("button", name="Remove").is_visible()
    assert (
        tooltip.get_by_role("link", name="Open evidence")
        .get_attribute("href")
        .endswith(f"/{library['investment'].pk}/")
    )
    steps.screenshot(page, "editor-citation-tooltip")
    page.keyboard.press("End")
    tooltip.wait_for(state="detached")

    steps.add_evidence_quote_block(page, OPINION, source="Steppe Economics")
    steps.add_chart_block(page, title="Chinese investment", quote=INVESTMENT, search="billion")
    steps.screenshot(page, "editor-before-save")

    message = steps.save_draft(page)
    steps.screenshot(page, "editor-saved")
    # "created", or "updated" when the admin's autosave created the draft first.
    assert re.search(rf"Page '{re.escape(TITLE)}' (created|has been updated)", message), message
    assert errors == []

    brief = BriefPage.objects.get(title=TITLE)
    assert not brief.live
    assert brief.get_parent().pk == index.pk
    raw = brief.get_latest_revision_as_object().body.raw_data
    assert [block["type"] for block in raw] == ["section", "paragraph", "evidence_quote", "chart"]
    assert raw[0]["value"]["heading"] == "Chinese investment"
    investment = library["investment"].pk
    assert f'<a linktype="evidence" id="{investment}">reached a record</a>' in raw[1]["value"]
    assert raw[2]["value"]["evidence"] == library["opinion_quote"].pk
    assert raw[3]["value"]["title"] == "Chinese investment"
    assert raw[3]["value"]["chart_type"] == "bar"
    assert [item["value"] for item in raw[3]["value"]["evidence"]] == [investment]
    assert [author.name for author in brief.authors.all()] == ["Aigerim Analyst"]

    # Reopened in the editor, the citation is shown again with its evidence.
    page.reload()
    again = page.locator(".EvidenceCitation", has_text="reached a record")
    again.wait_for()
    assert again.get_attribute("data-evidence-id") == str(investment)
    assert INVESTMENT in again.get_attribute("title")

    # A refused save: a chart of evidence without figures. The admin keeps the form, puts the
    # message on the chart's evidence and saves nothing. (In the same test: a second test with
    # serialized_rollback found the migrations' groups missing after a combined run.)
    steps.open_new_brief(page, live_server.url, index)
    steps.fill_brief_metadata(page, title="No figures", standfirst="A test.", author="A. Analyst")
    steps.add_section_heading(page, "Digital trade")
    chart = steps.add_chart_block(
        page,
        title="Soft power",
        quote="Digital trade rules shape soft power in the region.",
        source="Digital Silk Road",
    )
    page.get_by_role("button", name="Save draft").click()
    page.wait_for_load_state("load")
    error = page.locator(".messages li").first
    error.wait_for()
    assert "could not be created" in error.inner_text()
    chart = page.locator("[data-streamfield-child]", has_text="Soft power").first
    # Wagtail shows a list block's own errors as .help-critical, a field's as .error-message.
    message = chart.locator(".help-critical, .error-message", has_text="carries no figures")
    message.first.wait_for()
    steps.screenshot(page, "editor-refused-chart")
    # Nothing of the refused save is kept. (The admin's autosave may have kept the draft as it
    # was before the evidence was chosen: Wagtail defers required fields for drafts.)
    for brief in BriefPage.objects.filter(title="No figures"):
        for revision in brief.revisions.all():
            chosen = [
                item["value"]
                for block in revision.as_object().body.raw_data
                if block["type"] == "chart"
                for item in block["value"]["evidence"]
            ]
            assert library["no_figures"].pk not in chosen
