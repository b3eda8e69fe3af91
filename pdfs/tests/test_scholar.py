"""Google Scholar's inclusion guidelines on a published brief with its PDF rendered
(https://scholar.google.com/intl/en/scholar/inclusion.html#indexing): one title, absolute URLs,
the PDF on the page's own host, answering 200 with application/pdf."""

import urllib.parse

import pytest
from bs4 import BeautifulSoup

from pdfs import tasks
from pdfs.models import BriefPDF

pytestmark = pytest.mark.django_db

URL_TAGS = {"citation_pdf_url", "citation_abstract_html_url", "DC.identifier"}


def test_brief_page_meets_scholars_inclusion_guidelines(client, brief_factory):
    page = brief_factory(slug="loans-and-trust")
    for pk in BriefPDF.objects.filter(status="queued").values_list("pk", flat=True):
        tasks.render_brief_pdf.apply(args=(pk,))  # the worker's task, run inline
    page_url = urllib.parse.urlsplit(page.get_full_url())
    response = client.get(page_url.path, HTTP_HOST=page_url.netloc)
    soup = BeautifulSoup(response.content, "html.parser")
    tags = {}
    for tag in soup.find_all("meta", attrs={"name": True}):
        tags.setdefault(tag["name"], []).append(tag["content"])

    assert tags["citation_title"] == [page.title]
    assert tags["citation_author"] and tags["citation_publication_date"]
    for name in URL_TAGS:
        (url,) = tags[name]
        parts = urllib.parse.urlsplit(url)
        assert parts.scheme in ("http", "https") and parts.netloc, (name, url)
    pdf_url = urllib.parse.urlsplit(tags["citation_pdf_url"][0])
    assert pdf_url.netloc == page_url.netloc  # Scholar: the PDF on the page's host
    pdf = client.get(pdf_url.path, HTTP_HOST=pdf_url.netloc)
    assert pdf.status_code == 200
    assert pdf["Content-Type"] == "application/pdf"
    assert b"".join(pdf.streaming_content).startswith(b"%PDF-")
