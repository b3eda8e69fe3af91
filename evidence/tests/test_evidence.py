"""Evidence in the database and the admin: anchoring on save, refusals, the reader selection
prefill, re-anchoring across source versions, verification, candidates and bulk review."""

import io
import re

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from wagtail.test.utils.form_data import inline_formset, nested_form_data

from evidence import services
from evidence.anchoring import MAX_QUOTE_LENGTH
from evidence.models import Evidence
from sources import services as source_services
from sources.models import Source

pytestmark = pytest.mark.django_db

ADD_URL = reverse("wagtailsnippets_evidence_evidence:add")

# Sentences of the Kazakhstan paper as they stand in its PDF (page 4).
BILLION = "by early 2018, there were 51 joint projects, whose total\nworth exceeded $27 billion"


@pytest.fixture
def kazakhstan(kazakhstan_pdf):
    source = source_services.create_source_from_path(kazakhstan_pdf, title="China's Image")
    return source_services.ingest_source(source.pk)


def evidence_form(source, quote, **extra):
    return nested_form_data(
        {
            "source": source.pk if source else "",
            "quote": quote,
            "selection_start": "",
            "selection_end": "",
            "claim": "Chinese-Kazakh joint projects were worth over $27bn by 2018.",
            "kind": "statistic",
            "figures": inline_formset([]),
            "tags": "",
            "review_status": "accepted",
            **extra,
        }
    )


def post(client, data):
    return client.post(ADD_URL, data)


class TestCreate:
    def test_exact_quote_is_anchored_with_selectors_page_and_footnote(
        self, admin_client, kazakhstan
    ):
        response = post(admin_client, evidence_form(kazakhstan, BILLION))
        assert response.status_code == 302, response.content.decode()[-3000:]
        evidence = Evidence.objects.get()
        text = kazakhstan.current_text
        assert evidence.quote == BILLION
        assert text.full_text[evidence.start : evidence.end] == BILLION
        assert evidence.page == 4
        assert evidence.anchor_method == "exact"
        assert evidence.anchor_status == Evidence.AnchorStatus.EXACT
        assert evidence.text_sha256 == text.text_sha256
        assert text.full_text[: evidence.start].endswith(evidence.prefix)
        assert text.full_text[evidence.end :].startswith(evidence.suffix)
        assert 0 < len(evidence.prefix) <= 64 and 0 < len(evidence.suffix) <= 64
        assert evidence.footnote.number == 11
        assert "Agencia EFE" in evidence.footnote.content
        # A statistic saved without figures gets them parsed from the quote.
        figures = {(f.unit, float(f.value)) for f in evidence.figures.all()}
        assert ("USD", 27e9) in figures
        assert evidence.revisions.count() == 1

    def test_pasted_quote_with_other_spacing_and_quotes_is_stored_as_in_the_source(
        self, admin_client, kazakhstan
    ):
        pasted = (
            "by early 2018, there were 51 joint projects, whose total worth exceeded $27 billion"
        )
        response = post(admin_client, evidence_form(kazakhstan, pasted))
        assert response.status_code == 302
        evidence = Evidence.objects.get()
        assert evidence.quote == BILLION  # with the source's line break
        assert evidence.anchor_method == "normalised"

    def test_fuzzy_quote_with_typos_is_anchored(self, admin_client, kazakhstan):
        pasted = (
            "by early 2018, there where 51 joint projects, whose totall worth exceded $27 billion"
        )
        response = post(admin_client, evidence_form(kazakhstan, pasted))
        assert response.status_code == 302
        evidence = Evidence.objects.get()
        assert evidence.anchor_method == "fuzzy"
        assert "$27 billion" in evidence.quote
        assert kazakhstan.current_text.full_text[evidence.start : evidence.end] == evidence.quote
        assert "stored as it stands in the source" in evidence.anchor_note

    @pytest.mark.parametrize(
        ("quote", "message"),
        [
            ("Penguins have colonised the steppe and now run the national airline.", "not found"),
            ("   ", "required"),
            ("x" * (MAX_QUOTE_LENGTH + 1), "limit"),
            ("<script>alert('x')</script> joint ventures everywhere in Antarctica", "not found"),
        ],
    )
    def test_bad_quotes_are_refused_with_a_message(self, admin_client, kazakhstan, quote, message):
        response = post(admin_client, evidence_form(kazakhstan, quote))
        assert response.status_code == 200
        html = response.content.decode()
        assert message in html.lower()
        assert "<script>alert" not in html  # markup is always escaped
        assert Evidence.objects.count() == 0

    def test_source_not_ready_is_refused(self, admin_client, kazakhstan_pdf):
        source = source_services.create_source_from_path(kazakhstan_pdf, title="Pending")
        response = post(admin_client, evidence_form(source, BILLION))
        assert response.status_code == 200
        assert "only in a source whose text is ready" in response.content.decode()
        assert Evidence.objects.count() == 0

    def test_reader_selection_prefills_the_form(self, admin_client, kazakhstan):
        text = kazakhstan.current_text
        start = text.full_text.index(BILLION)
        end = start + len(BILLION)
        page = admin_client.get(ADD_URL, {"source": kazakhstan.pk, "start": start, "end": end})
        assert page.status_code == 200
        html = page.content.decode()
        assert "whose total\nworth exceeded $27 billion</textarea>" in html
        assert f'value="{start}"' in html and f'value="{end}"' in html
        data = evidence_form(kazakhstan, BILLION, selection_start=start, selection_end=end)
        assert post(admin_client, data).status_code == 302
        evidence = Evidence.objects.get()
        assert (evidence.start, evidence.end, evidence.anchor_method) == (start, end, "position")

    def test_bad_prefill_parameters_are_ignored(self, admin_client, kazakhstan):
        for params in (
            {"source": "abc"},
            {"source": kazakhstan.pk, "start": "9", "end": "x"},
            {"source": kazakhstan.pk, "start": 10**9, "end": 10**9 + 5},
        ):
            assert admin_client.get(ADD_URL, params).status_code == 200

    def test_reader_offers_create_evidence(self, admin_client, kazakhstan):
        html = admin_client.get(reverse("sources:reader", args=[kazakhstan.pk])).content.decode()
        assert "data-create-evidence" in html
        assert "evidence/reader-select.js" in html


def make_text_source(tmp_path, body, name="paper.txt"):
    path = tmp_path / name
    path.write_text(body, encoding="utf-8")
    source = source_services.create_source_from_path(path, title="Text paper")
    return source_services.ingest_source(source.pk)


def replace_file(source, tmp_path, body, name="paper-v2.txt"):
    """Replace a source's file the way the admin does, and ingest it."""
    from django.core.files import File

    path = tmp_path / name
    path.write_text(body, encoding="utf-8")
    with path.open("rb") as fileobj:
        media_type, sha256, size = source_services.inspect_upload(
            fileobj, name, exclude_pk=source.pk
        )
        source_services.mark_file_changed(
            source, filename=name, media_type=media_type, sha256=sha256, size=size
        )
        source.file.save(name, File(fileobj), save=False)
    source.save()
    return source_services.ingest_source(source.pk)


PARAGRAPHS = [
    "The first paragraph says that exports to China grew by 12 percent in 2017.",
    "The second paragraph notes that the Khorgos dry port handled 100,000 containers.",
    "The third paragraph claims that public opinion remained wary of Chinese investment.",
]


def anchor(source, quote):
    text = source.current_text
    evidence = Evidence(source=source, kind=Evidence.Kind.FINDING)
    services.apply_anchor(evidence, text, services.anchor_quote(source, quote))
    evidence.save()
    return evidence


class TestReanchoring:
    def test_new_version_keeps_exact_relocates_and_orphans(self, tmp_path):
        source = make_text_source(tmp_path, "\n\n".join(PARAGRAPHS))
        same = anchor(source, "exports to China grew by 12 percent in 2017")
        moved = anchor(source, "the Khorgos dry port handled 100,000 containers")
        gone = anchor(source, "public opinion remained wary of Chinese investment")
        old_text = source.current_text
        moved_offset = moved.start

        new_body = "\n\n".join(
            [
                PARAGRAPHS[0],
                "A new paragraph inserted here pushes everything after it further down.",
                PARAGRAPHS[1],
                "The third paragraph was rewritten entirely to discuss something else.",
            ]
        )
        source = replace_file(source, tmp_path, new_body)
        assert source.current_text.version == 2
        for evidence in (same, moved, gone):
            evidence.refresh_from_db()
        assert same.anchor_status == Evidence.AnchorStatus.EXACT
        assert same.source_text == source.current_text
        assert moved.anchor_status == Evidence.AnchorStatus.RELOCATED
        assert moved.start > moved_offset
        assert source.current_text.full_text[moved.start : moved.end] == moved.quote
        assert "Relocated from text version 1" in moved.anchor_note
        assert gone.anchor_status == Evidence.AnchorStatus.ORPHANED
        assert gone.source_text == old_text  # still points at what it quoted
        assert "Not found in text version 2" in gone.anchor_note
        assert Evidence.objects.count() == 3  # nothing deleted
        assert source.texts.count() == 2  # the old version stays to compare

    def test_orphaned_evidence_is_flagged_in_the_admin(self, admin_client, tmp_path):
        source = make_text_source(tmp_path, "\n\n".join(PARAGRAPHS))
        gone = anchor(source, "public opinion remained wary of Chinese investment")
        replace_file(source, tmp_path, "Entirely different text about rainfall in Spain.")
        listing = admin_client.get(
            reverse("wagtailsnippets_evidence_evidence:list"), {"anchor_status": "orphaned"}
        ).content.decode()
        assert "public opinion remained wary" in listing
        assert "Orphaned" in listing
        edit = admin_client.get(
            reverse("wagtailsnippets_evidence_evidence:edit", args=[gone.pk])
        ).content.decode()
        assert "Not found in text version 2" in edit

    def test_verify_evidence_command(self, tmp_path):
        source = make_text_source(tmp_path, "\n\n".join(PARAGRAPHS))
        anchor(source, "exports to China grew by 12 percent in 2017")
        out = io.StringIO()
        call_command("verify_evidence", stdout=out)
        assert "Checked 1 piece of evidence: 1 hold, 0 with problems." in out.getvalue()

        anchor(source, "the Khorgos dry port handled 100,000 containers")
        replace_file(source, tmp_path, PARAGRAPHS[0])
        out = io.StringIO()
        with pytest.raises(CommandError, match="2 pieces of evidence: 1 hold, 1 with problems"):
            call_command("verify_evidence", stdout=out)
        assert "orphaned" in out.getvalue()

    def test_tampered_quote_is_caught_by_verification(self, tmp_path):
        source = make_text_source(tmp_path, "\n\n".join(PARAGRAPHS))
        evidence = anchor(source, "exports to China grew by 12 percent in 2017")
        Evidence.objects.filter(pk=evidence.pk).update(quote="exports to China grew by 99 percent")
        checked, problems = services.verify()
        assert checked == 1
        assert [p.message for p in problems] == [
            "its quote no longer matches the source text at its anchor"
        ]


class TestCandidatesAndReview:
    def test_ingestion_proposes_candidates_with_footnotes(
        self, kazakhstan, django_capture_on_commit_callbacks
    ):
        # Ingestion in the fixture ran inside the test transaction: run its on-commit work.
        created = services.propose_candidates(kazakhstan.current_text)
        candidates = Evidence.objects.filter(review_status=Evidence.ReviewStatus.CANDIDATE)
        assert created == candidates.count() > 20
        assert all(c.origin == Evidence.Origin.AUTOMATIC for c in candidates)
        billion = candidates.get(quote__contains="$27 billion")
        assert billion.footnote.number == 11
        assert billion.kind == Evidence.Kind.STATISTIC
        assert billion.figures.exists()
        # Idempotent: a second run adds nothing.
        assert services.propose_candidates(kazakhstan.current_text) == 0

    def test_bulk_accept_and_reject(self, admin_client, kazakhstan):
        services.propose_candidates(kazakhstan.current_text)
        ids = list(Evidence.objects.values_list("pk", flat=True)[:3])
        for action, status in (("accept", "accepted"), ("reject", "rejected")):
            url = reverse("wagtail_bulk_action", args=["evidence", "evidence", action])
            query = "&".join(f"id={pk}" for pk in ids)
            confirm = admin_client.get(f"{url}?{query}")
            assert confirm.status_code == 200
            response = admin_client.post(f"{url}?{query}", {})
            assert response.status_code == 302
            assert set(
                Evidence.objects.filter(pk__in=ids).values_list("review_status", flat=True)
            ) == {status}
        untouched = Evidence.objects.exclude(pk__in=ids)
        assert set(untouched.values_list("review_status", flat=True)) == {"candidate"}

    def test_orphaned_evidence_cannot_be_accepted_in_bulk(self, tmp_path):
        source = make_text_source(tmp_path, "\n\n".join(PARAGRAPHS))
        evidence = anchor(source, "public opinion remained wary of Chinese investment")
        Evidence.objects.filter(pk=evidence.pk).update(
            review_status="candidate", anchor_status="orphaned"
        )
        services.set_review_status(Evidence.objects.all(), Evidence.ReviewStatus.ACCEPTED)
        evidence.refresh_from_db()
        assert evidence.review_status == "candidate"

    def test_listing_filters_and_search(self, admin_client, kazakhstan):
        services.propose_candidates(kazakhstan.current_text)
        url = reverse("wagtailsnippets_evidence_evidence:list")
        for params in (
            {"kind": "statistic"},
            {"review_status": "candidate"},
            {"source": kazakhstan.pk},
            {"anchor_status": "exact"},
            {"q": "Khorgos"},
        ):
            response = admin_client.get(url, params)
            assert response.status_code == 200, params
        html = admin_client.get(url, {"q": "Khorgos"}).content.decode()
        assert "Khorgos" in html
        assert "27 billion" not in html
        # Quotes and control characters are dropped, not handed to the search engine.
        html = admin_client.get(url, {"q": '"Khorgos\x01'}).content.decode()
        assert "Khorgos" in html and "27 billion" not in html
        for url_name in ("evidence_evidence", "sources_source"):
            listing = reverse(f"wagtailsnippets_{url_name}:list")
            assert admin_client.get(listing, {"q": '"'}).status_code == 200
        assert Source.objects.count() == 1


def test_dashboard_lists_what_needs_attention(admin_client, tmp_path):
    source = make_text_source(tmp_path, "\n\n".join(PARAGRAPHS))
    anchor(source, "public opinion remained wary of Chinese investment")
    replace_file(source, tmp_path, "Entirely different text about rainfall in Spain.")
    html = admin_client.get(reverse("wagtailadmin_home")).content.decode()
    assert "Needs attention" in html
    # A dashboard panel as Wagtail's own (aligned with them, collapsible).
    assert re.search(r'class="w-panel w-panel--dashboard"\s+id="needs-attention-section"', html)
    assert "<strong>1</strong> orphaned piece of evidence" in html
    assert "?anchor_status=orphaned" in html
