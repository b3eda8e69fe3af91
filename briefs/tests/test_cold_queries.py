"""SQL queries of a brief page and its API detail right after a publish (the rendered body, the
whole-response cache and the fragments are then cold): a fixed number, whatever the number of
citations (issue 16: at most 10 for the page)."""

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from briefs.models import BriefPage

from .conftest import (
    block,
    cite,
    evidence_quote,
    item,
    key_figure,
    make_brief,
    make_evidence,
    make_source,
    paragraph,
)

pytestmark = pytest.mark.django_db

# Site, then the brief with whether it is private (routing: 2; briefs/routing.py); its
# authors, countries, topics (3); the key of the cached body (1); the PDF (1); the cited
# evidence with sources (1) and the sources' authors (1); the versions, saying whether it was
# withdrawn (1).
PAGE_QUERIES = 10  # was 15 (and 21 before that)
# The brief (with the restrictions query of Wagtail's public(): 2); authors, countries,
# topics (3); the PDF, its times and status (1); the evidence, whose times are Last-Modified
# too (1); the versions (1) and their PDFs (1); the sources' authors (1).
API_QUERIES = 10  # was 14


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


def test_figures_are_read_only_for_the_blocks_that_show_them(client, brief_index, terms):
    source = make_source(pages=["Exports reached 12 billion dollars in 2020."])
    figure = make_evidence(
        source, "Exports reached 12 billion dollars", figures=[("12000000000", "USD", 2020, "")]
    )
    text = brief_with(brief_index, terms, [figure], 1, "text-only")
    shown = make_brief(
        brief_index,
        "shown",
        [paragraph(f"<p>{cite('claim', figure)}.</p>"), key_figure(figure)],
        slug="shown",
    )
    for brief, reads_figures in ((text, False), (shown, True)):
        client.get(brief.url)
        cache.clear()
        with CaptureQueriesContext(connection) as queries:
            response = client.get(brief.url)
        assert response.status_code == 200
        tables = [query["sql"] for query in queries.captured_queries]
        assert any("evidence_evidencefigure" in sql for sql in tables) is reads_figures
    assert "$12 billion" in response.content.decode()
