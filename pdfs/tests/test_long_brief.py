"""A brief of many pages: page numbers, contents, note links and the tags' pages stay right
(bench/pdf.py measures the 200-page case; rendering.cache_page_references serves it)."""

import io
import re
import uuid

import pydyf
import pypdf
import pytest

from pdfs import rendering
from pdfs.tests.conftest import brief_body, make_evidence, make_source

pytestmark = pytest.mark.django_db

SECTIONS = 10
TEXT = (
    "Chinese lending to Central Asia grew through the decade, and with it the questions about "
    "its terms, its collateral and the projects it paid for. Officials spoke of partnership; "
    "surveys recorded doubt, and the press reported on delays and renegotiated contracts. "
)


def finding(number):
    return f"Finding {number}: lenders asked for collateral in region {number}"


def long_body(evidence, findings):
    """Ten sections of five paragraphs, each section citing its own finding (its own note)."""

    def block(kind, value):
        return {"type": kind, "value": value, "id": str(uuid.uuid4())}

    body = brief_body(evidence)
    for number, cited in enumerate(findings, start=1):
        body.append(block("section", {"heading": f"Part {number}", "anchor": f"part-{number}"}))
        for _ in range(5):
            body.append(
                block(
                    "paragraph",
                    f'<p>{TEXT * 2}<a linktype="evidence" id="{cited.pk}">Loans are '
                    f"distrusted</a>. {TEXT}</p>",
                )
            )
    return body


@pytest.fixture
def long_pdf(brief_factory, library):
    source = make_source("Regional Lending", [f"{finding(n)}.\n" for n in range(1, SECTIONS + 1)])
    findings = [make_evidence(source, finding(n)) for n in range(1, SECTIONS + 1)]
    page = brief_factory(body=long_body(library["evidence"], findings))
    result = rendering.render_revision(page.live_revision)
    return result, pypdf.PdfReader(io.BytesIO(result.data))


def squash(text):
    return re.sub(r"\s+", " ", text)


def test_every_page_is_numbered_and_the_contents_point_at_the_headings(long_pdf):
    result, reader = long_pdf
    pages = [squash(page.extract_text()) for page in reader.pages]
    total = len(pages)
    assert total == result.page_count >= 10
    for number, text in enumerate(pages[1:], start=2):
        assert f"Page {number} of {total}" in text
    toc = pages[1]
    for number in range(1, SECTIONS + 1):
        heading_page = next(
            index + 1
            for index, text in enumerate(pages)
            if index > 1 and re.search(rf"\bPart {number}\b", text)
        )
        assert re.search(rf"Part {number}[ .]*{heading_page}\b", toc), (number, toc)


def test_note_links_lead_to_the_page_of_their_note(long_pdf):
    _result, reader = long_pdf
    pages = [squash(page.extract_text()) for page in reader.pages]
    destinations = reader.named_destinations
    checked = 0
    for page in reader.pages:
        for annotation in page.get("/Annots") or ():
            annotation = annotation.get_object()
            name = str(annotation.get("/Dest", ""))
            if not name.startswith("note-") or name.endswith("-quote"):
                continue
            target = reader.get_destination_page_number(destinations[name])
            quote = next(
                (f"“{finding(n)}”" for n in range(1, SECTIONS + 1) if name == f"note-{n + 1}"),
                "“Survey respondents said",  # note 1: the first quote of brief_body
            )
            assert quote in pages[target], (name, target, pages[target][:300])
            checked += 1
    assert checked >= SECTIONS * 5  # every cited paragraph's note reference


def test_structure_elements_point_at_their_own_page(long_pdf):
    """Each page's marked content maps (ParentTree) to structure elements of that page."""
    _result, reader = long_pdf
    root = reader.trailer["/Root"]
    numbers = root["/StructTreeRoot"]["/ParentTree"].get_object()["/Nums"]
    page_ids = [page.indirect_reference.idnum for page in reader.pages]
    checked = 0
    for key, value in zip(numbers[::2], numbers[1::2], strict=True):
        value = value.get_object()
        if key >= len(page_ids) or not isinstance(value, list):
            continue  # an annotation's entry
        for element in value:
            element = element.get_object()
            assert element.raw_get("/Pg").idnum == page_ids[key], (key, element.get("/S"))
            checked += 1
    assert checked > 100


def test_page_references_are_built_once_per_page_added():
    rendering.cache_page_references()
    pdf = pydyf.PDF()
    pages = []
    for _ in range(3):
        page = pydyf.Dictionary({"Type": "/Page"})
        pdf.add_page(page)
        pages.append(page)
        assert pdf.page_references == tuple(f"{p.number} 0 R".encode() for p in pages)
    assert pdf.page_references is pdf.page_references
