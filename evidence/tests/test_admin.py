"""The Evidence admin as analysts use it: the listing opens each item, a quote already held as
evidence for the same passage is not duplicated silently, and rejecting evidence a live brief
cites names those briefs first."""

import pytest
from django.urls import reverse
from wagtail.test.utils.form_data import inline_formset, nested_form_data

from evidence.models import Evidence
from evidence.tests.factories import EvidenceFactory
from sources.tests.factories import SourceFactory

pytestmark = pytest.mark.django_db

PAGES = [
    "Chinese investment in Kazakhstan reached 19.2 billion dollars by 2017. "
    "Most of it went into oil, gas and transport. ",
    "Surveys show that 58 percent of respondents view the Khorgos hub favourably. ",
]
QUOTE = "Chinese investment in Kazakhstan reached 19.2 billion dollars by 2017."
OTHER = "58 percent of respondents view the Khorgos hub favourably."

LIST_URL = reverse("wagtailsnippets_evidence_evidence:list")
ADD_URL = reverse("wagtailsnippets_evidence_evidence:add")


def edit_url(evidence):
    return reverse("wagtailsnippets_evidence_evidence:edit", args=[evidence.pk])


@pytest.fixture
def source(db):
    return SourceFactory(title="Kazakhstan survey", pages=PAGES)


def test_listing_rows_link_to_their_edit_view_with_actions(admin_client, source):
    rows = [
        EvidenceFactory(source=source, quote=QUOTE),
        EvidenceFactory(source=source, quote=OTHER),
    ]
    html = admin_client.get(LIST_URL).content.decode()
    for evidence in rows:
        assert f'href="{edit_url(evidence)}"' in html
    # The row's actions menu (Edit, Delete …), as on the Sources listing.
    assert html.count('data-controller="w-dropdown"') >= len(rows)
    assert reverse("wagtailsnippets_evidence_evidence:delete", args=[rows[0].pk]) in html
    assert "Display quote" not in html and "Quote" in html
    for evidence in rows:  # bulk selection is still there
        assert f'data-object-id="{evidence.pk}" data-bulk-action-checkbox' in html


def evidence_form(source, quote, claim="Chinese investment reached $19.2bn by 2017.", **extra):
    return nested_form_data(
        {
            "source": source.pk,
            "quote": quote,
            "selection_start": "",
            "selection_end": "",
            "claim": claim,
            "kind": "finding",
            "figures": inline_formset([]),
            "tags": "",
            "review_status": "accepted",
            **extra,
        }
    )


class TestSamePassageTwice:
    def test_pasting_a_quote_already_held_is_refused_with_a_link(self, admin_client, source):
        existing = EvidenceFactory(source=source, quote=QUOTE, claim="Investment reached $19.2bn.")
        # Pasted with other spacing: it anchors at the same range.
        response = admin_client.post(ADD_URL, evidence_form(source, QUOTE.replace(" ", "  ")))
        assert response.status_code == 200
        html = response.content.decode()
        assert "This passage is already evidence" in html
        assert f'href="{edit_url(existing)}"' in html
        assert 'type="checkbox" name="separate_evidence"' in html
        assert Evidence.objects.count() == 1

    def test_a_passage_proposed_as_candidate_says_so(self, admin_client, source):
        candidate = EvidenceFactory(source=source, quote=QUOTE, review_status="candidate")
        response = admin_client.post(ADD_URL, evidence_form(source, QUOTE))
        html = response.content.decode()
        assert "This passage is already a candidate, proposed automatically" in html
        assert "already evidence" not in html
        assert f'href="{edit_url(candidate)}"' in html
        assert Evidence.objects.count() == 1

    def test_reader_selection_of_the_same_range_is_refused_too(self, admin_client, source):
        existing = EvidenceFactory(source=source, quote=QUOTE)
        form = evidence_form(
            source, QUOTE, selection_start=existing.start, selection_end=existing.end
        )
        response = admin_client.post(ADD_URL, form)
        assert "This passage is already evidence" in response.content.decode()
        assert Evidence.objects.count() == 1

    def test_a_deliberate_second_piece_needs_its_own_claim(self, admin_client, source):
        EvidenceFactory(source=source, quote=QUOTE, claim="Investment reached $19.2bn.")
        same_claim = evidence_form(
            source, QUOTE, claim="Investment  reached $19.2bn.", separate_evidence="on"
        )
        response = admin_client.post(ADD_URL, same_claim)
        assert response.status_code == 200
        assert "must make a different claim" in response.content.decode()
        assert Evidence.objects.count() == 1

        other_claim = evidence_form(
            source,
            QUOTE,
            claim="Kazakhstan is China's main investment target.",
            separate_evidence="on",
        )
        response = admin_client.post(ADD_URL, other_claim)
        assert response.status_code == 302
        assert Evidence.objects.filter(quote=QUOTE).count() == 2

    def test_a_new_quote_shows_no_checkbox(self, admin_client, source):
        EvidenceFactory(source=source, quote=QUOTE)
        html = admin_client.get(ADD_URL).content.decode()
        assert 'type="checkbox" name="separate_evidence"' not in html
        # Nor the questions of boxes not offered: a label and help text above nothing to tick.
        assert "This is a separate piece of evidence" not in html
        assert "Reject it anyway" not in html
        response = admin_client.post(ADD_URL, evidence_form(source, OTHER))
        assert response.status_code == 302
        # Overlapping but different ranges are not duplicates.
        response = admin_client.post(ADD_URL, evidence_form(source, QUOTE[:-10]))
        assert response.status_code == 302


class TestRejectingCitedEvidence:
    @pytest.fixture
    def cited(self, source):
        from briefs.models import BriefIndexPage
        from briefs.tests.conftest import cite, make_brief, paragraph

        cited = EvidenceFactory(source=source, quote=QUOTE, claim="Investment reached $19.2bn.")
        index = BriefIndexPage.objects.get()
        body = [paragraph(f"<p>{cite('Investment grew', cited)} fast.</p>")]
        live = make_brief(index, "Kazakhstan and China", body)
        make_brief(index, "A draft on investment", body, publish=False)
        return cited, live

    def test_bulk_reject_confirmation_names_the_live_briefs(self, admin_client, source, cited):
        evidence, live = cited
        uncited = EvidenceFactory(source=source, quote=OTHER)
        url = reverse("wagtail_bulk_action", args=["evidence", "evidence", "reject"])
        html = admin_client.get(f"{url}?id={evidence.pk}&id={uncited.pk}").content.decode()
        assert "1 live brief cites this evidence" in html
        assert f'href="{live.url}"' in html and "Kazakhstan and China" in html
        assert "A draft on investment" not in html  # drafts are not live
        html = admin_client.get(f"{url}?id={uncited.pk}").content.decode()
        assert "live brief" not in html
        # The confirmation is the step: posting it rejects.
        admin_client.post(f"{url}?id={evidence.pk}", {})
        evidence.refresh_from_db()
        assert evidence.review_status == Evidence.ReviewStatus.REJECTED

    def test_single_reject_asks_first_naming_the_live_briefs(self, admin_client, source, cited):
        evidence, live = cited
        form = evidence_form(source, QUOTE, claim=evidence.claim, review_status="rejected")
        response = admin_client.post(edit_url(evidence), form)
        assert response.status_code == 200
        html = response.content.decode()
        assert "1 live brief cites this evidence" in html
        assert f'href="{live.url}"' in html
        assert 'type="checkbox" name="confirm_reject"' in html
        evidence.refresh_from_db()
        assert evidence.review_status == Evidence.ReviewStatus.ACCEPTED

        response = admin_client.post(edit_url(evidence), {**form, "confirm_reject": "on"})
        assert response.status_code == 302
        evidence.refresh_from_db()
        assert evidence.review_status == Evidence.ReviewStatus.REJECTED

    def test_rejecting_uncited_evidence_needs_no_confirmation(self, admin_client, source):
        evidence = EvidenceFactory(source=source, quote=OTHER, claim="Opinion is favourable.")
        form = evidence_form(source, OTHER, claim=evidence.claim, review_status="rejected")
        assert admin_client.post(edit_url(evidence), form).status_code == 302
        evidence.refresh_from_db()
        assert evidence.review_status == Evidence.ReviewStatus.REJECTED
