"""A long brief's PDF rendered in parts, then merged (pdfs/merge.py), to bound a render's memory.

WeasyPrint keeps every laid-out page of a document until its PDF is written (about 2.2 MB a
page here, Kozea/WeasyPrint#1824), so one document of 200 pages peaks at about 460 MB above the
idle worker. A brief whose body is long is rendered as several WeasyPrint documents instead,
each written and freed before its process takes the next, a few processes side by side
(pdfs/processes.py): the body in runs of sections of about PART_PAGES pages and the endnotes,
bibliography and colophon; then the cover and the contents (their page numbers are those of
the parts) beside the page numbers (their page count is the brief's).
Only what crosses parts is done differently from one document:

- The running heads and "Page N of M" (margin boxes, which need the page count of the whole
  brief): the parts' pages have none (static/pdfs/print-part.css). Two more documents draw
  them with print.css, untagged: the cover and one page bearing every head but the page
  number (print-heads.css), and as many blank pages as the brief has, bearing the page number
  alone (print-page-numbers.css; a page with fewer margin boxes is laid out in about half
  the time). The merge lays the first over every page but the cover, and each page of the
  second over the brief's page of the same number, marked as an artifact (as running heads
  should be; WeasyPrint itself tags their text as spans outside the structure tree).
- The contents' page numbers: written into the HTML (``data-page``) from the pages of the
  parts' anchors, instead of ``target-counter()``.
- Links to another part (note references to their endnotes, the contents to the headings):
  written as ``briefdesk-part:<anchor>`` links, which the merge turns back into links to the
  named destination, as WeasyPrint writes them.
- Each run of body sections starts on a new page (the layout is otherwise the same).

A shorter brief stays one document, as before: splitting it gains nothing it needs."""

import contextlib
import ctypes
import gc
import math
import re

from django.conf import settings

from .processes import render_documents
from .rendering import CROSS_PART_LINK, PDF_VARIANT, brief_html, checked_pdf

# A body of more than BRIEFDESK_PDF_SPLIT_ABOVE_PAGES pages (a setting, 60 by default) is
# rendered in parts of about PART_PAGES pages
# (one document of 60 pages peaks at about 150 MB above the idle worker, a part of 30 at 90;
# see bench/pdf.py), pages estimated from the body's HTML: about BODY_CHARS_PER_PAGE characters
# a page on the demo briefs, their charts' SVG included (6,250 on the 200-page brief of
# bench/pdf.py, its parts of 29-30 pages).
PART_PAGES = 30
BODY_CHARS_PER_PAGE = 6000
# Entries of the contents on a page (measured: one-line headings, the title on the first).
TOC_ENTRIES_PER_PAGE = 33
FRONT = {"cover": True, "front": True}
ID_RE = re.compile(r'\bid="([^"]+)"')
FRAGMENT_HREF_RE = re.compile(r'\bhref="#([^"]+)"')


def body_parts(page, context) -> list[list[str]] | None:
    """The body's blocks as HTML in runs of about PART_PAGES pages, each starting at a block
    listed in the contents (a heading); None for a body short enough to render whole."""
    blocks = context["body_html"]
    if sum(map(len, blocks)) <= settings.BRIEFDESK_PDF_SPLIT_ABOVE_PAGES * BODY_CHARS_PER_PAGE:
        return None
    parts, current, size = [], [], 0
    for block, html in zip(page.body, blocks, strict=True):
        heading = hasattr(block.block, "toc_entries")
        if current and heading and size >= PART_PAGES * BODY_CHARS_PER_PAGE:
            parts.append(current)
            current, size = [], 0
        current.append(html)
        size += len(html)
    parts.append(current)
    return parts


def _cross_part_links(html: str) -> str:
    """Links to an anchor this part does not hold, as ``briefdesk-part:`` links (WeasyPrint
    drops a link to a missing anchor)."""
    ids = set(ID_RE.findall(html))

    def link(match):
        anchor = match.group(1)
        return match.group(0) if anchor in ids else f'href="{CROSS_PART_LINK}{anchor}"'

    return FRAGMENT_HREF_RE.sub(link, html)


def _document(context, layer="part", **overrides):
    """(html, render_document options) of one document of the brief, with the print stylesheet
    and its ``layer`` (rendering.LAYER_STYLESHEETS)."""
    html = _cross_part_links(brief_html(context, **overrides))
    # The running heads' documents are not tagged: the merge takes only their drawing.
    variant = PDF_VARIANT if layer == "part" else None
    return html, {"variant": variant, "print_stylesheet": True, "layer": layer}


def release_memory():
    """Give what a render freed back to the system: glibc keeps freed memory (the merge's,
    qpdf's C++ heap, about 80 MB after 200 pages) resident for the process's next allocations,
    and the render processes forked for the next long brief would write into it, each making
    it its own copy (copy-on-write). The C library's own call (glibc), as Python has none."""
    gc.collect()
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL("libc.so.6").malloc_trim(0)


def render_in_parts(context, parts, attachments=list):
    """The brief of ``context`` (rendering.brief_context, without a stylesheet link) with its
    body in ``parts`` (body_parts), as one checked RenderedPDF. ``attachments``: a function
    returning the weasyprint.Attachment files to embed (a new list for each render: WeasyPrint
    reads an Attachment's source once)."""
    try:
        return _render_in_parts(context, parts, attachments)
    finally:
        release_memory()


def _render_in_parts(context, parts, attachments):
    from .merge import merge_parts  # pikepdf: only imported by a process that needs it

    # The body's parts and the back, side by side (pdfs/processes.py), and the running heads but
    # the page number: the cover (which sets their strings) and one page bearing them.
    *rendered, heads = render_documents(
        [_document(context, show={"body": True}, body_html=p) for p in parts]
        + [_document(context, show={"back": True})]
        + [_document(context, "heads", show={"cover": True}, running_pages=range(1))]
    )
    # The cover and contents, numbered as if they took front_pages pages (the cover, then the
    # contents at about TOC_ENTRIES_PER_PAGE entries a page), side by side with the page
    # numbers of a brief of that many pages more; both rendered again with the right count if
    # the contents do not fit (long headings, notices).
    front_pages = 1 + math.ceil((len(context["toc"]) + 2) / TOC_ENTRIES_PER_PAGE)
    body_pages = sum(document.page_count for document in rendered)
    for _ in range(3):
        pages, offset = {}, front_pages
        for document in rendered:
            for name, number in document.anchors.items():
                pages.setdefault(name, offset + number + 1)
            offset += document.page_count
        toc = [{**entry, "page": pages.get(entry["anchor"])} for entry in context["toc"]]
        html, options = _document(context, show=FRONT, toc=toc)
        front, numbers = render_documents(
            [
                (html, {**options, "attachments": attachments()}),
                _document(
                    context, "page-numbers", show={}, running_pages=range(front_pages + body_pages)
                ),
            ]
        )
        if front.page_count == front_pages:
            break
        front_pages = front.page_count
    else:
        raise RuntimeError("The contents' length did not settle.")
    documents = [front, *rendered]
    total = sum(document.page_count for document in documents)
    data = merge_parts([document.data for document in documents], heads.data, numbers.data)
    # Each part reports the stylesheet's refusals again: each URL once.
    refused = dict.fromkeys(url for document in documents for url in document.refused)
    return checked_pdf(data, total, list(refused))
