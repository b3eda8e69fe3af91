"""The brief's PDF carries its evidence: the citations as an embedded W3C AnnotationCollection
and, on each endnote, a link to the evidence's public receipt."""

import io
import json

import pypdf
import pytest

from briefs.tests.annotation_checks import check_collection
from pdfs import tasks
from pdfs.models import BriefPDF
from pdfs.storage import get_pdf_storage

pytestmark = pytest.mark.django_db


def test_pdf_embeds_the_annotation_collection_and_links_the_evidence(brief_factory, library):
    page = brief_factory(slug="loans-and-trust")
    pdf = BriefPDF.objects.get(brief=page, status="queued")
    tasks.render_brief_pdf.apply(args=(pdf.pk,))
    pdf.refresh_from_db()
    with get_pdf_storage().open(pdf.file.name, "rb") as handle:
        reader = pypdf.PdfReader(io.BytesIO(handle.read()))

    (content,) = reader.attachments["evidence.jsonld"]
    collection = check_collection(json.loads(content))
    evidence = library["evidence"]
    (item,) = collection["first"]["items"]
    assert item["target"]["selector"][0]["exact"] == evidence.quote
    assert item["id"].endswith(f"/evidence/{evidence.pk}/annotation.jsonld")
    assert item["id"].startswith("http")

    uris = {
        annotation.get_object()["/A"].get("/URI")
        for pdf_page in reader.pages
        for annotation in pdf_page.get("/Annots") or []
        if "/A" in annotation.get_object()
    }
    assert any(str(uri).endswith(f"/evidence/{evidence.pk}/") for uri in uris), uris
