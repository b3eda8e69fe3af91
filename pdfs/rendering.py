"""A brief revision as a PDF: HTML from templates/pdfs/brief.html, then WeasyPrint with the
safe URL fetcher (see fetcher.py) and the print stylesheet static/pdfs/print.css. A brief with
a long body is rendered in parts and merged, to bound the memory of a render (revision.py
chooses, parts.py renders).

Speed (measured by bench/pdf.py; the reasons are in its docstring): a render process (a Celery
pool child) parses the print stylesheet and loads its six fonts into a fontconfig configuration
once and reuses both for every brief it renders (``print_resources``), and before its first
render it moves the objects it has so far (Django, Wagtail, their modules: about 250,000) to
the garbage collector's permanent generation (``gc.freeze``): WeasyPrint allocates millions of
objects, which trigger hundreds of collections per render, and the older collections would walk
all of those again each time (about 10 % of a render). Freezing once, rather than around each
render, keeps every render's own garbage collectable: freezing with a previous render's cycles
still uncollected kept them alive (+70 MB on a 38-page brief)."""

import gc
import hashlib
import io
import logging
import re
import threading
import urllib.parse
from dataclasses import dataclass, field

from django.conf import settings
from django.template.loader import render_to_string

from .fetcher import BASE_URL, SafeURLFetcher, resolve

logger = logging.getLogger(__name__)

STYLESHEET = f"{settings.STATIC_URL}pdfs/print.css"
# Added to it for the documents of a long brief (pdfs/parts.py), by name: "part" for its parts,
# which have no running heads; "heads" for the running heads but the page number, drawn once;
# "page-numbers" for the page numbers alone.
LAYER_STYLESHEETS = {
    layer: f"{settings.STATIC_URL}pdfs/print-{layer}.css"
    for layer in ("part", "heads", "page-numbers")
}
# Tagged PDF for screen readers (PDF/UA-1: structure tree, language, title shown).
PDF_VARIANT = "pdf/ua-1"
# Site-relative links (href="/briefs/...") made absolute, so that they work from the PDF.
RELATIVE_HREF_RE = re.compile(r'(<a\b[^>]*?\bhref=")(/(?!/)[^"]*)"', re.I)
# Protocol-relative links (href="//example.com/x") take the site's scheme: resolved against
# the renderer's base URL they became briefdesk://example.com/x, a dead link in the PDF.
PROTOCOL_RELATIVE_HREF_RE = re.compile(r'(<a\b[^>]*?\bhref=")(//[^"]*)"', re.I)
WHOLE_BRIEF = {"cover": True, "front": True, "body": True, "back": True}
# The scheme of a link to an anchor of another part of a long brief (parts.py), which the merge
# (merge.py) makes internal again.
CROSS_PART_LINK = "briefdesk-part:"


@dataclass
class RenderedPDF:
    data: bytes
    page_count: int
    sha256: str
    refused: list = field(default_factory=list)

    @property
    def size(self):
        return len(self.data)


def site_root(page) -> str:
    try:
        site = page.get_site()
    except Exception:  # a page outside any site (tests): fall back to the admin base URL
        site = None
    root = site.root_url if site is not None else settings.WAGTAILADMIN_BASE_URL
    return (root or "").rstrip("/")


def brief_context(page, revision, kind) -> dict:
    """The template context of a brief revision (``page`` is ``revision.as_object()``)."""
    from briefs.blocks import toc_entry
    from briefs.citations import CitationMarkup, build_notes

    notes = build_notes(page.body, page.cited_quotes)
    authors = [author.name for author in page.authors.all()]
    terms = [*page.countries.all(), *page.topics.all()]
    is_preview = kind == "preview"
    date = page.publication_date or (
        page.first_published_at.date() if page.first_published_at else None
    )
    root = site_root(page)
    url = page.url_path and page.get_url(None)
    page_url = None if is_preview or not url else (url if "://" in url else root + url)
    toc = list(page.table_of_contents)
    if notes.notes:
        toc.append(toc_entry("Notes", "notes"))
    if notes.bibliography:
        toc.append(toc_entry("Bibliography", "bibliography"))
    context = {
        "page": page,
        "revision": revision,
        "kind": kind,
        "is_preview": is_preview,
        "notes": notes,
        "citations": CitationMarkup(notes),
        "bibliography": notes.bibliography,
        "toc": toc,
        "authors": authors,
        "terms": terms,
        "keywords": [term.name for term in terms] + [page.get_kind_display()],
        "date": date,
        "created": page.first_published_at or revision.created_at,
        # The revision's own time: a re-render of the same revision gives the same metadata.
        "modified": revision.created_at,
        "publisher": settings.BRIEFDESK_PUBLISHER,
        "cite_as": page.cite_as(),
        "page_url": page_url,
        "stylesheet": STYLESHEET,
        "language": (settings.LANGUAGE_CODE or "en").split("-")[0],
        "site_root": root,
        # What the template shows: the whole brief, or one part of it (see pdfs/parts.py).
        "show": WHOLE_BRIEF,
        "running_pages": (),
        # Blocks leave out what the PDF would hide: a chart's phone-width drawing and its data
        # table (briefs/blocks.py ChartBlock): parsed and styled for nothing otherwise.
        "for_pdf": True,
        **version_stamp(page, revision, kind),
    }
    # The body's blocks as HTML, one string each (the parts of a long brief take runs of them).
    context["body_html"] = [block.render_as_block(context) for block in page.body]
    return context


def version_stamp(page, revision, kind) -> dict:
    """The version a public PDF is of (stamped on its cover and running footer), and the
    notices of that version and the ones before it."""
    from briefs.models import BriefVersion

    if kind == "preview":
        return {"version": None, "notices": []}
    versions = list(
        BriefVersion.objects.filter(page_id=page.pk)
        .order_by("number")
        .only("number", "revision_id", "published_at", "notice_type", "notice_text")
    )
    version = next((v for v in reversed(versions) if v.revision_id == revision.pk), None)
    notices = [
        v for v in reversed(versions) if v.notice_type and version and v.number <= version.number
    ]
    return {"version": version, "notices": notices}


def render_brief_html(page, revision, kind="public", *, link_stylesheet=True) -> str:
    """The HTML of the PDF. ``link_stylesheet=False`` leaves out the <link> to the print
    stylesheet, for html_to_pdf(..., print_stylesheet=True), which applies its parsed copy."""
    context = brief_context(page, revision, kind)
    if not link_stylesheet:
        context["stylesheet"] = None
    return brief_html(context)


def brief_html(context, **overrides) -> str:
    """templates/pdfs/brief.html rendered with ``context`` (from brief_context) and
    ``overrides``, its site-relative and protocol-relative links made absolute."""
    html = render_to_string("pdfs/brief.html", {**context, **overrides})
    root = context["site_root"]
    scheme = urllib.parse.urlsplit(root).scheme or "https"
    html = PROTOCOL_RELATIVE_HREF_RE.sub(lambda m: f'{m.group(1)}{scheme}:{m.group(2)}"', html)
    return RELATIVE_HREF_RE.sub(lambda m: f'{m.group(1)}{root}{m.group(2)}"', html)


@dataclass
class PrintResources:
    key: tuple
    font_config: object  # weasyprint.text.fonts.FontConfiguration
    stylesheet: object  # weasyprint.CSS
    layers: dict  # {name: weasyprint.CSS} of LAYER_STYLESHEETS
    refused: list


_local = threading.local()  # Pango font maps must not be shared between threads


def print_resources() -> PrintResources:
    """The print stylesheets, parsed, with their fonts loaded in a FontConfiguration: made once
    per thread and reused while the stylesheet files stay the same (a changed file, in
    development, is parsed again with a new FontConfiguration). Loaded through the safe fetcher
    like the rest; what it refused is reported with every render."""
    from weasyprint import CSS
    from weasyprint.text.fonts import FontConfiguration

    paths = [STYLESHEET, *LAYER_STYLESHEETS.values()]
    urls = [urllib.parse.urljoin(BASE_URL, path) for path in paths]
    stats = [resolve(url).stat() for url in urls]
    key = tuple(
        (url, stat.st_mtime_ns, stat.st_size) for url, stat in zip(urls, stats, strict=True)
    )
    cached = getattr(_local, "print_resources", None)
    if cached is None or cached.key != key:
        fetcher = SafeURLFetcher()
        font_config = FontConfiguration()
        stylesheet, *layers = (
            CSS(url=url, url_fetcher=fetcher, font_config=font_config) for url in urls
        )
        layers = dict(zip(LAYER_STYLESHEETS, layers, strict=True))
        cached = PrintResources(key, font_config, stylesheet, layers, fetcher.refused)
        _local.print_resources = cached
    return cached


_frozen = False


def freeze_startup_objects():
    """Once per process, before its first render: see the module docstring."""
    global _frozen
    if not _frozen:
        gc.collect()
        gc.freeze()
        _frozen = True


def cache_page_references():
    """pydyf's ``PDF.page_references`` builds the tuple of every page's reference at each read,
    and WeasyPrint's tagging (PDF/UA) reads it once per structure element: time quadratic in
    the pages. Patched once per process, as neither library has a hook for it: the tuple is kept
    per PDF until a page is added (pages are only ever appended, by ``PDF.add_page``)."""
    import pydyf

    original = pydyf.PDF.page_references
    if getattr(original.fget, "briefdesk_cached", False):
        return

    def page_references(pdf):
        count = len(pdf.pages["Kids"])
        cached = pdf.__dict__.get("_briefdesk_page_references")
        if cached is None or cached[0] != count:
            cached = pdf.__dict__["_briefdesk_page_references"] = (count, original.fget(pdf))
        return cached[1]

    page_references.briefdesk_cached = True
    pydyf.PDF.page_references = property(page_references)


def html_to_pdf(
    html: str, *, variant=PDF_VARIANT, print_stylesheet=False, attachments=()
) -> RenderedPDF:
    """Any HTML to PDF bytes through the safe fetcher: the one entry point to WeasyPrint.
    ``print_stylesheet``: apply the brief print stylesheet with its fonts (print_resources).
    ``attachments``: weasyprint.Attachment files to embed."""
    document = render_document(
        html, variant=variant, print_stylesheet=print_stylesheet, attachments=attachments
    )
    return checked_pdf(document.data, document.page_count, document.refused)


@dataclass
class RenderedDocument:
    """One WeasyPrint document as PDF bytes, with the page (0-based) of each of its anchors."""

    data: bytes
    page_count: int
    anchors: dict
    refused: list


def render_document(
    html: str, *, variant=PDF_VARIANT, print_stylesheet=False, layer=None, attachments=()
) -> RenderedDocument:
    """See html_to_pdf; ``layer``: the name of the LAYER_STYLESHEETS added to the print
    stylesheet, for a document of a long brief (pdfs/parts.py). The PDF is not checked here (a
    long brief is checked once merged)."""
    from weasyprint import HTML

    fetcher = SafeURLFetcher()
    options = {}
    refused = []
    if print_stylesheet:
        resources = print_resources()
        stylesheets = [resources.stylesheet] + ([resources.layers[layer]] if layer else [])
        options = {"font_config": resources.font_config, "stylesheets": stylesheets}
        refused = list(resources.refused)
    cache_page_references()
    freeze_startup_objects()
    document = HTML(string=html, base_url=BASE_URL, url_fetcher=fetcher).render(**options)
    anchors = {}
    for number, page in enumerate(document.pages):
        for name in page.anchors:
            anchors.setdefault(name, number)
    data = document.write_pdf(
        pdf_variant=variant, uncompressed_pdf=False, attachments=list(attachments)
    )
    page_count = len(document.pages)
    del document  # the laid-out pages are the bulk of a render's memory
    return RenderedDocument(data, page_count, anchors, refused + fetcher.refused)


def checked_pdf(data: bytes, page_count: int, refused=()) -> RenderedPDF:
    if not data.startswith(b"%PDF-") or page_count < 1:
        raise RuntimeError("WeasyPrint produced no PDF.")
    # A cheap structural check that the bytes are a readable PDF before anyone gets them.
    import pypdf

    pypdf.PdfReader(io.BytesIO(data), strict=False)
    sha256 = hashlib.sha256(data).hexdigest()
    return RenderedPDF(data, page_count, sha256, list(refused))
