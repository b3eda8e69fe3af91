"""Evidence receipts: the public evidence page (only for evidence a live brief cites), its Web
Annotation, the brief's AnnotationCollection, text-fragment links and chart data as CSV."""

import csv
import io
import json

import pytest
from bs4 import BeautifulSoup

from briefs import annotations
from evidence.models import Evidence

from .annotation_checks import check_annotation, check_collection
from .conftest import cite, make_brief, make_evidence, make_source, paragraph
from .test_site import full_brief

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("clear_cache")]


@pytest.fixture
def brief(brief_index, corpus, terms):
    return full_brief(brief_index, corpus, terms)


def soup_of(response):
    return BeautifulSoup(response.content.decode(), "html.parser")


class TestEvidencePage:
    def test_shows_the_quote_in_context_with_its_receipt(self, client, brief, corpus):
        evidence = corpus["projects"]
        evidence.verified_at = evidence.created_at
        evidence.save(update_fields=["verified_at"])
        response = client.get(f"/evidence/{evidence.pk}/")
        assert response.status_code == 200
        soup = soup_of(response)
        assert soup.find("mark", class_="receipt__quote").text == evidence.quote
        assert soup.find(class_="receipt__prefix").text == (
            "Kazakhstan and China have traded since independence. "
        )
        assert soup.find(class_="receipt__suffix").text.startswith(" in total.")
        details = soup.find(class_="receipt__details").text
        assert "Polyxeni Davarinou, Aigerim Nurlanova" in details
        assert "China's Image in Kazakhstan" in details
        assert "Kazakh-Chinese industrial projects" in details  # the source's own footnote
        assert soup.find(attrs={"data-hash": "text"}).text == evidence.text_sha256
        assert soup.find(attrs={"data-hash": "file"}).text == evidence.source_text.file_sha256
        assert soup.find("time")["datetime"].startswith(str(evidence.created_at.year))
        briefs = soup.find(class_="receipt__briefs").find_all("a")
        assert [(a.text, a["href"]) for a in briefs] == [(brief.title, brief.url)]
        alternate = soup.find("link", rel="alternate", type="application/ld+json")
        assert alternate["href"] == f"http://testserver/evidence/{evidence.pk}/annotation.jsonld"

    def test_endnotes_link_to_their_evidence(self, client, brief):
        soup = soup_of(client.get(brief.url))
        for note in brief.notes.notes:
            item = soup.find(id=f"note-{note.number}")
            link = item.find("a", class_="endnote__evidence")
            assert link["href"] == f"/evidence/{note.evidence.pk}/"

    def test_uncited_and_draft_only_evidence_is_404(self, client, brief_index, brief, corpus):
        source = make_source("Unpublished thoughts", pages=["Nobody cites this sentence yet."])
        uncited = make_evidence(source, "Nobody cites this sentence yet")
        assert client.get(f"/evidence/{uncited.pk}/").status_code == 404
        make_brief(brief_index, "Draft only", [paragraph(cite("words", uncited))], publish=False)
        for path in (f"/evidence/{uncited.pk}/", f"/evidence/{uncited.pk}/annotation.jsonld"):
            assert client.get(path).status_code == 404
        assert client.get("/evidence/999999999/").status_code == 404
        assert client.get("/evidence/99999999999999999999999/").status_code == 404

    def test_says_when_the_current_wording_differs_from_the_brief(self, client, brief, corpus):
        evidence = corpus["public"]
        signed_off = evidence.quote
        # The source's wording changes after publication (as a re-anchoring would record it).
        Evidence.objects.filter(pk=evidence.pk).update(quote="the public remains sceptical")
        soup = soup_of(client.get(f"/evidence/{evidence.pk}/"))
        assert soup.find(class_="receipt__differs") is not None
        assert soup.find("mark").text == "the public remains sceptical"
        assert signed_off in soup.find(class_="receipt__shown").text
        # The unchanged one says nothing.
        other = soup_of(client.get(f"/evidence/{corpus['projects'].pk}/"))
        assert other.find(class_="receipt__differs") is None


class TestAnnotations:
    def test_evidence_annotation_is_a_valid_web_annotation(self, client, brief, corpus):
        evidence = corpus["projects"]
        response = client.get(f"/evidence/{evidence.pk}/annotation.jsonld")
        assert response.status_code == 200
        assert response["Content-Type"].startswith("application/ld+json")
        annotation = check_annotation(json.loads(response.content))
        assert annotation["id"] == f"http://testserver/evidence/{evidence.pk}/annotation.jsonld"
        assert annotation["motivation"] == "quoting"
        target = annotation["target"]
        assert target["source"] == "https://example.org/chinas-image"
        quote, position = target["selector"]
        assert quote == {
            "type": "TextQuoteSelector",
            "exact": evidence.quote,
            "prefix": evidence.prefix,
            "suffix": evidence.suffix,
        }
        assert position == {
            "type": "TextPositionSelector",
            "start": evidence.start,
            "end": evidence.end,
        }
        assert target["page"] == evidence.page and target["textSha256"] == evidence.text_sha256

    def test_a_source_without_url_is_named_by_its_file_hash(self, client, brief, corpus):
        annotation = json.loads(
            client.get(f"/evidence/{corpus['rcep'].pk}/annotation.jsonld").content
        )
        assert annotation["target"]["source"].startswith("ni:///sha-256;")
        check_annotation(annotation)

    def test_brief_collection_holds_every_citation(self, client, brief):
        response = client.get(f"/briefs/{brief.slug}/annotations.jsonld")
        collection = check_collection(json.loads(response.content))
        ids = [item["id"].split("/")[-2] for item in collection["first"]["items"]]
        assert ids == [str(note.evidence.pk) for note in brief.notes.notes]

    def test_text_fragment_syntax(self):
        fragment = annotations.text_fragment(
            "Chinese investment - a 27-billion, dollar affair & more, in all of 2018 and 2019",
            prefix="the words before the quote ",
            suffix=" after it, more text and so on",
        )
        prefix, rest = fragment.removeprefix(":~:text=").split("-,", 1)
        assert prefix == "words%20before%20the%20quote"
        assert rest.split(",") == [
            "Chinese%20investment%20%2D%20a",
            "of%202018%20and%202019",
            "-after%20it%2C%20more%20text",
        ]

    def test_context_words_are_never_cut(self):
        text = "alpha " * 30 + "QUOTE" + " omega" * 30
        start = text.index("QUOTE")
        before, after = annotations.whole_words_around(text, start, start + 5)
        assert before.split() == ["alpha"] * len(before.split()) and before.startswith("alpha")
        assert after.endswith("omega")

    def test_html_sources_with_a_url_get_a_text_fragment_link(self, client, brief_index):
        source = make_source(
            "A web page", url="https://example.org/news", pages=["Prices rose by a third in May."]
        )
        source.media_type = "text/html"
        source.save(update_fields=["media_type"])
        evidence = make_evidence(source, "rose by a third")
        make_brief(brief_index, "Prices", [paragraph(cite("rose", evidence))])
        soup = soup_of(client.get(f"/evidence/{evidence.pk}/"))
        link = soup.find("a", string=lambda text: text and "Open the original page" in text)
        assert (
            link["href"]
            == "https://example.org/news#:~:text=Prices-,rose%20by%20a%20third,-in%20May."
        )


class TestChartData:
    def test_chart_links_its_data_as_csv(self, client, brief, corpus):
        soup = soup_of(client.get(brief.url))
        link = soup.find(class_="chart__download").find("a")
        response = client.get(link["href"])
        assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
        rows = list(csv.DictReader(io.StringIO(response.content.decode())))
        assert [(r["value"], r["unit"], r["year"]) for r in rows] == [
            ("500000000", "USD", "1999"),
            ("700000000", "USD", "2008"),
        ]
        assert rows[0]["evidence_id"] == str(corpus["fdi_1999"].pk)
        assert rows[0]["evidence_url"] == f"http://testserver/evidence/{corpus['fdi_1999'].pk}/"
        assert rows[0]["page"] == "2" and rows[0]["source"] == "China's Image in Kazakhstan"

    def test_unknown_chart_is_404(self, client, brief):
        assert client.get(f"/briefs/{brief.slug}/charts/nope.csv").status_code == 404
