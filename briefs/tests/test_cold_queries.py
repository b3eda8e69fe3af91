"""SQL queries of a brief page and its API detail right after a publish (the rendered body, the
whole-response cache and the fragments are then cold): a fixed number, whatever the number of
citations (issue 16: at most 10 for the page)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from briefs.models import BriefPage

from .conftest import (
    block,
    cite,
    evidence_quote,
    item,
    make_brief,
    make_evidence,
    make_source,
    paragraph,
)

pytestmark = pytest.mark.django_db

PAGE_QUERIES = 15  # was 21 (wagtail routing 6, restrictions 2, one evidence query per block type)
# 9, plus Last-Modified (content and PDF times: 2) and versions (history, notices, PDFs: 3)
API_QUERIES = 14


def brief_with(index, terms, evidence, citations, slug):
    cited = evidence[:citations]
    body = [paragraph("".join(f"<p>{cite(f'claim {i}', e)}.</p>" for i, e in enumerate(cited)))]
    body += [evidence_quote(e) for e in cited[:3]]
    findings = [item({"text": f"Finding {i}.", "evidence": e.pk}) for i, e in enumerate(cited[:3])]
    body.append(block("key_findings", {"title": "Key findings", "items": findings}))
    return make_brief(
        index, slug, body, slug=slug, countries=[terms["kz"]], topics=[terms["trade"]]
    )


def queries_after_publish(client, brief, url, **headers):
    client.get(url, **headers)  # per-process caches (content types) and a cached response
    page = BriefPage.objects.get(pk=brief.pk)
    page.title = "Republished"
    page.save_revision().publish()
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, **headers)
    assert response.status_code == 200
    assert b"Republished" in response.content
    return len(queries)


@pytest.fixture
def evidence(db):
    source = make_source(pages=[f"Statement number {n} is true." for n in range(100)])
    return [make_evidence(source, f"Statement number {n} is true") for n in range(100)]


def test_brief_page_after_a_publish(client, brief_index, terms, evidence):
    counts = [
        queries_after_publish(client, brief, brief.url)
        for brief in (
            brief_with(brief_index, terms, evidence, 10, "ten"),
            brief_with(brief_index, terms, evidence, 100, "hundred"),
        )
    ]
    assert counts[0] == counts[1] <= PAGE_QUERIES, counts


def test_api_detail_after_a_publish(client, brief_index, terms, evidence):
    counts = [
        queries_after_publish(
            client, brief, f"/api/v1/briefs/{brief.slug}/", HTTP_ACCEPT="application/json"
        )
        for brief in (
            brief_with(brief_index, terms, evidence, 10, "ten"),
            brief_with(brief_index, terms, evidence, 100, "hundred"),
        )
    ]
    assert counts[0] == counts[1] <= API_QUERIES, counts
