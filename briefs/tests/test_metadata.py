"""Scholarly metadata and citation downloads: Highwire and Dublin Core meta tags on the brief
page, RIS / BibTeX / CSL-JSON of the brief and of its bibliography, parsed back with real
parsers (rispy, bibtexparser)."""

import json

import bibtexparser
import pytest
import rispy
from bs4 import BeautifulSoup

from briefs import metadata

from .conftest import make_brief, make_source, paragraph
from .test_site import full_brief

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("clear_cache")]


@pytest.fixture
def brief(brief_index, corpus, terms):
    return full_brief(brief_index, corpus, terms)


def meta(html):
    soup = BeautifulSoup(html, "html.parser")
    tags = {}
    for tag in soup.find_all("meta", attrs={"name": True}):
        tags.setdefault(tag["name"], []).append(tag["content"])
    return soup, tags


def test_brief_page_carries_highwire_and_dublin_core_tags(client, brief):
    response = client.get(brief.url)
    assert response.status_code == 200
    soup, tags = meta(response.content.decode())
    assert tags["citation_title"] == [brief.title]
    assert tags["citation_author"] == ["Nurlanova, Aigerim", "Whitfield, Thomas"]
    assert tags["citation_author_institution"] == ["Eurasia Programme"]  # only where known
    assert tags["citation_publication_date"] == ["2026/03/12"]
    assert len(tags["citation_online_date"]) == 1
    assert tags["citation_technical_report_institution"] == ["Briefdesk Policy Institute"]
    assert tags["citation_technical_report_number"] == [f"BD-{brief.pk:04d}"]
    assert tags["citation_language"] == ["en-GB"]
    assert "Kazakhstan" in tags["citation_keywords"][0]
    assert tags["citation_abstract_html_url"] == [brief.get_full_url()]
    assert tags["DC.title"] == [brief.title] and tags["DC.creator"] == [
        "Nurlanova, Aigerim",
        "Whitfield, Thomas",
    ]
    assert tags["DC.date"] == ["2026-03-12"] and tags["DC.language"] == ["en-GB"]
    assert tags["DC.identifier"] == [brief.get_full_url()]
    # No PDF yet: no citation_pdf_url pointing at nothing.
    assert "citation_pdf_url" not in tags
    # The downloads are announced and linked from "Cite this brief".
    cite = soup.find(class_="cite__downloads")
    links = {a.text: a["href"] for a in cite.find_all("a")}
    assert links == {
        "RIS": f"/briefs/{brief.slug}/cite.ris",
        "BibTeX": f"/briefs/{brief.slug}/cite.bib",
        "CSL-JSON": f"/briefs/{brief.slug}/cite.json",
    }


def test_ris_parses_and_matches_the_meta_tags(client, brief):
    response = client.get(f"/briefs/{brief.slug}/cite.ris")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/x-research-info-systems")
    (entry,) = rispy.loads(response.content.decode())
    _, tags = meta(client.get(brief.url).content.decode())
    assert entry["type_of_reference"] == "RPRT"
    assert entry["title"] == tags["citation_title"][0]
    assert entry["authors"] == tags["citation_author"]
    assert entry["year"] == "2026"
    assert entry["publisher"] == tags["citation_technical_report_institution"][0]
    assert entry["urls"] == tags["citation_abstract_html_url"]
    assert entry["issn"] == tags["citation_technical_report_number"][0]  # RIS SN
    assert "Kazakhstan" in entry["keywords"]


def test_bibtex_parses_and_matches_the_meta_tags(client, brief):
    response = client.get(f"/briefs/{brief.slug}/cite.bib")
    assert response["Content-Type"].startswith("application/x-bibtex")
    library = bibtexparser.loads(response.content.decode())
    (entry,) = library.entries
    assert entry["ENTRYTYPE"] == "techreport"
    assert entry["title"] == "{" + brief.title + "}"
    assert entry["author"] == "Nurlanova, Aigerim and Whitfield, Thomas"
    assert entry["institution"] == "Briefdesk Policy Institute"
    assert entry["year"] == "2026" and entry["number"] == f"BD-{brief.pk:04d}"
    assert entry["url"] == brief.get_full_url()


def test_csl_json_is_the_briefs_item(client, brief):
    response = client.get(f"/briefs/{brief.slug}/cite.json")
    (item,) = json.loads(response.content)
    assert item["type"] == "report" and item["title"] == brief.title
    assert item["author"] == [
        {"family": "Nurlanova", "given": "Aigerim"},
        {"family": "Whitfield", "given": "Thomas"},
    ]
    assert item["issued"] == {"date-parts": [[2026, 3, 12]]}


def test_bibtex_escapes_latex_specials_and_keeps_braces_balanced():
    item = {
        "type": "report",
        "title": "Loans {and} 100% of $ & C#_~^\\",
        "author": [{"family": "O'Brien", "given": "Ann"}],
        "issued": {"date-parts": [[2024]]},
    }
    (entry,) = bibtexparser.loads(metadata.to_bibtex([item])).entries
    assert entry["title"].startswith("{Loans \\{and\\} 100\\% of \\$ \\& C\\#\\_")
    assert entry["year"] == "2024"


def test_bibliography_downloads_and_links(client, brief, corpus):
    page = client.get(brief.url).content.decode()
    soup = BeautifulSoup(page, "html.parser")
    entry = soup.find(id=f"source-{corpus['kaz'].pk}")
    assert (
        entry.find("a", class_="bibliography__link")["href"] == "https://example.org/chinas-image"
    )
    downloads = soup.find(class_="bibliography__downloads")
    assert downloads is not None
    bib = client.get(f"/briefs/{brief.slug}/bibliography.bib")
    entries = bibtexparser.loads(bib.content.decode()).entries
    assert len(entries) == 2 and len({e["ID"] for e in entries}) == 2
    titles = {e["title"].strip("{}") for e in entries}
    assert titles == {"China's Image in Kazakhstan", "China's Soft Power and Digital Trade"}
    items = json.loads(client.get(f"/briefs/{brief.slug}/bibliography.json").content)
    assert {item["id"] for item in items} == {
        f"source-{corpus['kaz'].pk}",
        f"source-{corpus['trade'].pk}",
    }
    ris = rispy.loads(client.get(f"/briefs/{brief.slug}/bibliography.ris").content.decode())
    assert len(ris) == 2


def test_a_doi_url_is_given_as_a_doi(client, brief_index):
    source = make_source(
        "Debt and trust", url="https://doi.org/10.1234/debt.2020", pages=["Debts rose fast."]
    )
    from .conftest import cite, make_evidence

    evidence = make_evidence(source, "Debts rose fast")
    page = make_brief(brief_index, "Debt brief", [paragraph(f"<p>{cite('rose', evidence)}</p>")])
    soup = BeautifulSoup(client.get(page.url).content.decode(), "html.parser")
    link = soup.find("a", class_="bibliography__link")
    assert link["href"] == "https://doi.org/10.1234/debt.2020"
    assert link.text == "doi:10.1234/debt.2020"
    (entry,) = bibtexparser.loads(
        client.get(f"/briefs/{page.slug}/bibliography.bib").content.decode()
    ).entries
    assert entry["doi"] == "10.1234/debt.2020"


def test_downloads_of_unknown_and_unpublished_briefs_are_404(client, brief_index, corpus):
    draft = make_brief(brief_index, "A draft", [paragraph("<p>Draft.</p>")], publish=False)
    for suffix in ("cite.ris", "cite.bib", "cite.json", "bibliography.bib"):
        assert client.get(f"/briefs/{draft.slug}/{suffix}").status_code == 404
        assert client.get(f"/briefs/no-such-brief/{suffix}").status_code == 404
