"""Evidence quoted from OCR'd text, with the real engine (OCRmyPDF + Tesseract) on a scan built
here from text: labelled in the admin and the API, confirmed against the scan when its words
are doubtful, and the scan shown beside the text in the reader.

Tesseract is sure of a clean rendered page (about 95 %), so doubt is made by thresholds: the
scan is OCR'd with every word counted as doubtful (boxes and marks are then certain), and the
confirmation threshold is raised where a test needs a quote to be refused."""

import functools
import hashlib
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.test import Client
from django.urls import reverse
from wagtail.test.utils.form_data import inline_formset, nested_form_data

from api.tests.api_data import _block, cite, make_brief
from evidence.models import Evidence
from sources import services as source_services
from sources.extractors import PDF, OcrSettings, extract_document
from sources.models import Source
from sources.tests import fixtures

pytestmark = pytest.mark.django_db

TEXT = "The Irtysh river is shared by China\nand Kazakhstan, and its water is scarce."
QUOTE = "The Irtysh river is shared by China"
ADD_URL = reverse("wagtailsnippets_evidence_evidence:add")


@functools.cache
def _scan(folder: str):
    """The scan's bytes and its extracted document, OCR'd once per test session."""
    path = fixtures.image_only_pdf(Path(folder) / "scan.pdf", [fixtures.text_image(TEXT)])
    document = extract_document(path, ocr=OcrSettings(languages="eng", low_confidence=101))
    return path.read_bytes(), document


@pytest.fixture
def scanned(tmp_path_factory):
    data, document = _scan(str(tmp_path_factory.getbasetemp()))
    source = Source(title="Irtysh scan", media_type=PDF)
    source.file.save("scan.pdf", ContentFile(data), save=False)
    source.file_sha256 = hashlib.sha256(data).hexdigest()
    source.save()
    return source_services._store_text(source, document)


def form(source, quote, **extra):
    return nested_form_data(
        {
            "source": source.pk,
            "quote": quote,
            "selection_start": "",
            "selection_end": "",
            "claim": "The Irtysh is shared.",
            "kind": "finding",
            "figures": inline_formset([]),
            "tags": "",
            "review_status": "accepted",
            **extra,
        }
    )


def test_low_confidence_quote_is_refused_until_checked_against_the_scan(
    admin_client, scanned, settings
):
    settings.BRIEFDESK_OCR_CONFIRM_BELOW = 101  # every OCR'd word is below it
    response = admin_client.post(ADD_URL, form(scanned, QUOTE))
    assert response.status_code == 200
    html = response.content.decode()
    assert "read by OCR with low confidence" in html
    assert "I checked this quote against the scanned page" in html
    assert reverse("sources:page_image", args=[scanned.pk, 1]) in html
    assert not Evidence.objects.exists()

    response = admin_client.post(ADD_URL, form(scanned, QUOTE, ocr_confirmed="on"))
    assert response.status_code == 302, response.content.decode()[-2000:]
    evidence = Evidence.objects.get()
    assert evidence.from_ocr and 0 < evidence.ocr_confidence <= 100
    assert evidence.ocr_confirmed_at is not None and evidence.ocr_confirmed_by.is_superuser
    assert evidence.is_citable
    assert Evidence.objects.citable().filter(pk=evidence.pk).exists()

    # Unconfirmed (as after re-anchoring in a new scan): not citable, and said why.
    Evidence.objects.filter(pk=evidence.pk).update(
        ocr_needs_confirmation=True, ocr_confirmed_at=None
    )
    evidence.refresh_from_db()
    assert not Evidence.objects.citable().filter(pk=evidence.pk).exists()
    assert Evidence.OCR_PROBLEM in evidence.status_problems()
    assert Evidence.OCR_PROBLEM in evidence.citation_problems()
    assert evidence.blocked_reason().startswith("Unconfirmed OCR")
    edit = admin_client.get(reverse("wagtailsnippets_evidence_evidence:edit", args=[evidence.pk]))
    assert "not citable until checked against the scan" in edit.content.decode()


def test_ocr_evidence_is_labelled_in_the_form_and_the_api(admin_client, client, scanned):
    # At the default threshold Tesseract's confidence in this clean scan needs no check.
    response = admin_client.post(ADD_URL, form(scanned, QUOTE))
    assert response.status_code == 302, response.content.decode()[-2000:]
    evidence = Evidence.objects.get()
    assert not evidence.ocr_needs_confirmation and evidence.is_citable
    edit = admin_client.get(reverse("wagtailsnippets_evidence_evidence:edit", args=[evidence.pk]))
    html = edit.content.decode()
    assert "Read by OCR from a scanned page" in html
    assert f"{evidence.ocr_confidence:.0f}%" in html

    brief = make_brief("irtysh", [_block("paragraph", f"<p>Shared {cite(evidence)}.</p>")])
    data = client.get(f"/api/v1/evidence/{evidence.pk}/").json()
    assert data["ocr"] is True and data["ocr_confidence"] == evidence.ocr_confidence
    note = client.get(f"/api/v1/briefs/{brief.slug}/").json()["notes"][0]
    assert note["ocr"] is True and note["ocr_confidence"] == evidence.ocr_confidence
    schema = client.get("/api/v1/schema/").content.decode()
    assert "ocr_confidence" in schema


def test_reader_shows_the_scan_with_its_doubtful_words(admin_client, scanned):
    html = admin_client.get(reverse("sources:reader", args=[scanned.pk])).content.decode()
    image_url = reverse("sources:page_image", args=[scanned.pk, 1])
    assert f'src="{image_url}"' in html
    assert 'class="scan-page__low"' in html
    assert '<mark class="ocr-low"' in html and ">Irtysh</mark>" in html

    response = admin_client.get(image_url)
    assert response.status_code == 200 and response["Content-Type"] == "image/png"
    assert response.content.startswith(b"\x89PNG")
    assert admin_client.get(image_url).content == response.content  # cached copy
    assert admin_client.get(reverse("sources:page_image", args=[scanned.pk, 9])).status_code == 404
    assert Client().get(image_url).status_code in (302, 403)  # anonymous


@pytest.mark.django_db(False)
def test_quote_confidence_counts_doubtful_words_with_their_own(settings):
    from evidence.ocr import quote_ocr
    from sources.models import SourceText

    page_one, page_two = "Typed page one. ", "The Irtysh river is shared."
    text = SourceText(
        full_text=page_one + page_two,
        page_starts=[0, len(page_one)],
        page_ocr=[None, {"ocr": True, "confidence": 90, "low_words": [["Irtysh", 0, 0, 1, 1, 40]]}],
    )
    assert quote_ocr(text, 0, len(page_one) - 1) is None  # a page from the text layer
    start = len(page_one)
    result = quote_ocr(text, start, start + len("The Irtysh river"))
    assert (result.confidence, result.lowest, result.low_words) == (
        round((90 + 40 + 90) / 3, 1),
        40,
        ["Irtysh"],
    )
    settings.BRIEFDESK_OCR_CONFIRM_BELOW = 85
    assert result.needs_confirmation
    assert not quote_ocr(text, start + len("The Irtysh "), len(text.full_text)).needs_confirmation
