"""What the PDF holds: text, notes, running heads, metadata, bookmarks, tags, fonts."""

import io
import re

import pypdf
import pytest

from pdfs import rendering
from pdfs.revision import render_revision
from pdfs.tests.conftest import QUOTE

pytestmark = pytest.mark.django_db


@pytest.fixture
def rendered(brief_factory):
    page = brief_factory(
        title="Loans and Trust in Kazakhstan",
        extra=[
            {
                "type": "callout",
                "value": {"title": "Method", "body": "<p>A survey of 1,000.</p>", "tone": "note"},
                "id": "c1",
            }
        ],
    )
    revision = page.live_revision
    result = render_revision(revision)
    return page, result, pypdf.PdfReader(io.BytesIO(result.data))


def text_of(reader):
    return "\n".join(p.extract_text() for p in reader.pages)


def squash(text):
    return re.sub(r"\s+", " ", text)


def test_text_holds_title_quote_and_its_endnote(rendered):
    _page, result, reader = rendered
    text = squash(text_of(reader))
    assert "Loans and Trust in Kazakhstan" in text
    assert QUOTE in text  # the evidence quote block and the endnote
    # The endnote: the quote, then author, source title, publisher, year and page.
    assert re.search(
        rf"“{QUOTE}.*?”\s*Aigerim Nurlanova, Steppe Economics, Steppe Institute, n\.d\., p\.\s2",
        text,
    ), text[-1500:]
    assert "Bibliography" in text and "Cite this brief" in text
    assert result.page_count == len(reader.pages) >= 4


def test_cover_toc_running_heads_and_page_x_of_y(rendered):
    _page, _result, reader = rendered
    pages = [squash(p.extract_text()) for p in reader.pages]
    total = len(pages)
    assert "COUNTRY BRIEF" in pages[0].upper() and "Thomas Whitfield" in pages[0]
    assert "Page 1 of" not in pages[0]  # no running heads on the cover
    for number, text in enumerate(pages[1:], start=2):
        assert f"Page {number} of {total}" in text
        assert "Loans and Trust in Kazakhstan" in text  # running header
    toc = pages[1]
    assert "Contents" in toc
    # Each entry ends with the page number where its heading is (target-counter).
    heading_page = next(i + 1 for i, t in enumerate(pages) if i > 1 and "Debt and doubt" in t)
    assert re.search(rf"Debt and doubt[ .]*{heading_page}\b", toc), toc


def test_metadata_bookmarks_tags_and_embedded_fonts(rendered):
    _page, result, reader = rendered
    meta = reader.metadata
    assert meta.title == "Loans and Trust in Kazakhstan"
    assert meta.author == "Thomas Whitfield"
    assert meta.subject == "What Kazakhs think of Chinese loans."
    assert "Country brief" in meta["/Keywords"]
    outline = [item.title for item in reader.outline if not isinstance(item, list)]
    assert {"Contents", "Key findings", "Debt and doubt", "Notes", "Bibliography"} <= set(outline)
    root = reader.trailer["/Root"]
    assert bool(root["/MarkInfo"]["/Marked"]) and "/StructTreeRoot" in root  # tagged PDF
    assert root["/Lang"] == "en"
    fonts = set()
    for pdf_page in reader.pages:
        for font in pdf_page["/Resources"]["/Font"].values():
            fonts.add(str(font.get_object()["/BaseFont"]))
    assert any(name.endswith("+Brief-Serif") for name in fonts), fonts  # the shipped DejaVu
    assert result.refused == []  # the stylesheet and fonts come through the safe fetcher


def test_preview_is_marked_as_a_draft(brief_factory):
    page = brief_factory(publish=False)
    revision = page.get_latest_revision()
    result = render_revision(revision, "preview")
    text = squash(text_of(pypdf.PdfReader(io.BytesIO(result.data))))
    assert f"Draft preview of revision {revision.pk}" in text and "Not for publication" in text


def _link_uris(reader):
    uris = []
    for page in reader.pages:
        for annotation in page.get("/Annots") or ():
            action = annotation.get_object().get("/A")
            if action and "/URI" in action:
                uris.append(str(action["/URI"]))
    return uris


def test_links_keep_working_from_the_pdf(brief_factory):
    """A protocol-relative link became briefdesk://example.com/x (the renderer's base URL)."""
    body = (
        '<p><a href="//example.com/x">elsewhere</a>, <a href="/briefs/">the site</a>, '
        '<a href="https://example.org/y">absolute</a>.</p>'
    )
    page = brief_factory(
        extra=[{"type": "callout", "value": {"title": "Links", "body": body, "tone": "note"}}]
    )
    html = rendering.render_brief_html(page, page.live_revision)
    assert 'href="//' not in html
    uris = _link_uris(pypdf.PdfReader(io.BytesIO(render_revision(page.live_revision).data)))
    root = rendering.site_root(page)
    scheme = root.split(":", 1)[0]
    assert f"{scheme}://example.com/x" in uris
    assert f"{root}/briefs/" in uris or f"{root.rstrip('/')}/briefs/" in uris
    assert "https://example.org/y" in uris
    assert not [uri for uri in uris if uri.startswith("briefdesk:")], uris


def test_the_pdf_leaves_out_what_it_would_hide_of_a_chart(brief_index, client):
    """A chart's phone-width drawing and its data table, which the site shows, are not in the
    PDF's HTML (the print stylesheet would hide them: they were parsed and styled for nothing)."""
    from briefs.tests.conftest import build_corpus, chart, make_brief, make_evidence

    corpus = build_corpus()
    fdi = make_evidence(
        corpus["kaz"], "the elite welcomes it", figures=[("1620000000", "USD", 2011, "FDI")]
    )
    page = make_brief(brief_index, "Charted", [chart("Chinese FDI", [corpus["fdi_1999"], fdi])])
    html = rendering.render_brief_html(page, page.live_revision)
    assert html.count("<svg") == 1 and "chart-svg--wide" in html
    assert "chart-svg--narrow" not in html and "chart__data" not in html
    site = client.get(page.url).content.decode()
    assert "chart-svg--narrow" in site and "chart__data" in site
