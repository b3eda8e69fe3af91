"""The API's citation formats (content negotiation and ``?format=``) and Web Annotations."""

import json

import bibtexparser
import pytest
import rispy
from django.core.cache import cache

from briefs.tests.annotation_checks import check_annotation, check_collection
from briefs.tests.conftest import build_corpus, build_terms, make_brief, paragraph
from briefs.tests.test_site import full_brief

pytestmark = pytest.mark.django_db


@pytest.fixture
def brief(brief_index):
    cache.clear()
    corpus = build_corpus()
    page = full_brief(brief_index, corpus, build_terms())
    page.corpus = corpus
    yield page
    cache.clear()


def test_citation_by_accept_header(client, brief):
    url = f"/api/v1/briefs/{brief.slug}/citation/"
    ris = client.get(url, HTTP_ACCEPT="application/x-research-info-systems")
    assert ris.status_code == 200 and ris["Content-Type"].startswith("application/x-research")
    assert "Accept" in ris["Vary"]
    (entry,) = rispy.loads(ris.content.decode())
    assert entry["title"] == brief.title
    bib = client.get(url, HTTP_ACCEPT="application/x-bibtex")
    (entry,) = bibtexparser.loads(bib.content.decode()).entries
    assert entry["ENTRYTYPE"] == "techreport"
    csl = client.get(url, HTTP_ACCEPT="application/vnd.citationstyles.csl+json")
    assert csl["Content-Type"].startswith("application/vnd.citationstyles.csl+json")
    assert json.loads(csl.content)[0]["title"] == brief.title
    assert client.get(url).status_code == 200  # no Accept: CSL-JSON


def test_citation_by_format_parameter_and_the_bibliography(client, brief):
    ris = client.get(f"/api/v1/briefs/{brief.slug}/citation/?format=ris")
    assert ris["Content-Type"].startswith("application/x-research-info-systems")
    bib = client.get(f"/api/v1/briefs/{brief.slug}/bibliography/?format=bibtex")
    assert len(bibtexparser.loads(bib.content.decode()).entries) == 2
    csl = client.get(f"/api/v1/briefs/{brief.slug}/bibliography/?format=json")
    assert len(json.loads(csl.content)) == 2
    bad = client.get(f"/api/v1/briefs/{brief.slug}/citation/?format=docx")
    assert bad.status_code == 404 and bad["Content-Type"] == "application/json"


def test_unpublished_brief_has_no_citation(client, brief_index):
    draft = make_brief(brief_index, "Hidden", [paragraph("<p>Draft.</p>")], publish=False)
    for path in ("citation/?format=ris", "bibliography/", "annotations/"):
        response = client.get(f"/api/v1/briefs/{draft.slug}/{path}")
        assert response.status_code == 404
        assert json.loads(response.content)["error"]


def test_evidence_as_web_annotation_by_accept(client, brief):
    evidence = brief.corpus["projects"]
    url = f"/api/v1/evidence/{evidence.pk}/"
    response = client.get(url, HTTP_ACCEPT="application/ld+json")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/ld+json")
    annotation = check_annotation(json.loads(response.content))
    assert annotation["target"]["selector"][0]["exact"] == evidence.quote
    plain = json.loads(client.get(url).content)  # the plain JSON representation stays
    assert plain["id"] == evidence.pk and "cited_by" in plain


def test_brief_annotation_collection(client, brief):
    response = client.get(f"/api/v1/briefs/{brief.slug}/annotations/")
    assert response["Content-Type"].startswith("application/ld+json")
    collection = check_collection(json.loads(response.content))
    assert collection["total"] == len(brief.notes.notes)


def test_format_parameter_wins_over_accept(client, brief):
    evidence = brief.corpus["projects"]
    response = client.get(
        f"/api/v1/evidence/{evidence.pk}/?format=jsonld", HTTP_ACCEPT="application/json"
    )
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/ld+json")
    check_annotation(json.loads(response.content))
    unknown = client.get(f"/api/v1/evidence/{evidence.pk}/?format=xml")
    assert unknown.status_code == 404 and unknown["Content-Type"] == "application/json"
