"""Markup in a source's fields (title, subtitle, publisher, author) or in a brief's standfirst
is text on every public surface: the brief page, the API's bibliography[].html, the Atom feed
and the PDF (whose renderer must not try to fetch anything the markup names)."""

import io
import re
import xml.etree.ElementTree as ET

import pypdf
import pytest

from pdfs.revision import render_revision
from pdfs.tests.conftest import PAGES, QUOTE, brief_body, make_brief, make_evidence, make_source

pytestmark = pytest.mark.django_db

PAYLOAD = '<i><script>alert(1)</script>"><img src=x onerror=alert(2)></i>'
# What must never appear as markup anywhere (escaped text is fine).
LIVE_MARKUP = re.compile(r"<script>alert|<img src=x|onerror=alert\(2\)>", re.I)


@pytest.fixture
def hostile_brief(db):
    from sources.models import SourceAuthor

    source = make_source(f"Title {PAYLOAD}", PAGES)
    source.subtitle = f"Subtitle {PAYLOAD}"
    source.publisher = f"Publisher {PAYLOAD}"
    source.save()
    SourceAuthor.objects.filter(source=source).update(name=f"Nurlanova {PAYLOAD}")
    source.refresh_from_db()
    source.save()  # a new updated_at: no cached bibliography entry
    evidence = make_evidence(source, QUOTE)
    page = make_brief(body=brief_body(evidence))
    page.standfirst = f"Standfirst {PAYLOAD}"
    page.save_revision().publish()
    page.refresh_from_db()
    return page


def test_brief_page(client, hostile_brief):
    html = client.get(hostile_brief.url).content.decode()
    assert "Title &lt;i&gt;&lt;script&gt;" in html  # shown as text, in the bibliography
    assert "Publisher &lt;i&gt;" in html
    assert not LIVE_MARKUP.search(html), LIVE_MARKUP.search(html)


def test_api_bibliography(client, hostile_brief):
    data = client.get(
        f"/api/v1/briefs/{hostile_brief.slug}/", HTTP_ACCEPT="application/json"
    ).json()
    entries = [entry["html"] for entry in data["bibliography"]]
    assert entries and any("Title &lt;i&gt;&lt;script&gt;" in entry for entry in entries)
    for entry in entries:
        assert not LIVE_MARKUP.search(entry), entry
    # The CSL-JSON is data, not HTML: the title as it is.
    assert f"Title {PAYLOAD}" in str(data)


def test_atom_feed(client, hostile_brief):
    response = client.get("/feed/")
    ns = {"atom": "http://www.w3.org/2005/Atom"}
    summaries = [
        s
        for s in ET.fromstring(response.content).iterfind(".//atom:entry/atom:summary", ns)
        if "Standfirst" in (s.text or "")
    ]
    assert summaries and summaries[0].get("type") == "html"
    # What a feed reader renders as HTML: it must show the markup as text.
    assert not LIVE_MARKUP.search(summaries[0].text), summaries[0].text
    assert "&lt;script&gt;" in summaries[0].text


def test_pdf(hostile_brief):
    result = render_revision(hostile_brief.live_revision)
    assert result.refused == [], result.refused  # nothing injected was fetched
    text = " ".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(result.data)).pages)
    assert "<script>alert(1)</script>" in text  # printed as text
