"""A brief of many pages: page numbers, contents, note links and the tags' pages stay right,
rendered as one document and in parts (pdfs/parts.py, for long briefs; here its thresholds are
lowered so that this brief of about 15 pages is split). bench/pdf.py measures the 200-page
case; rendering.cache_page_references serves it."""

import collections
import hashlib
import io
import itertools
import os
import re
import signal
import time
import types
import uuid

import pikepdf
import pydyf
import pypdf
import pytest
from django.conf import settings

from pdfs import parts, processes, rendering
from pdfs.revision import render_revision
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
def long_page(brief_factory, library):
    source = make_source("Regional Lending", [f"{finding(n)}.\n" for n in range(1, SECTIONS + 1)])
    findings = [make_evidence(source, finding(n)) for n in range(1, SECTIONS + 1)]
    return brief_factory(body=long_body(library["evidence"], findings))


@pytest.fixture
def in_parts(monkeypatch, settings):
    """Render briefs of more than a page of body in parts of about two pages."""
    settings.BRIEFDESK_PDF_SPLIT_ABOVE_PAGES = 1
    monkeypatch.setattr(parts, "PART_PAGES", 2)


@pytest.fixture(params=["one document", "in parts"])
def long_pdf(request, long_page):
    if request.param == "in parts":
        request.getfixturevalue("in_parts")
    result = render_revision(long_page.live_revision)
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


def test_a_brief_is_split_only_when_its_body_is_long(long_page, in_parts, settings):
    revision = long_page.live_revision
    context = rendering.brief_context(revision.as_object(), revision, "public")
    runs = parts.body_parts(long_page, context)
    assert len(runs) >= 3
    assert [html for run in runs for html in run] == context["body_html"]  # each once, in order
    for run in runs[1:]:
        assert 'class="section-heading"' in run[0]  # each run starts at a heading
    settings.BRIEFDESK_PDF_SPLIT_ABOVE_PAGES = 60
    assert parts.body_parts(long_page, context) is None


def _outline(reader):
    def walk(items, depth):
        for item in items:
            if isinstance(item, list):
                yield from walk(item, depth + 1)
            else:
                yield depth, item.title

    return list(walk(reader.outline, 0))


def _words(reader, page):
    """The words of the PDF but its running heads and the contents' page numbers (wherever the
    heads' strings are: the cover has them too)."""
    heads = [page.title, page.get_kind_display(), settings.BRIEFDESK_PUBLISHER]
    text = squash(" ".join(pdf_page.extract_text() for pdf_page in reader.pages))
    text = re.sub(r"Page \d+ of \d+|(?:\. )+\d+|· Version \d+, \d+ \w+ \d{4}", " ", text)
    for head in heads:
        text = text.replace(head, " ")
    return collections.Counter(text.split())


def _destinations(reader):
    links = collections.Counter()
    for page in reader.pages:
        for annotation in page.get("/Annots") or ():
            annotation = annotation.get_object()
            links[str(annotation.get("/Dest") or annotation["/A"]["/URI"])] += 1
    return links


def test_in_parts_the_pdf_holds_what_one_document_holds(long_page, in_parts, settings):
    split = render_revision(long_page.live_revision)
    settings.BRIEFDESK_PDF_SPLIT_ABOVE_PAGES = 10**6
    whole = render_revision(long_page.live_revision)
    split_reader, whole_reader = (pypdf.PdfReader(io.BytesIO(r.data)) for r in (split, whole))
    assert len(split_reader.pages) >= len(whole_reader.pages)  # each run starts a page
    assert _words(split_reader, long_page) == _words(whole_reader, long_page)
    assert _outline(split_reader) == _outline(whole_reader)
    assert set(split_reader.named_destinations) == set(whole_reader.named_destinations)
    assert _destinations(split_reader) == _destinations(whole_reader)  # every link, same target
    assert not any(
        str(link).startswith(parts.CROSS_PART_LINK) for link in _destinations(split_reader)
    )
    assert split_reader.metadata == whole_reader.metadata
    assert (
        split_reader.attachments["evidence.jsonld"] == whole_reader.attachments["evidence.jsonld"]
    )
    root = split_reader.trailer["/Root"]
    assert root["/Lang"] == "en" and root["/MarkInfo"]["/Marked"]
    assert root["/ViewerPreferences"]["/DisplayDocTitle"]
    assert b"pdfuaid:part" in root["/Metadata"].get_object().get_data()
    # Fonts are still subsets (a tag of six capitals before the name).
    fonts = {
        str(font.get_object()["/BaseFont"])
        for page in split_reader.pages
        for font in page["/Resources"]["/Font"].values()
    }
    assert fonts and all(re.match(r"/[A-Z]{6}\+", name) for name in fonts), fonts
    # The same revision gives the same bytes.
    settings.BRIEFDESK_PDF_SPLIT_ABOVE_PAGES = 1
    again = render_revision(long_page.live_revision)
    assert hashlib.sha256(again.data).hexdigest() == split.sha256


def test_in_parts_the_running_heads_are_artifacts(long_page, in_parts):
    """The running heads laid over each page (a form XObject) are marked as artifacts, and the
    page's own marked content is all in the structure tree."""
    result = render_revision(long_page.live_revision)
    reader = pypdf.PdfReader(io.BytesIO(result.data))
    heads = [long_page.title, long_page.get_kind_display(), settings.BRIEFDESK_PUBLISHER]
    for pdf_page in reader.pages[1:]:  # drawn once, on every page but the cover
        assert all(head in squash(pdf_page.extract_text()) for head in heads)
    pdf = pikepdf.open(io.BytesIO(result.data))
    for page in pdf.pages[1:]:
        # Laid over the page: its content's last operator draws the form.
        name, *_ = pikepdf.parse_content_stream(page, "Do")[-1].operands
        heads = pikepdf.parse_content_stream(page.Resources.XObject[name])
        marks = [(str(op), list(operands)) for operands, op in heads if str(op).endswith("MC")]
        assert marks == [("BMC", [pikepdf.Name.Artifact]), ("EMC", [])]
        assert (str(heads[0].operator), str(heads[-1].operator)) == ("BMC", "EMC")
        mcids = [
            int(operands[1].MCID)
            for operands, operator in pikepdf.parse_content_stream(page)
            if str(operator) == "BDC" and "/MCID" in operands[1]
        ]
        elements = pdf.Root.StructTreeRoot.ParentTree.Nums[2 * page.index + 1]
        assert sorted(mcids) == list(range(len(elements)))


def _pid_and_parts(html, **options):
    """A stand-in for rendering.render_document: which process rendered which document, when."""
    started = time.monotonic()
    time.sleep(0.5)
    return types.SimpleNamespace(
        pid=os.getpid(), html=html, page_count=1, span=(started, time.monotonic())
    )


def _most_at_once(spans):
    events = sorted([(start, 1) for start, _ in spans] + [(end, -1) for _, end in spans])
    return max(itertools.accumulate(change for _, change in events))


def test_in_parts_the_documents_render_side_by_side_in_processes_of_their_own(
    long_page, in_parts, settings, monkeypatch
):
    settings.BRIEFDESK_PDF_RENDER_PROCESSES = 2
    side_by_side = render_revision(long_page.live_revision)
    settings.BRIEFDESK_PDF_RENDER_PROCESSES = 1
    one_process = render_revision(long_page.live_revision)
    assert side_by_side.sha256 == one_process.sha256  # the same bytes either way

    documents = [(f"<p>document {n}</p>" + "." * n, {}) for n in range(5)]
    monkeypatch.setattr(processes, "render_document", _pid_and_parts)
    settings.BRIEFDESK_PDF_RENDER_PROCESSES = 2
    # A process that has rendered nothing yet renders the smallest document itself first.
    monkeypatch.setattr(processes, "_warm", False)
    rendered = processes.render_documents(documents)
    assert [document.html for document in rendered] == [html for html, _ in documents]
    assert [document.pid == os.getpid() for document in rendered] == [True] + [False] * 4
    rendered = processes.render_documents(documents)
    assert [document.html for document in rendered] == [html for html, _ in documents]
    pids = {document.pid for document in rendered}
    assert len(pids) == 2 and os.getpid() not in pids
    assert _most_at_once([document.span for document in rendered]) == 2
    settings.BRIEFDESK_PDF_RENDER_PROCESSES = 1
    assert {document.pid for document in processes.render_documents(documents)} == {os.getpid()}


def _slow_first(html, **options):
    """A stand-in for rendering.render_document: the largest document takes far longer."""
    time.sleep(2 if html.startswith("<p>largest") else 0.1)
    return types.SimpleNamespace(pid=os.getpid(), html=html, page_count=1)


def test_a_render_process_that_is_done_takes_the_next_document(settings, monkeypatch):
    """Documents go to whichever process is free, largest first: not to shares fixed in advance
    from their sizes, which would leave one process idle while the other renders on."""
    settings.BRIEFDESK_PDF_RENDER_PROCESSES = 2
    monkeypatch.setattr(processes, "render_document", _slow_first)
    monkeypatch.setattr(processes, "_warm", True)
    documents = [("<p>largest</p>" + "." * 50, {})] + [
        (f"<p>document {n}</p>" + "." * (40 - n), {}) for n in range(3)
    ]
    largest, *others = processes.render_documents(documents)
    # Shares by size would have given the smallest document to the largest one's process.
    assert len({document.pid for document in others}) == 1
    assert largest.pid != others[0].pid


def _query(html, **options):
    from briefs.models import BriefPage

    return BriefPage.objects.count()


def _die(html, **options):
    os.kill(os.getpid(), signal.SIGKILL)


def test_a_render_process_may_not_use_the_database_nor_die_silently(
    long_page, settings, monkeypatch
):
    settings.BRIEFDESK_PDF_RENDER_PROCESSES = 2
    monkeypatch.setattr(processes, "_warm", True)  # both documents in render processes
    documents = [("<p>one</p>", {}), ("<p>two</p>", {})]
    monkeypatch.setattr(processes, "render_document", _query)
    with pytest.raises(RuntimeError, match="queried the database"):
        processes.render_documents(documents)
    monkeypatch.setattr(processes, "render_document", _die)
    with pytest.raises(RuntimeError, match=r"ended without its document \(killed by signal 9"):
        processes.render_documents(documents)
    # This process's connection is still its own, and whole.
    assert long_page.__class__.objects.filter(pk=long_page.pk).exists()


def _sleep(html, **options):
    time.sleep(60)


class TimeLimit(Exception):
    """As Celery's soft time limit: raised in the rendering process by a signal handler."""


def test_a_render_stopped_by_its_time_limit_leaves_no_process_behind(settings, monkeypatch):
    settings.BRIEFDESK_PDF_RENDER_PROCESSES = 2
    monkeypatch.setattr(processes, "render_document", _sleep)
    monkeypatch.setattr(processes, "_warm", True)
    forked = []
    fork = os.fork

    def recording_fork():
        pid = fork()
        if pid:
            forked.append(pid)
        return pid

    def time_limit(signum, frame):
        raise TimeLimit()

    monkeypatch.setattr(os, "fork", recording_fork)
    previous = signal.signal(signal.SIGALRM, time_limit)
    signal.alarm(1)
    started = time.monotonic()
    try:
        with pytest.raises(TimeLimit):
            processes.render_documents([("<p>one</p>", {}), ("<p>two</p>", {})])
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)
    assert len(forked) == 2 and time.monotonic() - started < 30
    for pid in forked:  # killed and reaped: no such process any more
        with pytest.raises(ProcessLookupError):
            os.kill(pid, 0)
