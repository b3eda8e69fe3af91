"""Builders for the public-site tests: small sources, evidence and briefs made directly in the
database through the apps' factories (no ingestion, so the suite stays fast), and the site tree
the migrations create."""

import datetime
import hashlib
import itertools
import uuid

import pytest
from django.core.cache import cache
from django.utils.text import slugify
from wagtail.models import PageViewRestriction

from briefs.models import BriefPage
from briefs.tests.factories import BriefPageFactory
from evidence.tests.factories import EvidenceFactory
from sources.models import Source
from sources.tests.factories import ReferenceFactory, SourceFactory
from taxonomy.tests.factories import CountryFactory, TopicFactory

_counter = itertools.count(1)


def block(block_type, value):
    """One StreamField child in raw form (the "id" is required by Wagtail)."""
    return {"type": block_type, "value": value, "id": str(uuid.uuid4())}


def item(value):
    return {"type": "item", "value": value, "id": str(uuid.uuid4())}


def cite(words, evidence):
    """An inline citation as the rich-text editor stores it."""
    return f'<a linktype="evidence" id="{evidence.pk}">{words}</a>'


def section(heading):
    return block("section", {"heading": heading, "anchor": slugify(heading)[:80]})


def paragraph(html):
    return block("paragraph", html if html.startswith("<") else f"<p>{html}</p>")


def evidence_quote(evidence, commentary=""):
    return block("evidence_quote", {"evidence": evidence.pk, "commentary": commentary})


def key_figure(evidence, figure=1, caption=""):
    return block("key_figure", {"evidence": evidence.pk, "figure": figure, "caption": caption})


def chart(title, evidence_list, chart_type="bar", caption=""):
    return block(
        "chart",
        {
            "title": title,
            "chart_type": chart_type,
            "evidence": [item(e.pk) for e in evidence_list],
            "caption": caption,
        },
    )


def key_findings(items, title="Key findings"):
    """items: [(text, evidence or None)]"""
    return block(
        "key_findings",
        {"title": title, "items": [item({"text": t, "evidence": e and e.pk}) for t, e in items]},
    )


def recommendations(groups, title="Recommendations"):
    """groups: [(addressee, [(text, evidence or None)])]"""
    return block(
        "recommendations",
        {
            "title": title,
            "groups": [
                item(
                    {
                        "addressee": addressee,
                        "items": [item({"text": t, "evidence": e and e.pk}) for t, e in rows],
                    }
                )
                for addressee, rows in groups
            ],
        },
    )


def table(rows, header=None, caption="", first_col_is_header=False):
    return block(
        "table",
        {
            "data": [header, *rows] if header else rows,
            "first_row_is_table_header": bool(header),
            "first_col_is_header": first_col_is_header,
            "table_header_choice": "row" if header else "neither",
            "table_caption": caption,
        },
    )


def callout(title, body, tone="note"):
    return block("callout", {"title": title, "body": body, "tone": tone})


# Sources and evidence ----------------------------------------------------------------------


def make_source(
    title="Chinese capital in Central Asia",
    authors=(("Peyrouse, Sébastien", "person"),),
    publisher="Central Asia Institute",
    year=2019,
    url="",
    pages=None,
):
    """A ready source whose text is ``pages`` (a list of page texts, each ending in a blank
    line)."""
    number = next(_counter)
    return SourceFactory(
        title=title,
        publisher=publisher,
        publication_date=datetime.date(year, 1, 1) if year else None,
        date_precision="year",
        document_type=Source.DocumentType.REPORT,
        language="en",
        url=url,
        file=f"sources/test-{number}.txt",
        file_sha256=hashlib.sha256(f"file-{number}".encode()).hexdigest(),
        authors=authors,
        pages=[page + "\n\n" for page in pages or ["An empty first page."]],
    )


def make_evidence(source, quote, *, figures=(), footnote=None, **fields):
    """Accepted evidence anchored at ``quote`` in ``source``'s text (which must contain it)."""
    return EvidenceFactory(source=source, quote=quote, figures=figures, footnote=footnote, **fields)


def make_reference(source, content, number=1):
    return ReferenceFactory(text=source.current_text, number=number, content=content)


# Site tree and briefs --------------------------------------------------------------------


def make_brief(
    index,
    title,
    body,
    *,
    slug=None,
    kind=BriefPage.Kind.COUNTRY,
    standfirst="What the brief finds, in two sentences. It is a test brief.",
    countries=(),
    topics=(),
    authors=(("Aigerim Nurlanova", "Eurasia Programme"),),
    publication_date=datetime.date(2026, 3, 12),
    publish=True,
):
    page = BriefPageFactory(
        parent=index,
        title=title,
        slug=slug or slugify(title)[:50],
        standfirst=standfirst,
        kind=kind,
        publication_date=publication_date,
        body=body,
        countries=countries,
        topics=topics,
        authors=authors,
    )
    revision = page.save_revision()
    if publish:
        revision.publish()
    return BriefPage.objects.get(pk=page.pk)


def restrict(page, restriction_type=PageViewRestriction.LOGIN, groups=()):
    restriction = PageViewRestriction.objects.create(page=page, restriction_type=restriction_type)
    if groups:
        restriction.groups.set(groups)
    return restriction


# Fixtures ----------------------------------------------------------------------------------


@pytest.fixture
def clear_cache():
    """The rendered-brief cache lives in the process: start and end each test empty."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def terms(db):
    return build_terms()


def build_terms():
    kazakhstan = CountryFactory(iso_code="KZ", name="Kazakhstan", slug="kazakhstan")
    china = CountryFactory(iso_code="CN", name="China", slug="china")
    trade = TopicFactory(slug="digital-trade", name="Digital trade")
    soft = TopicFactory(slug="soft-power", name="Soft power")
    return {"kz": kazakhstan, "cn": china, "trade": trade, "soft": soft}


KAZ_PAGES = [
    "Kazakhstan and China have traded since independence. By early 2018 the two countries had "
    "51 joint projects worth more than $27 billion in total.",
    "Chinese foreign direct investment stood at about $500 million in 1999. Inflows came close "
    "to $700 million in 2008 alone.",
    "Surveys show that the general public remains sceptical of Chinese investment, while the "
    "elite welcomes it.",
]
TRADE_PAGES = [
    "China restricts digital trade at home while pressing for its liberalisation abroad.",
    "The e-commerce chapter of RCEP mirrors several provisions of the CPTPP.",
]


@pytest.fixture
def corpus(db):
    return build_corpus()


def build_corpus():
    """Two sources (one with a footnote) and five pieces of citable evidence."""
    kaz = make_source(
        "China's Image in Kazakhstan",
        authors=(("Davarinou, Polyxeni", "person"), ("Nurlanova, Aigerim", "person")),
        publisher="Eurasia Research Centre",
        year=2019,
        url="https://example.org/chinas-image",
        pages=KAZ_PAGES,
    )
    trade = make_source(
        "China's Soft Power and Digital Trade",
        authors=(("Digital Trade Observatory", "organisation"),),
        publisher="Trade Policy Forum",
        year=2022,
        pages=TRADE_PAGES,
    )
    footnote = make_reference(
        kaz, "Anon. (2018) Kazakh-Chinese industrial projects worth $27bn, *Agencia EFE*."
    )
    return {
        "kaz": kaz,
        "trade": trade,
        "projects": make_evidence(
            kaz,
            "By early 2018 the two countries had 51 joint projects worth more than $27 billion",
            figures=[("27000000000", "USD", 2018, "Joint projects")],
            footnote=footnote,
        ),
        "fdi_1999": make_evidence(
            kaz,
            "Chinese foreign direct investment stood at about $500 million in 1999",
            figures=[("500000000", "USD", 1999, "Chinese FDI")],
        ),
        "fdi_2008": make_evidence(
            kaz,
            "Inflows came close to $700 million in 2008 alone",
            figures=[("700000000", "USD", 2008, "Chinese FDI")],
        ),
        "public": make_evidence(kaz, "the general public remains sceptical of Chinese investment"),
        "rcep": make_evidence(
            trade, "The e-commerce chapter of RCEP mirrors several provisions of the CPTPP"
        ),
    }
