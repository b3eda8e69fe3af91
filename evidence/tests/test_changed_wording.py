"""A quote whose words change in a new text version of its source is not the same evidence.

Hardening issue, High 2: replacing a source file used to *relocate* a reworded quote
("12 percent" -> "15 percent"), rewrite it and keep it accepted, so the live brief, the API and
new citations silently took the new figure. Now it becomes *changed* (old and new wording side
by side, not citable until re-accepted) and published briefs keep the wording their revision
pinned until a new version is published."""

import json

import pytest
from django.urls import reverse
from wagtail.test.utils.form_data import inline_formset, nested_form_data

from briefs.block_evidence import citation_errors
from briefs.models import BriefAuthor, BriefIndexPage, BriefPage
from conftest import wait_for
from evidence import services
from evidence.models import Evidence
from evidence.tests.factories import EvidenceFactory
from review.services import check_revision
from sources.tests.factories import SourceFactory, SourceTextFactory

OLD = "Exports to China rose by 12 percent in 2019."
NEW = "Exports to China rose by 15 percent in 2019."
PAGES = [f"Trade grew steadily. {OLD} Imports stayed flat. ", "A second page of context. "]


def replace_text(source, pages):
    """A new text version of ``source`` and re-anchoring, as the ingestion task does."""
    text = SourceTextFactory(source=source, pages=pages, version=source.texts.count() + 1)
    source.current_text = text
    source.save(update_fields=["current_text"])
    return services.reanchor_source_evidence(source, text)


@pytest.fixture
def source(db):
    return SourceFactory(title="Trade survey", pages=PAGES, authors=["Doe, Jane"])


@pytest.fixture
def evidence(source):
    return EvidenceFactory(source=source, quote=OLD, claim="Exports grew.")


def make_live_brief(evidence, slug="trade-brief"):
    index = BriefIndexPage.objects.get()
    page = BriefPage(title="Trade with China", slug=slug, standfirst="Exports grew.", live=False)
    page.body = [
        {
            "type": "paragraph",
            "value": f'<p><a linktype="evidence" id="{evidence.pk}">Exports grew</a>.</p>',
        },
        {"type": "evidence_quote", "value": {"evidence": evidence.pk, "commentary": ""}},
    ]
    index.add_child(instance=page)
    page.authors.set([BriefAuthor(name="Ada Analyst")])
    page.save_revision().publish()  # as the workflow's sign-off does (no user: no permission)
    return BriefPage.objects.get(pk=page.pk)


def test_reworded_quote_becomes_changed_not_relocated(evidence, source):
    summary = replace_text(source, [f"A new preface. {PAGES[0].replace(OLD, NEW)}", PAGES[1]])
    assert (summary.changed, summary.relocated, summary.orphaned) == (1, 0, 0)
    evidence.refresh_from_db()
    assert evidence.anchor_status == Evidence.AnchorStatus.CHANGED
    assert evidence.quote == NEW and evidence.previous_quote == OLD
    assert evidence.source_text_id == source.current_text_id  # anchored in the new text
    assert not Evidence.objects.citable().filter(pk=evidence.pk).exists()
    assert not evidence.is_citable
    assert evidence.blocked_reason().startswith("Changed:")
    assert any("worded differently" in p for p in evidence.citation_problems())
    assert Evidence.objects.needs_attention().filter(pk=evidence.pk).exists()


def test_same_words_moved_or_rewrapped_are_relocated(evidence, source):
    rewrapped = OLD.replace("rose by", "rose\nby").replace("China", "Chi-\nna")
    summary = replace_text(source, [f"A preface. {PAGES[0].replace(OLD, rewrapped)}", PAGES[1]])
    assert (summary.changed, summary.relocated) == (0, 1)
    evidence.refresh_from_db()
    assert evidence.anchor_status == Evidence.AnchorStatus.RELOCATED
    assert evidence.previous_quote == ""
    assert evidence.is_citable


def test_back_to_the_accepted_wording_is_citable_again(evidence, source):
    replace_text(source, [PAGES[0].replace(OLD, NEW), PAGES[1]])
    replace_text(source, PAGES)
    evidence.refresh_from_db()
    assert evidence.anchor_status in (Evidence.AnchorStatus.EXACT, Evidence.AnchorStatus.RELOCATED)
    assert evidence.quote == OLD and evidence.previous_quote == ""


def test_live_brief_keeps_its_signed_off_wording_and_the_gate_refuses(client, evidence, source):
    page = make_live_brief(evidence)
    replace_text(source, [PAGES[0].replace(OLD, NEW), PAGES[1]])

    # The live brief, its API detail and its notes keep the wording that was signed off.
    html = client.get(page.url).content.decode()
    assert "12 percent" in html and "15 percent" not in html
    detail = client.get(f"/api/v1/briefs/{page.slug}/")
    assert detail.status_code == 200
    api = json.dumps(detail.json())
    assert "12 percent" in api and "15 percent" not in api

    # A new citation of the changed evidence is refused by the editor and by the gate.
    assert "worded differently" in " ".join(citation_errors([evidence.pk]))
    draft = BriefPage.objects.get(pk=page.pk)
    draft.title = "Trade with China, revised"
    result = check_revision(draft.save_revision())
    assert any("worded differently" in " ".join(p.problems) for p in result.problems)

    # An analyst accepts the new wording: citable again, but the live brief does not change
    # until a new version is published, and the draft pinned to the old wording is refused.
    services.set_review_status(Evidence.objects.filter(pk=evidence.pk), "accepted")
    evidence.refresh_from_db()
    assert evidence.is_citable and evidence.previous_quote == ""
    assert "12 percent" in client.get(page.url).content.decode()
    stale = BriefPage.objects.get(pk=page.pk).live_revision  # pinned to the old wording
    problems = check_revision(stale).problems
    assert any("wording changed since this version was saved" in p.text for p in problems)
    # Saving the brief again pins the new wording; the check passes.
    fresh = BriefPage.objects.get(pk=page.pk).get_latest_revision_as_object()
    revision = fresh.save_revision()
    assert check_revision(revision).passed
    assert revision.as_object().cited_quotes[str(evidence.pk)]["quote"] == NEW


def test_edit_view_shows_both_wordings_and_accepts_the_new_one(admin_client, evidence, source):
    replace_text(source, [PAGES[0].replace(OLD, NEW), PAGES[1]])
    url = reverse("wagtailsnippets_evidence_evidence:edit", args=[evidence.pk])
    html = admin_client.get(url).content.decode()
    assert "evidence-changed__old" in html and OLD in html and NEW in html
    assert 'name="accept_new_wording"' in html
    data = nested_form_data(
        {
            "source": source.pk,
            "quote": NEW,
            "selection_start": "",
            "selection_end": "",
            "claim": "Exports grew.",
            "kind": "statistic",
            "figures": inline_formset([]),
            "tags": "",
            "review_status": "accepted",
            "accept_new_wording": "on",
        }
    )
    response = admin_client.post(url, data)
    assert response.status_code == 302, response.content.decode()[-2000:]
    evidence.refresh_from_db()
    assert evidence.anchor_status == Evidence.AnchorStatus.RELOCATED
    assert evidence.is_citable and evidence.previous_quote == ""
    # Unchanged evidence has no such field.
    other = EvidenceFactory(source=source, quote="Imports stayed flat.")
    html = admin_client.get(
        reverse("wagtailsnippets_evidence_evidence:edit", args=[other.pk])
    ).content.decode()
    assert 'name="accept_new_wording"' not in html


@pytest.mark.worker
def test_file_replaced_through_the_worker_changes_nothing_published(
    celery_worker_process, admin_client, client, tmp_path
):
    """The reported path end to end: the analyst replaces the file in the admin, a real worker
    re-ingests it; the quote turns *changed* and the live brief still says 12."""
    from sources.models import Source
    from sources.tests.test_library import upload_form

    first = tmp_path / "survey.txt"
    first.write_text(f"Trade survey\n\nTrade grew steadily. {OLD} Imports stayed flat.\n")
    response = admin_client.post(
        reverse("wagtailsnippets_sources_source:add"), upload_form(first, title="Survey")
    )
    assert response.status_code == 302
    source = Source.objects.get()

    def ready(version):
        source.refresh_from_db()
        return source.status == Source.Status.READY and source.current_text.version == version

    wait_for(lambda: ready(1), timeout=90, message="the worker to ingest the source")
    evidence = Evidence.objects.create(
        source=source, review_status=Evidence.ReviewStatus.ACCEPTED, kind="statistic", start=0,
        end=1, page=1,
        **{"source_text": source.current_text, "quote": "x", "text_sha256": ""},
    )  # fmt: skip
    anchor = services.anchor_quote(source, OLD)
    services.apply_anchor(evidence, source.current_text, anchor)
    evidence.save()
    page = make_live_brief(evidence)

    second = tmp_path / "survey-v2.txt"
    second.write_text(f"Trade survey\n\nTrade grew steadily. {NEW} Imports stayed flat.\n")
    form = upload_form(second, title="Survey")
    form["authors-TOTAL_FORMS"] = "0"
    edit_url = reverse("wagtailsnippets_sources_source:edit", args=[source.pk])
    assert admin_client.post(edit_url, form).status_code == 302
    wait_for(lambda: ready(2), timeout=90, message="the worker to ingest the new file")
    evidence.refresh_from_db()
    assert evidence.anchor_status == Evidence.AnchorStatus.CHANGED
    assert evidence.previous_quote == OLD
    html = client.get(page.url).content.decode()
    assert "12 percent" in html and "15 percent" not in html
