"""The public reading site: pages, blocks, notes, bibliography, listings, feed, sitemap, what
the public may not see, and the cache of rendered briefs."""

import json
import re

import pytest
from bs4 import BeautifulSoup
from django.contrib.auth.models import Group
from django.core.cache import cache
from django.db import connection
from django.template.loader import render_to_string
from django.test.utils import CaptureQueriesContext
from wagtail.models import PageViewRestriction

from briefs import services
from briefs.models import BriefPage
from sources.models import SourceAuthor

from .conftest import (
    callout,
    chart,
    cite,
    evidence_quote,
    key_figure,
    key_findings,
    make_brief,
    make_evidence,
    make_source,
    paragraph,
    recommendations,
    restrict,
    section,
    table,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("clear_cache")]


def soup(response):
    assert response.status_code == 200, response.status_code
    return BeautifulSoup(response.content, "lxml")


def full_brief(index, corpus, terms, **kwargs):
    """A brief that uses every block type."""
    c = corpus
    body = [
        key_findings(
            [
                ("Joint projects are worth more than $27 billion.", c["projects"]),
                ("The public is sceptical.", c["public"]),
                ("An unbacked finding.", None),
            ]
        ),
        section("A partner for the few"),
        paragraph(
            f"<p>By 2018 {cite('the two countries had 51 joint projects', c['projects'])}, "
            f"yet {cite('the public stayed wary', c['public'])} "
            '(<a href="https://example.org/report">a report</a>).</p>'
        ),
        evidence_quote(c["public"], commentary=f"<p>See also {cite('RCEP', c['rcep'])}.</p>"),
        key_figure(c["projects"], caption="Joint projects by early 2018"),
        section("Money"),
        chart("Chinese FDI in Kazakhstan", [c["fdi_1999"], c["fdi_2008"]], chart_type="line"),
        table(
            [["1999", "500"], ["2008", "700"]],
            header=["Year", "USD million"],
            caption="Chinese FDI by year",
            first_col_is_header=True,
        ),
        callout(
            "What is RCEP?",
            f"<p>A trade agreement; {cite('its e-commerce chapter', c['rcep'])}.</p>",
            tone="context",
        ),
        recommendations(
            [
                ("For the Government of Kazakhstan", [("Publish loan terms.", c["projects"])]),
                ("For the Government of China", [("Hire locally.", None), ("Fund studies.", None)]),
            ]
        ),
    ]
    return make_brief(
        index,
        kwargs.pop("title", "China in Kazakhstan"),
        body,
        countries=[terms["kz"], terms["cn"]],
        topics=[terms["soft"]],
        authors=(("Aigerim Nurlanova", "Eurasia Programme"), ("Thomas Whitfield", "")),
        **kwargs,
    )


# Blocks ------------------------------------------------------------------------------------


class TestBlocks:
    @pytest.fixture(scope="class")
    def page(self, django_db_setup, django_db_blocker):
        """The brief rendered once for the class; its data rolled back at once."""
        from django.db import transaction
        from django.test import Client

        from briefs.models import BriefIndexPage

        from .conftest import build_corpus, build_terms

        with django_db_blocker.unblock(), transaction.atomic():
            cache.clear()
            corpus = build_corpus()
            brief = full_brief(BriefIndexPage.objects.get(), corpus, build_terms())
            html = soup(Client().get(brief.url))
            transaction.set_rollback(True)
        cache.clear()
        return html, corpus

    def test_section_headings_are_anchored_and_listed_in_the_contents(self, page):
        html, _ = page
        heading = html.select_one("h2#a-partner-for-the-few.section-heading")
        assert heading.get_text() == "A partner for the few"
        toc = [a["href"] for a in html.select("nav.toc a")]
        assert toc[:3] == ["#key-findings", "#a-partner-for-the-few", "#money"]
        assert "#notes" in toc and "#bibliography" in toc

    def test_paragraph_citation_becomes_a_numbered_note_reference(self, page):
        html, _ = page
        cited = html.select_one(".block--paragraph span.cited")
        assert cited.get_text() == "the two countries had 51 joint projects"
        ref = cited.find_next_sibling("a")
        assert "note-ref" in ref["class"]
        assert ref["href"] == "#note-1" and ref["aria-describedby"] == "note-1-quote"
        assert ref.get_text() == "Note 1"  # "Note " is visually hidden
        assert "linktype" not in str(html)

    def test_evidence_quote_shows_the_exact_quote_source_and_page(self, page):
        html, corpus = page
        figure = html.select_one(".evidence-quote")
        assert figure.blockquote.get_text(strip=True) == corpus["public"].quote
        assert figure.blockquote["cite"] == "https://example.org/chinas-image"
        caption = figure.figcaption.get_text(" ", strip=True)
        assert "China's Image in Kazakhstan" in caption and "p.\xa03" in caption
        assert figure.select_one(".evidence-commentary a.note-ref")["href"] == "#note-3"

    def test_key_figure_shows_the_formatted_figure(self, page):
        html, _ = page
        figure = html.select_one(".key-figure")
        assert figure.select_one(".key-figure__value").get_text() == "$27 billion"
        # The caption already names the figure's year (2018): it is not added a second time.
        assert figure.figcaption.get_text(strip=True).startswith("Joint projects by early 2018")
        assert "(2018)" not in figure.figcaption.get_text()
        assert figure.select_one("a.note-ref")["href"] == "#note-1"

    def test_chart_is_an_accessible_svg_with_its_data_table(self, page):
        html, _ = page
        chart_el = html.select_one("figure.chart")
        svg = chart_el.select_one("svg")
        assert svg["role"] == "img"
        title, desc = svg.find("title"), svg.find("desc")
        assert title.get_text() == "Chinese FDI in Kazakhstan"
        assert svg["aria-labelledby"] == f"{title['id']} {desc['id']}"
        assert "1999: $500 million" in desc.get_text()
        gaps = "No data for 2000\N{EN DASH}2007; dashed lines join the years either side."
        assert desc.get_text().endswith(gaps)
        assert chart_el.select_one(".chart__gaps").get_text() == gaps
        assert chart_el.select_one("details table caption").get_text().endswith(gaps)
        # Two drawings, for wide and narrow columns (CSS shows one), with their own ids.
        wide, narrow = chart_el.select(".chart__plot svg")
        assert wide["class"] == ["chart-svg", "chart-svg--wide"] and "width" not in wide.attrs
        assert narrow["class"] == ["chart-svg", "chart-svg--narrow"]
        assert narrow["aria-labelledby"] == "chart-chinese-fdi-in-kazakhstan-narrow-title " + (
            "chart-chinese-fdi-in-kazakhstan-narrow-desc"
        )
        table_el = chart_el.select_one("details table")
        headers = [th.get_text() for th in table_el.select("thead th")]
        assert headers == ["Series", "1999", "2008"]
        assert [td.get_text() for td in table_el.select("tbody td")] == [
            "$500 million",
            "$700 million",
        ]
        assert [a["href"] for a in chart_el.select(".chart__sources a.note-ref")] == [
            "#note-4",
            "#note-5",
        ]

    def test_key_findings_list_with_their_notes(self, page):
        html, _ = page
        box = html.select_one("section.key-findings")
        assert box.h2.get_text() == "Key findings"
        items = box.select("li")
        assert [li.find(string=True).strip() for li in items] == [
            "Joint projects are worth more than $27 billion.",
            "The public is sceptical.",
            "An unbacked finding.",
        ]
        assert [a["href"] for a in box.select("a.note-ref")] == ["#note-1", "#note-2"]

    def test_recommendations_are_grouped_by_addressee(self, page):
        html, _ = page
        box = html.select_one("section.recommendations")
        groups = {
            h3.get_text(): [li.find(string=True).strip() for li in h3.find_next_sibling("ol")("li")]
            for h3 in box.select("h3")
        }
        assert groups == {
            "For the Government of Kazakhstan": ["Publish loan terms."],
            "For the Government of China": ["Hire locally.", "Fund studies."],
        }

    def test_table_has_caption_and_headers(self, page):
        html, _ = page
        wrap = html.select_one(".block--table .table-wrap")
        assert wrap["role"] == "region" and wrap["tabindex"] == "0"
        assert wrap.caption.get_text() == "Chinese FDI by year"
        assert [th.get_text() for th in wrap.select("thead th[scope=col]")] == [
            "Year",
            "USD million",
        ]
        assert [th.get_text() for th in wrap.select("tbody th[scope=row]")] == ["1999", "2008"]

    def test_callout_is_an_aside_with_cited_text(self, page):
        html, _ = page
        aside = html.select_one("aside.callout.callout--context")
        assert aside["aria-label"] == "What is RCEP?"
        assert aside.select_one("a.note-ref")["href"] == "#note-3"

    def test_header_lists_authors_date_terms_and_cite_as(self, page):
        html, _ = page
        assert html.h1.get_text() == "China in Kazakhstan"
        assert html.select_one(".brief-kind").get_text() == "Country brief"
        authors = [li.get_text() for li in html.select(".brief-meta .authors li")]
        assert authors == ["Aigerim Nurlanova, Eurasia Programme", "Thomas Whitfield"]
        assert html.select_one(".brief-meta time")["datetime"] == "2026-03-12"
        hrefs = {a.get_text(): a["href"] for a in html.select(".brief-meta a.term")}
        assert hrefs == {
            "China": "/countries/china/",
            "Kazakhstan": "/countries/kazakhstan/",
            "Soft power": "/topics/soft-power/",
        }
        cite_as = html.select_one("#cite-as").get_text()
        assert cite_as.startswith("Aigerim Nurlanova and Thomas Whitfield (2026). China in")
        assert cite_as.endswith("/briefs/china-in-kazakhstan/")
        button = html.select_one("button[data-copy-target=cite-as]")
        assert button.has_attr("hidden")  # shown by citations.js, which alone can copy

    def test_meta_opengraph_and_json_ld(self, page):
        html, _ = page
        assert html.title.get_text() == "China in Kazakhstan | Briefdesk"
        assert html.select_one("meta[name=description]")["content"].startswith("What the brief")
        canonical = html.select_one("link[rel=canonical]")["href"]
        assert canonical == "http://localhost/briefs/china-in-kazakhstan/"
        og = {m["property"]: m["content"] for m in html.select("meta[property]")}
        assert og["og:type"] == "article" and og["og:title"] == "China in Kazakhstan"
        assert og["og:url"] == canonical
        assert og["article:published_time"] == "2026-03-12"
        feed = html.select_one("link[rel=alternate][type='application/atom+xml']")
        assert feed["href"] == "/feed/"
        data = json.loads(html.select_one("script[type='application/ld+json']").string)
        assert data["@type"] == "Report" and data["headline"] == "China in Kazakhstan"
        assert data["datePublished"] == "2026-03-12"
        assert [a["name"] for a in data["author"]] == ["Aigerim Nurlanova", "Thomas Whitfield"]
        assert data["author"][0]["affiliation"]["name"] == "Eurasia Programme"
        assert data["publisher"] == {"@type": "Organization", "name": "Briefdesk Policy Institute"}
        titles = sorted(work["name"] for work in data["citation"])
        assert titles == ["China's Image in Kazakhstan", "China's Soft Power and Digital Trade"]
        kaz = next(w for w in data["citation"] if w["name"] == "China's Image in Kazakhstan")
        assert [a["name"] for a in kaz["author"]] == ["Polyxeni Davarinou", "Aigerim Nurlanova"]
        assert kaz["url"] == "https://example.org/chinas-image"

    def test_scripts_and_styles(self, page):
        html, _ = page
        script = html.select_one("script[src$='briefs/js/citations.js']")
        assert script.has_attr("defer")
        assert html.select_one("link[rel=stylesheet][href$='briefs/css/site.css']")
        assert html.select_one("a.skip-link")["href"] == "#main"
        assert html.select_one("main#main")


# Notes and bibliography ------------------------------------------------------------------------


class TestNotes:
    def test_numbering_follows_reading_order_and_reuses_numbers(
        self, client, brief_index, corpus, terms
    ):
        c = corpus
        body = [
            paragraph(
                f"<p>{cite('first', c['public'])} then {cite('second', c['rcep'])} "
                f"then {cite('first again', c['public'])}.</p>"
            ),
            key_findings([("A finding", c["projects"]), ("Same as second", c["rcep"])]),
            evidence_quote(c["public"]),
        ]
        brief = make_brief(brief_index, "Numbering", body)
        html = soup(client.get(brief.url))
        refs = [a["data-note"] for a in html.select(".brief-body a.note-ref")]
        assert refs == ["1", "2", "1", "3", "2", "1"]
        notes = html.select("ol.endnotes__list > li")
        assert [li["id"] for li in notes] == ["note-1", "note-2", "note-3"]
        quotes = [html.select_one(f"#note-{n}-quote").get_text() for n in (1, 2, 3)]
        assert quotes == [c["public"].quote, c["rcep"].quote, c["projects"].quote]
        # The first reference to each note carries the back-link's target; later ones do not.
        ids = [a.get("id") for a in html.select(".brief-body a.note-ref")]
        assert ids == ["note-1-ref", "note-2-ref", None, "note-3-ref", None, None]
        backs = [a["href"] for a in html.select(".endnote__back")]
        assert backs == ["#note-1-ref", "#note-2-ref", "#note-3-ref"]
        assert len(html.select("[id]")) == len({tag["id"] for tag in html.select("[id]")})

    def test_note_text_names_source_page_and_the_sources_own_footnote(
        self, client, brief_index, corpus
    ):
        brief = make_brief(
            brief_index, "Footnoted", [paragraph(f"<p>{cite('Big', corpus['projects'])}.</p>")]
        )
        html = soup(client.get(brief.url))
        note = html.select_one("#note-1")
        text = note.select_one(".endnote__source").get_text()
        assert text == (
            "Polyxeni Davarinou, Aigerim Nurlanova, China's Image in Kazakhstan, Eurasia "
            "Research Centre, 2019, p.\xa01 (citing Agencia EFE, 2018)."
        )
        assert note.select_one(".endnote__source cite").get_text() == "China's Image in Kazakhstan"

    def test_notes_of_an_edited_report_name_its_authors_then_its_editor(self, client, brief_index):
        """The notes follow the CSL roles of the bibliography: the editor, listed first in the
        source, is not its first author."""
        source = make_source(
            title="Edited report",
            authors=[("Davarinou, Polyxeni", "person")]
            + [(f"Author{n}, Ann", "person") for n in range(4)],
            pages=["The statement is here."],
        )
        SourceAuthor.objects.filter(source=source, name="Davarinou, Polyxeni").update(
            role=SourceAuthor.Role.EDITOR
        )
        evidence = make_evidence(source, "The statement is here")
        brief = make_brief(brief_index, "Edited", [paragraph(f"<p>{cite('x', evidence)}</p>")])
        html = soup(client.get(brief.url))
        text = html.select_one("#note-1 .endnote__source").get_text()
        assert text.startswith("Ann Author0 et al., Edited report, ed. Polyxeni Davarinou, "), text
        assert "(ed.) et al." not in text
        entry = html.select_one("#bibliography li").get_text()
        assert entry.startswith("Author0, A., A. Author1") and "Edited by P. Davarinou" in entry

        only_editor = make_source(
            title="Collected papers", authors=(("Davarinou, Polyxeni", "person"),)
        )
        only_editor.authors.update(role=SourceAuthor.Role.EDITOR)
        from briefs.citations import author_line, editor_line

        assert author_line(only_editor) == "Polyxeni Davarinou (ed.)"
        assert editor_line(only_editor) == ""

    def test_bibliography_has_one_entry_per_cited_source_in_the_csl_style(
        self, client, brief_index, corpus
    ):
        c = corpus
        body = [
            paragraph(
                f"<p>{cite('a', c['projects'])} {cite('b', c['public'])} "
                f"{cite('c', c['rcep'])} {cite('d', c['fdi_1999'])}</p>"
            )
        ]
        brief = make_brief(brief_index, "Bibliography", body)
        html = soup(client.get(brief.url))
        entries = html.select("#bibliography li")
        assert len(entries) == 2
        texts = [li.get_text() for li in entries]
        # The configured CSL style (Chicago author-date), sorted by author: family name first,
        # then the year, the title in italics, the publisher and the URL.
        assert texts[0].startswith("Davarinou, P., and A. Nurlanova. 2019.")
        assert "China's Image in Kazakhstan" in entries[0].select_one("i").get_text()
        assert (
            "Eurasia Research Centre" in texts[0] and "https://example.org/chinas-image" in texts[0]
        )
        assert texts[1].startswith("Digital Trade Observatory. 2022.")
        assert entries[0]["id"] == f"source-{c['kaz'].pk}"

    def test_brief_without_citations_has_no_notes_section(self, client, brief_index):
        brief = make_brief(brief_index, "Plain", [paragraph("<p>No citations here.</p>")])
        html = soup(client.get(brief.url))
        assert html.select_one("#notes") is None and html.select_one("#bibliography") is None

    def test_query_count_does_not_grow_with_citations(self, client, brief_index, terms):
        source = make_source(pages=[f"Statement number {n} is true." for n in range(40)])
        evidence = [make_evidence(source, f"Statement number {n} is true") for n in range(40)]

        def brief_with(n, slug):
            html = "".join(f"<p>{cite(f'claim {i}', e)}.</p>" for i, e in enumerate(evidence[:n]))
            quotes = [evidence_quote(e) for e in evidence[:n:4]]
            return make_brief(brief_index, slug, [paragraph(html), *quotes], slug=slug)

        counts = []
        for brief in (brief_with(4, "few"), brief_with(40, "many")):
            client.get(brief.url)  # warm the per-process caches (content types, site roots)
            cache.clear()
            with CaptureQueriesContext(connection) as queries:
                response = client.get(brief.url)
            assert response.status_code == 200
            counts.append(len(queries))
        assert counts[0] == counts[1]
        assert counts[1] <= 16


# PDF --------------------------------------------------------------------------------------------


class TestPdf:
    def test_pdf_states(self, client, brief_index, corpus, settings, tmp_path):
        from django.core.files.base import ContentFile

        from pdfs.models import BriefPDF

        brief = make_brief(brief_index, "With PDF", [paragraph("<p>Text.</p>")])
        pdf = BriefPDF.objects.get(revision_id=brief.live_revision_id, kind="public")
        for status in ("queued", "rendering", "failed"):
            BriefPDF.objects.filter(pk=pdf.pk).update(status=status)
            html = soup(client.get(brief.url))
            assert "PDF being prepared" in html.select_one(".pdf-download").get_text()
            assert html.select_one(".pdf-download a") is None
        pdf.refresh_from_db()
        pdf.file.save("with-pdf.pdf", ContentFile(b"%PDF-1.7 test"), save=False)
        pdf.status = "ready"
        pdf.sha256 = "a" * 64  # a rendered file always has its hash (BriefPDF.has_file)
        pdf.save()
        html = soup(client.get(brief.url))
        link = html.select_one(".pdf-download a[download]")
        assert link["href"] == f"/briefs/pdf/{brief.pk}/with-pdf.pdf" or link["href"].endswith(
            ".pdf"
        )
        assert "PDF being prepared" not in html.select_one(".pdf-download").get_text()


# Listings, filters and search ------------------------------------------------------------------


@pytest.fixture
def listing(brief_index, corpus, terms):
    """Three published briefs with different countries, topics, kinds and years."""
    import datetime

    make = make_brief
    return {
        "kz": make(
            brief_index,
            "Kazakhstan and China",
            [paragraph("<p>Steppe railways.</p>")],
            countries=[terms["kz"]],
            topics=[terms["soft"]],
            publication_date=datetime.date(2025, 5, 1),
        ),
        "trade": make(
            brief_index,
            "Digital trade rules",
            [paragraph("<p>Electronic commerce chapters.</p>")],
            kind=BriefPage.Kind.TOPIC,
            countries=[terms["cn"]],
            topics=[terms["trade"]],
            publication_date=datetime.date(2026, 2, 1),
        ),
        "both": make(
            brief_index,
            "Soft power in China and Kazakhstan",
            [paragraph("<p>Scholarships and film.</p>")],
            countries=[terms["cn"], terms["kz"]],
            topics=[terms["soft"]],
            publication_date=datetime.date(2026, 3, 1),
        ),
    }


def titles(html):
    return [h.get_text(strip=True) for h in html.select(".brief-card__title")]


class TestIndex:
    URL = "/briefs/"

    def test_lists_every_published_brief_newest_first(self, client, listing):
        html = soup(client.get(self.URL))
        assert titles(html) == [
            "Soft power in China and Kazakhstan",
            "Digital trade rules",
            "Kazakhstan and China",
        ]
        assert "3 briefs" in html.select_one(".results__count").get_text()

    FILTERS = [
        ({"country": "kazakhstan"}, ["Soft power in China and Kazakhstan", "Kazakhstan and China"]),
        ({"topic": "digital-trade"}, ["Digital trade rules"]),
        ({"kind": "topic"}, ["Digital trade rules"]),
        ({"year": "2025"}, ["Kazakhstan and China"]),
        ({"country": "china", "topic": "soft-power"}, ["Soft power in China and Kazakhstan"]),
        ({"country": "china", "year": "2026", "kind": "country"},
         ["Soft power in China and Kazakhstan"]),
    ]  # fmt: skip

    def test_each_filter_and_combinations(self, client, listing):
        for query, expected in self.FILTERS:
            html = soup(client.get(self.URL, query))
            assert titles(html) == expected, query
            assert html.select_one("#filter-errors") is None
            form = html.select_one("form.filters")
            for name, value in query.items():  # the form shows the filters applied
                field = form.select_one(f"[name={name}]")
                chosen = field.select_one("option[selected]") if field.name == "select" else field
                assert chosen["value"] == value, query

    def test_nothing_matches(self, client, listing):
        html = soup(client.get(self.URL, {"country": "kazakhstan", "topic": "digital-trade"}))
        assert titles(html) == []
        message = html.select_one(".results__count").get_text()
        assert "No brief matches these filters." in message
        assert html.select_one(".results__count a")["href"] == "/briefs/"

    INVALID = [
        ({"country": "atlantis"}, "Country"),
        ({"topic": "<script>alert(1)</script>"}, "Topic"),
        ({"kind": "poem"}, "Kind"),
        ({"year": "nineteen"}, "Year"),
        ({"year": "99999"}, "Year"),
    ]

    def test_invalid_filter_values_give_a_message_not_an_error(self, client, listing):
        for query, field in self.INVALID:
            response = client.get(self.URL, query)
            html = soup(response)
            errors = html.select_one("#filter-errors")
            assert errors["role"] == "alert", query
            assert errors.li.get_text().startswith(field), query
            assert len(titles(html)) == 3, query  # the invalid filter is not applied
            assert b"<script>alert(1)" not in response.content

    def test_an_invalid_filter_does_not_drop_the_valid_ones(self, client, listing):
        html = soup(client.get(self.URL, {"country": "atlantis", "topic": "digital-trade"}))
        assert titles(html) == ["Digital trade rules"]
        assert "Country" in html.select_one("#filter-errors").get_text()

    def test_pagination_keeps_the_filters_and_pages_out_of_range_are_404(
        self, client, brief_index, terms
    ):
        for n in range(12):
            make_brief(
                brief_index,
                f"Railway {n:02}",
                [paragraph("<p>railway</p>")],
                countries=[terms["kz"]],
            )
        make_brief(brief_index, "Elsewhere", [paragraph("<p>x</p>")], countries=[terms["cn"]])
        html = soup(client.get(self.URL, {"country": "kazakhstan"}))
        assert len(titles(html)) == 10
        assert html.select_one(".notice") is None
        next_link = html.select_one(".pagination a[rel=next]")["href"]
        assert "country=kazakhstan" in next_link and "page=2" in next_link
        html = soup(client.get(self.URL + next_link))
        assert len(titles(html)) == 2 and "Elsewhere" not in titles(html)
        assert html.select_one(".pagination a[aria-current=page]").get_text() == "Page 2"
        assert "country=kazakhstan" in html.select_one(".pagination a[rel=prev]")["href"]
        # Beyond the last page, below 1 or not a number: 404, never page 1 under that address.
        for page in ("3", "99", "0", "-1", "abc", "1.5"):
            response = client.get(self.URL, {"country": "kazakhstan", "page": page})
            assert response.status_code == 404, page
            assert b"Page not found" in response.content
        assert client.get(self.URL, {"country": "kazakhstan", "page": ""}).status_code == 200
        assert client.get("/countries/kazakhstan/", {"page": "2"}).status_code == 200
        assert client.get("/countries/kazakhstan/", {"page": "3"}).status_code == 404

        # Search results paginate the same way.
        html = soup(client.get("/search/", {"q": "railway"}))
        assert len(titles(html)) == 10
        next_link = html.select_one(".pagination a[rel=next]")["href"]
        assert "q=railway" in next_link
        assert len(titles(soup(client.get("/search/" + next_link)))) == 2
        assert client.get("/search/", {"q": "railway", "page": "7"}).status_code == 404
        assert client.get("/search/", {"q": "railway", "page": "abc"}).status_code == 404


class TestTaxonomyPages:
    def test_country_page(self, client, listing, corpus, terms):
        corpus["public"].countries.add(terms["kz"])
        corpus["public"].save()
        html = soup(client.get("/countries/kazakhstan/"))
        assert html.h1.get_text() == "Kazakhstan"
        assert titles(html) == ["Soft power in China and Kazakhstan", "Kazakhstan and China"]
        stats = html.select_one(".term-stats").get_text()
        assert "2 published briefs" in stats and "1 piece of accepted evidence" in stats
        assert html.title.get_text() == "Kazakhstan: country briefs | Briefdesk"
        assert html.select_one("link[rel=canonical]")["href"].endswith("/countries/kazakhstan/")

    def test_topic_page(self, client, listing):
        html = soup(client.get("/topics/digital-trade/"))
        assert html.h1.get_text() == "Digital trade"
        assert html.select_one(".eyebrow").get_text() == "Topic"
        assert titles(html) == ["Digital trade rules"]

    def test_term_without_briefs_and_unknown_term(self, client, brief_index, terms):
        html = soup(client.get("/topics/soft-power/"))
        assert "No brief on Soft power has been published yet." in html.get_text()
        response = client.get("/countries/atlantis/")
        assert response.status_code == 404
        assert b"Page not found" in response.content

    def test_home_page(self, client, listing):
        html = soup(client.get("/"))
        assert titles(html) == [
            "Soft power in China and Kazakhstan",
            "Digital trade rules",
            "Kazakhstan and China",
        ]
        countries = {a.get_text(): a["href"] for a in html.select("#countries a")}
        assert countries == {"China": "/countries/china/", "Kazakhstan": "/countries/kazakhstan/"}
        topics = {a.get_text(): a["href"] for a in html.select("#topics a")}
        assert topics == {
            "Digital trade": "/topics/digital-trade/",
            "Soft power": "/topics/soft-power/",
        }
        nav = [a.get_text() for a in html.select("nav.site-nav a")]
        assert nav == ["Briefs", "Countries", "Topics"]
        assert html.select_one("form[role=search]")["action"] == "/search/"


class TestSearch:
    def test_finds_published_briefs(self, client, listing):
        html = soup(client.get("/search/", {"q": "railways"}))
        assert titles(html) == ["Kazakhstan and China"]
        assert html.h1.get_text() == "Search results for “railways”"
        assert "1 brief matches" in html.select_one(".results__count").get_text()
        assert html.select_one("#site-search-q")["value"] == "railways"

    def test_no_match_and_empty_query(self, client, listing):
        html = soup(client.get("/search/", {"q": "zeppelin"}))
        assert titles(html) == []
        assert "No brief matches “zeppelin”" in html.select_one(".results__count").get_text()
        html = soup(client.get("/search/"))
        assert "Type a few words" in html.get_text()
        assert html.select_one("meta[name=robots]")["content"].startswith("noindex")

    @pytest.mark.skipif(connection.vendor != "postgresql", reason="the PostgreSQL search backend")
    def test_count_and_page_come_from_one_ranked_query(self, client, brief_index):
        for n in range(12):
            railways = " ".join(["railway"] * (1 + n % 3))
            make_brief(brief_index, f"Line {n:02}", [paragraph(f"<p>A {railways} line.</p>")])
        make_brief(brief_index, "Harbours", [paragraph("<p>Ports and harbours.</p>")])
        ranked = [brief.title for brief in services.search_briefs("railway")]
        for number, expected in (("1", ranked[:10]), ("2", ranked[10:])):
            with CaptureQueriesContext(connection) as queries:
                html = soup(client.get("/search/", {"q": "railway", "page": number}))
            assert titles(html) == expected, number
            count = html.select_one(".results__count").get_text()
            assert f"12 briefs match “railway”, page {number} of 2." in count, count
            searches = [q["sql"] for q in queries if "wagtailsearch_indexentry" in q["sql"]]
            assert len(searches) == 1 and "COUNT(*) OVER ()" in searches[0], searches
            # A card shows no body: the results' bodies (JSON of several KB each) are not read.
            assert '"briefs_briefpage"."body"' not in searches[0]

    def test_the_home_page_listings_are_not_queried_for_its_routes(self, client, listing):
        """Search, country and topic pages are routes of the home page: they show none of its
        listings (latest briefs, countries, topics, the brief index), so none is queried."""
        for url, query in (("/search/", {"q": "railways"}), ("/countries/kazakhstan/", {})):
            with CaptureQueriesContext(connection) as queries:
                response = client.get(url, query)
            assert response.status_code == 200
            assert not {"latest_briefs", "countries", "topics", "brief_index"} & set(
                response.context.keys()
            ), url
            assert not [q for q in queries if "briefs_briefindexpage" in q["sql"]], url
        home = soup(client.get("/"))  # which still shows them
        assert titles(home) and home.select("#countries a") and home.select("#topics a")

    def test_quotes_and_control_characters_are_not_an_error(self, client, listing):
        html = soup(client.get("/search/", {"q": '"railways'}))
        assert titles(html) == ["Kazakhstan and China"]
        for query in ('"', "rail\x00ways", '"""'):
            assert client.get("/search/", {"q": query}).status_code == 200


class TestFeedAndSitemap:
    def test_atom_feed(self, client, listing):
        response = client.get("/feed/")
        assert response.status_code == 200
        assert response["Content-Type"].startswith("application/atom+xml")
        feed = BeautifulSoup(response.content, "xml")
        entries = [e.title.get_text() for e in feed.find_all("entry")]
        assert entries[0] == "Soft power in China and Kazakhstan" and len(entries) == 3
        entry = feed.find("entry")
        assert entry.link["href"].endswith("/briefs/soft-power-in-china-and-kazakhstan/")
        assert entry.author.find("name").get_text() == "Aigerim Nurlanova"
        # <published> is the publication date the brief shows, not the moment it went live.
        assert entry.published.get_text() == "2026-03-01T00:00:00+00:00"

    def test_sitemap(self, client, listing):
        response = client.get("/sitemap.xml")
        assert response.status_code == 200
        locations = {loc.get_text() for loc in BeautifulSoup(response.content, "xml")("loc")}
        assert "http://localhost/briefs/kazakhstan-and-china/" in locations
        assert "http://localhost/countries/kazakhstan/" in locations
        assert "http://localhost/topics/digital-trade/" in locations
        assert "http://localhost/briefs/" in locations


# What the public may not see ------------------------------------------------------------------


class TestHiddenBriefs:
    @pytest.fixture
    def hidden(self, brief_index, terms, django_user_model):
        def make(title, slug, **kwargs):
            return make_brief(
                brief_index,
                title,
                [paragraph("<p>Classified zeppelin plans.</p>")],
                slug=slug,
                countries=[terms["kz"]],
                topics=[terms["trade"]],
                **kwargs,
            )

        draft = make("Draft zeppelin", "draft-zeppelin", publish=False)
        unpublished = make("Unpublished zeppelin", "unpublished-zeppelin")
        unpublished.unpublish()
        private = make("Private zeppelin", "private-zeppelin")
        restrict(private)
        group_only = make("Group zeppelin", "group-zeppelin")
        restrict(
            group_only,
            PageViewRestriction.GROUPS,
            groups=[Group.objects.get_or_create(name="Insiders")[0]],
        )
        visible = make_brief(brief_index, "Visible brief", [paragraph("<p>Open.</p>")])
        return {
            "draft": draft,
            "unpublished": unpublished,
            "private": private,
            "group": group_only,
            "visible": visible,
        }

    SURFACES = [
        "/",
        "/briefs/",
        "/briefs/?country=kazakhstan",
        "/countries/kazakhstan/",
        "/topics/digital-trade/",
        "/search/?q=zeppelin",
        "/feed/",
        "/sitemap.xml",
    ]

    def test_hidden_briefs_appear_on_no_public_surface(self, client, hidden):
        for url in self.SURFACES:
            response = client.get(url)
            assert response.status_code in (200, 404), url
            content = response.content.decode()
            for slug in ("draft-zeppelin", "unpublished-zeppelin", "private-zeppelin"):
                assert slug not in content, (url, slug)
            assert "zeppelin" not in content.replace("q=zeppelin", "").replace(
                "“zeppelin”", ""
            ).replace('value="zeppelin"', ""), url
        # Nor does a country or topic that only hidden briefs carry.
        assert "/topics/digital-trade/" not in client.get("/").content.decode()
        assert "/topics/digital-trade/" not in client.get("/sitemap.xml").content.decode()
        assert "Visible brief" in client.get("/briefs/").content.decode()

    def test_hidden_brief_urls_are_404(self, client, hidden):
        for key in ("draft", "unpublished", "private", "group"):
            response = client.get(f"/briefs/{hidden[key].slug}/")
            assert response.status_code == 404, key
            assert b"Page not found" in response.content
            assert b"zeppelin plans" not in response.content

    def test_readers_the_restriction_admits_can_read(self, client, hidden, django_user_model):
        user = django_user_model.objects.create_user("reader", password="pw-reader-2026")
        client.force_login(user)
        assert client.get("/briefs/private-zeppelin/").status_code == 200
        assert client.get("/briefs/group-zeppelin/").status_code == 404
        user.groups.add(Group.objects.get(name="Insiders"))
        assert client.get("/briefs/group-zeppelin/").status_code == 200
        # Still never listed on the public surfaces.
        assert b"private-zeppelin" not in client.get("/briefs/").content

    def test_a_restriction_on_the_index_hides_its_briefs(self, client, brief_index):
        # Routing fetches a brief with whether it or an ancestor is private, in one query.
        brief = make_brief(brief_index, "Behind the index", [paragraph("<p>Inner words.</p>")])
        assert client.get(brief.url).status_code == 200
        restrict(brief_index)
        for url in (brief.url, brief.url + "versions/1/"):
            response = client.get(url)
            assert response.status_code == 404, url
            assert b"Inner words" not in response.content

    def test_published_brief_with_a_newer_draft_shows_the_published_text(self, client, brief_index):
        brief = make_brief(brief_index, "Published title", [paragraph("<p>Published words.</p>")])
        draft = BriefPage.objects.get(pk=brief.pk)
        draft.title = "Draft title"
        draft.standfirst = "A draft standfirst that nobody may read yet."
        draft.body = [paragraph("<p>Draft words.</p>")]
        draft.save_revision()
        for url in (brief.url, "/", "/briefs/", "/feed/", "/search/?q=published"):
            content = client.get(url).content.decode()
            assert "Draft" not in content and "draft standfirst" not in content, url
        content = client.get(brief.url).content.decode()
        assert "Published words." in content and "Published title" in content


# The cache of rendered briefs ----------------------------------------------------------------


class TestCache:
    def body_text(self, client, url):
        return soup(client.get(url)).select_one(".brief-body").get_text(" ", strip=True)

    def test_cached_rendering_is_reused_and_costs_fewer_queries(self, client, brief_index, corpus):
        body = [paragraph(f"<p>{cite('Cited', corpus['projects'])} words.</p>")]
        brief = make_brief(brief_index, "Cached", body)
        client.get(brief.url)  # per-process caches (content types, site root paths)
        cache.clear()
        with CaptureQueriesContext(connection) as cold:
            first = client.get(brief.url).content
        with CaptureQueriesContext(connection) as warm:
            second = client.get(brief.url).content
        assert first == second
        assert len(warm) < len(cold)
        sql = " ".join(q["sql"] for q in warm.captured_queries)
        assert "evidence_evidencefigure" not in sql  # the notes were not built again

    def test_republishing_never_serves_the_stale_revision(self, client, brief_index, corpus):
        brief = make_brief(brief_index, "Republished", [paragraph("<p>First version.</p>")])
        assert "First version." in self.body_text(client, brief.url)
        page = BriefPage.objects.get(pk=brief.pk)
        page.body = [paragraph(f"<p>Second version {cite('cited', corpus['rcep'])}.</p>")]
        page.save_revision().publish()
        html = soup(client.get(brief.url))
        assert "Second version" in html.select_one(".brief-body").get_text()
        assert "First version." not in html.get_text()
        assert html.select_one("#note-1-quote").get_text() == corpus["rcep"].quote

    def test_a_new_draft_does_not_change_the_cached_published_text(self, client, brief_index):
        brief = make_brief(brief_index, "Stable", [paragraph("<p>Live text.</p>")])
        assert "Live text." in self.body_text(client, brief.url)
        page = BriefPage.objects.get(pk=brief.pk)
        page.body = [paragraph("<p>Draft text.</p>")]
        page.save_revision()
        assert self.body_text(client, brief.url) == "Live text."

    def test_preview_bypasses_the_cache(self, client, brief_index):
        brief = make_brief(brief_index, "Previewed", [paragraph("<p>Live text.</p>")])
        assert self.body_text(client, brief.url) == "Live text."  # fills the cache
        page = BriefPage.objects.get(pk=brief.pk)
        page.body = [paragraph("<p>Draft text.</p>")]
        draft = page.save_revision().as_object()
        content = draft.make_preview_request().content.decode()
        assert "Draft text." in content and "Live text." not in content
        assert '<meta name="robots" content="noindex, nofollow">' in content
        assert self.body_text(client, brief.url) == "Live text."

    def test_editing_cited_evidence_refreshes_the_cached_notes(self, client, brief_index, corpus):
        brief = make_brief(
            brief_index, "Evidence edit", [paragraph(f"<p>{cite('x', corpus['public'])}</p>")]
        )
        html = soup(client.get(brief.url))
        assert "p.\xa03" in html.select_one("#note-1").get_text()
        source = corpus["kaz"]
        source.title = "A renamed source"
        source.save()
        html = soup(client.get(brief.url))
        assert "A renamed source" in html.select_one("#note-1").get_text()

    def test_unpublished_and_republished_brief_is_not_served_from_cache(self, client, brief_index):
        brief = make_brief(brief_index, "Yo-yo", [paragraph("<p>Once.</p>")])
        client.get(brief.url)
        BriefPage.objects.get(pk=brief.pk).unpublish()
        assert client.get(brief.url).status_code == 404


def test_key_figure_caption_adds_the_year_only_when_missing():
    from briefs.blocks import figure_caption

    assert figure_caption("Joint projects by early 2018", 2018) == "Joint projects by early 2018"
    assert figure_caption("Chinese FDI stock", 2018) == "Chinese FDI stock (2018)"
    assert figure_caption("Projects in 20183", 2018) == "Projects in 20183 (2018)"
    assert figure_caption("Chinese FDI stock", None) == "Chinese FDI stock"


# Error pages ------------------------------------------------------------------------------------


def test_404_page(client, brief_index):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    html = BeautifulSoup(response.content, "lxml")
    assert html.h1.get_text() == "Page not found"
    assert html.select_one("meta[name=robots]")["content"] == "noindex"
    assert html.select_one("a.skip-link")


def test_500_page_renders_without_a_request_or_the_database(django_assert_num_queries):
    with django_assert_num_queries(0):
        html = render_to_string("500.html")
    assert "Something went wrong" in html and "briefs/css/site.css" in html
    assert not re.search(r"\{\{|\{%", html)


def test_block_preview_template_adds_the_site_styles(admin_client, corpus):
    from wagtail.blocks import BoundBlock  # noqa: F401  (the preview renders a bound block)

    from briefs.blocks import BriefStreamBlock

    block_def = BriefStreamBlock().child_blocks["evidence_quote"]
    value = block_def.normalize({"evidence": corpus["public"], "commentary": None})
    html = render_to_string(
        "wagtailcore/shared/block_preview.html",
        {"bound_block": block_def.bind(value), "block_def": block_def, "page_title": "Preview"},
    )
    assert "briefs/css/site.css" in html
    assert corpus["public"].quote in html
    assert '<meta name="robots" content="noindex"' in html  # Wagtail's template, extended
