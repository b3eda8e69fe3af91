"""SQL queries of a brief page and its API detail right after a publish (the rendered body, the
whole-response cache and the fragments are then cold): a fixed number, whatever the number of
citations (issue 16: at most 10 for the page)."""

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from briefs.models import BriefPage
from evidence.models import Evidence

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

# The brief with whether it is private (routing: 1; the Site is remembered, briefs/routing.py); its
# authors, countries, topics (3); the stamp of the cited evidence, key of the cached body (1);
# the PDF (1); the versions, saying whether it was withdrawn (1). The cited evidence with its
# sources and their authors comes from the cache (briefs.cited_evidence): the brief's previous
# version loaded it, and it has not changed since; loading it is 2 more (see the last tests).
PAGE_QUERIES = 10  # 7 (was 8, 10, 15 and 21 before that)
# The brief, with whether it is private (1; briefs.services.published_brief_lookup); authors,
# countries, topics (3); the PDF, its times and status (1); the stamp of the cited evidence,
# part of Last-Modified (1); the versions (1) and their PDFs (1). The evidence rows as for the
# page.
API_QUERIES = 10  # 8 (was 10, and 14 before that)
EVIDENCE_ROWS = 2  # the cited evidence with its sources, and their authors


def brief_with(index, terms, evidence, citations, slug):
    cited = evidence[:citations]
    body = [paragraph("".join(f"<p>{cite(f'claim {i}', e)}.</p>" for i, e in enumerate(cited)))]
    body += [evidence_quote(e) for e in cited[:3]]
    findings = [item({"text": f"Finding {i}.", "evidence": e.pk}) for i, e in enumerate(cited[:3])]
    body.append(block("key_findings", {"title": "Key findings", "items": findings}))
    return make_brief(
        index, slug, body, slug=slug, countries=[terms["kz"]], topics=[terms["trade"]]
    )


def queries_after_publish(client, brief, url, clear_cache=False, **headers):
    """The queries of ``url`` right after a new version of ``brief`` is published, once it has
    been requested before (per-process caches, a cached response); ``clear_cache``: with
    nothing left in the cache, as for a brief's first reader."""
    client.get(url, **headers)
    page = BriefPage.objects.get(pk=brief.pk)
    page.title = "Republished"
    page.save_revision().publish()
    if clear_cache:
        cache.clear()
        client.get("/")  # the site's root paths, which the cache keeps between requests
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, **headers)
    assert response.status_code == 200
    assert b"Republished" in response.content
    return [query["sql"] for query in queries.captured_queries]


@pytest.fixture
def evidence(db):
    source = make_source(pages=[f"Statement number {n} is true." for n in range(100)])
    return [make_evidence(source, f"Statement number {n} is true") for n in range(100)]


def test_brief_page_after_a_publish(client, brief_index, terms, evidence):
    counts = [
        len(queries_after_publish(client, brief, brief.url))
        for brief in (
            brief_with(brief_index, terms, evidence, 10, "ten"),
            brief_with(brief_index, terms, evidence, 100, "hundred"),
        )
    ]
    assert counts[0] == counts[1] <= PAGE_QUERIES, counts


def test_api_detail_after_a_publish(client, brief_index, terms, evidence):
    counts = [
        len(
            queries_after_publish(
                client, brief, f"/api/v1/briefs/{brief.slug}/", HTTP_ACCEPT="application/json"
            )
        )
        for brief in (
            brief_with(brief_index, terms, evidence, 10, "ten"),
            brief_with(brief_index, terms, evidence, 100, "hundred"),
        )
    ]
    assert counts[0] == counts[1] <= API_QUERIES, counts


def evidence_queries(queries):
    return [sql for sql in queries if 'FROM "evidence_evidence"' in sql]


@pytest.mark.parametrize("api", [False, True], ids=["page", "api"])
def test_unchanged_evidence_is_not_loaded_again_after_a_publish(
    client, brief_index, terms, evidence, api
):
    brief = brief_with(brief_index, terms, evidence, 100, "hundred")
    url, headers = brief.url, {}
    if api:
        url, headers = f"/api/v1/briefs/{brief.slug}/", {"HTTP_ACCEPT": "application/json"}
    again = queries_after_publish(client, brief, url, **headers)
    first = queries_after_publish(client, brief, url, clear_cache=True, **headers)
    # The stamp alone, then the stamp and the rows.
    assert [len(evidence_queries(again)), len(evidence_queries(first))] == [1, 2]
    assert len(first) == len(again) + EVIDENCE_ROWS <= PAGE_QUERIES, (first, again)


def test_an_edit_of_cited_evidence_is_read_after_a_publish(client, brief_index, terms, evidence):
    brief = brief_with(brief_index, terms, evidence, 10, "ten")
    url = f"/api/v1/briefs/{brief.slug}/"
    client.get(url, HTTP_ACCEPT="application/json")  # the evidence rows, cached
    edited = evidence[1]
    edited.claim = "A claim edited after the rows were cached"
    edited.save()
    queries_after_publish(client, brief, brief.url)
    notes = client.get(url, HTTP_ACCEPT="application/json").json()["notes"]
    assert notes[1]["claim"] == "A claim edited after the rows were cached"


def test_a_verification_is_read_though_the_rows_were_cached(client, brief_index, terms, evidence):
    """verify_evidence dates the evidence it checks without saving it (no new updated_at)."""
    brief = brief_with(brief_index, terms, evidence, 10, "ten")
    url = f"/api/v1/briefs/{brief.slug}/annotations/?format=json"
    assert "verified" not in client.get(url).json()["first"]["items"][0]
    verified = timezone.now()
    Evidence.objects.filter(pk=evidence[0].pk).update(verified_at=verified)
    assert client.get(url).json()["first"]["items"][0]["verified"] == verified.isoformat()


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
