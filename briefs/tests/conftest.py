"""Builders for the public-site tests: small sources, evidence and briefs made directly in the
database (no ingestion, so the suite stays fast), and the site tree the migrations create."""

import datetime
import hashlib
import itertools
import uuid

import pytest
from django.core.cache import cache
from django.utils.text import slugify
from wagtail.models import PageViewRestriction

from briefs.models import BriefAuthor, BriefPage
from evidence.models import Evidence, EvidenceFigure
from sources.models import Reference, Source, SourceAuthor, SourceText
from taxonomy.models import Country, Topic

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
    """A ready source whose text is ``pages`` (a list of page texts)."""
    number = next(_counter)
    source = Source.objects.create(
        title=title,
        publisher=publisher,
        publication_date=datetime.date(year, 1, 1) if year else None,
        date_precision="year",
        document_type=Source.DocumentType.REPORT,
        language="en",
        url=url,
        file=f"sources/test-{number}.txt",
        file_sha256=hashlib.sha256(f"file-{number}".encode()).hexdigest(),
        status=Source.Status.READY,
    )
    for order, (name, kind) in enumerate(authors):
        SourceAuthor.objects.create(source=source, name=name, kind=kind, sort_order=order)
    pages = pages or ["An empty first page."]
    full_text, starts = "", []
    for page in pages:
        starts.append(len(full_text))
        full_text += page + "\n\n"
    text = SourceText.objects.create(
        source=source,
        version=1,
        full_text=full_text,
        text_sha256=hashlib.sha256(full_text.encode()).hexdigest(),
        file_sha256=source.file_sha256,
        page_starts=starts,
    )
    source.current_text = text
    source.page_count = len(pages)
    source.save()
    return source


def make_evidence(source, quote, *, figures=(), footnote=None, **fields):
    """Accepted evidence anchored at ``quote`` in ``source``'s text (which must contain it)."""
    text = source.current_text
    start = text.full_text.index(quote)
    evidence = Evidence.objects.create(
        source=source,
        source_text=text,
        quote=quote,
        start=start,
        end=start + len(quote),
        page=text.page_for_offset(start),
        text_sha256=text.text_sha256,
        anchor_method="exact",
        footnote=footnote,
        kind=Evidence.Kind.STATISTIC if figures else Evidence.Kind.FINDING,
        **fields,
    )
    for order, (value, unit, year, label) in enumerate(figures):
        EvidenceFigure.objects.create(
            evidence=evidence, value=value, unit=unit, year=year, label=label, sort_order=order
        )
    return evidence


def make_reference(source, content, number=1):
    text = source.current_text
    return Reference.objects.create(
        text=text, number=number, label=str(number), content=content, start=0, end=1, page=1
    )


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
    page = BriefPage(
        title=title,
        slug=slug or slugify(title)[:50],
        standfirst=standfirst,
        kind=kind,
        publication_date=publication_date,
        live=False,
    )
    page.body = body
    index.add_child(instance=page)
    page.countries.set(list(countries))
    page.topics.set(list(topics))
    page.authors.set([BriefAuthor(name=name, affiliation=aff) for name, aff in authors])
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
    kazakhstan, _ = Country.objects.get_or_create(
        iso_code="KZ", defaults={"name": "Kazakhstan", "slug": "kazakhstan"}
    )
    china, _ = Country.objects.get_or_create(
        iso_code="CN", defaults={"name": "China", "slug": "china"}
    )
    trade, _ = Topic.objects.get_or_create(slug="digital-trade", defaults={"name": "Digital trade"})
    soft, _ = Topic.objects.get_or_create(slug="soft-power", defaults={"name": "Soft power"})
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
