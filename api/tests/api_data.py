"""Content for the API tests and bench/api.py: sources, accepted evidence and briefs in every
state (published, draft, unpublished, private, published with a newer draft)."""

import datetime
import uuid

from django.utils.text import slugify
from wagtail.models import PageViewRestriction

from briefs.models import BriefIndexPage, BriefPage, RevisionNotice
from briefs.tests.factories import BriefPageFactory
from evidence.models import Evidence
from evidence.tests.factories import EvidenceFactory
from review.withdrawal import withdraw
from sources.models import Source
from sources.tests.factories import SourceFactory
from taxonomy.tests.factories import CountryFactory, TopicFactory


def make_source(title, sentences, **fields):
    """A ready source whose text is ``sentences``, one page per ten sentences."""
    pages = [
        "".join(sentence + " " for sentence in sentences[start : start + 10])
        for start in range(0, len(sentences), 10)
    ]
    fields.setdefault("publisher", "Test Institute")
    fields.setdefault("publication_date", datetime.date(2019, 2, 1))
    return SourceFactory(
        title=title,
        pages=pages,
        authors=["Davarinou, Polyxeni"],
        file=f"sources/test/{slugify(title)}.txt",
        date_precision=Source.DatePrecision.MONTH,
        **fields,
    )


def quote(source, sentence, *, claim="", kind=Evidence.Kind.FINDING, figures=()):
    """Accepted, exactly anchored evidence quoting ``sentence`` of ``source``."""
    return EvidenceFactory(
        source=source,
        quote=sentence,
        claim=claim or f"Claim about {sentence[:40]}",
        kind=kind,
        figures=figures,
    )


def _item(value):
    return {"type": "item", "value": value, "id": str(uuid.uuid4())}


def _block(block_type, value):
    return {"type": block_type, "value": value, "id": str(uuid.uuid4())}


def cite(evidence, words="as shown"):
    return f'<a linktype="evidence" id="{evidence.pk}">{words}</a>'


def body_citing(evidence_list, *, figure_evidence=None, extra_words=""):
    """A body with every block type, citing each piece of ``evidence_list`` in paragraphs."""
    first = evidence_list[0]
    body = [
        _block(
            "key_findings",
            {
                "title": "Key findings",
                "items": [
                    _item({"text": "The first finding.", "evidence": first.pk}),
                    _item({"text": "An unbacked finding.", "evidence": None}),
                ],
            },
        ),
        _block("section", {"heading": "The evidence", "anchor": "the-evidence"}),
        _block(
            "paragraph",
            "<p>"
            + " ".join(f"Point {n} {cite(e)}." for n, e in enumerate(evidence_list, 1))
            + f' See <a href="https://example.org/x">this</a>. {extra_words}</p>',
        ),
        _block("evidence_quote", {"evidence": first.pk, "commentary": "<p>Telling.</p>"}),
    ]
    if figure_evidence is not None:
        body += [
            _block("key_figure", {"evidence": figure_evidence.pk, "figure": 1, "caption": ""}),
            _block(
                "chart",
                {
                    "title": "Trade",
                    "chart_type": "bar",
                    "evidence": [_item(figure_evidence.pk)],
                    "caption": "Trade by year.",
                },
            ),
        ]
    body += [
        _block(
            "table",
            {
                "data": [["Year", "Value"], ["2017", "12"], ["2018", None]],
                "first_row_is_table_header": True,
                "first_col_is_header": False,
                "table_header_choice": "row",
                "table_caption": "Values",
            },
        ),
        _block(
            "callout",
            {
                "title": "Context",
                "body": f"<p>Aside {cite(first, 'noted')}.</p>",
                "tone": "context",
            },
        ),
        _block(
            "recommendations",
            {
                "title": "Recommendations",
                "groups": [
                    _item(
                        {
                            "addressee": "For the government",
                            "items": [_item({"text": "Publish the loans.", "evidence": first.pk})],
                        }
                    )
                ],
            },
        ),
    ]
    return body


def make_brief(
    slug,
    body,
    *,
    title=None,
    state="published",
    kind=BriefPage.Kind.COUNTRY,
    countries=(),
    topics=(),
    date=datetime.date(2026, 3, 1),
    standfirst="What the brief finds.",
):
    """A brief in ``state``: published, draft, unpublished, withdrawn or private."""
    page = BriefPageFactory(
        parent=BriefIndexPage.objects.first(),
        slug=slug,
        title=title or slug.replace("-", " ").capitalize(),
        standfirst=standfirst,
        kind=kind,
        publication_date=date,
        body=body,
        countries=countries,
        topics=topics,
        authors=[("Ilia Cocali", "Briefdesk")],
    )
    revision = page.save_revision()
    if state in ("published", "unpublished", "withdrawn", "private"):
        revision.publish()
        page.refresh_from_db()
    if state == "unpublished":
        page.unpublish()
    if state == "withdrawn":
        withdraw(page, None, "The brief relied on a retracted survey.")
    if state == "private":
        PageViewRestriction.objects.create(
            page=page, restriction_type=PageViewRestriction.PASSWORD, password="secret"
        )
    page.refresh_from_db()
    return page


def publish_update(page, notice_type, text):
    """Publish the brief's content again as a new version with an update notice."""
    page = BriefPage.objects.get(pk=page.pk)
    revision = page.save_revision()
    RevisionNotice.objects.create(revision=revision, notice_type=notice_type, text=text)
    revision.publish()
    return BriefPage.objects.get(pk=page.pk)


def new_draft(page, *, title, body):
    """Save a newer draft of a published brief without publishing it."""
    page = BriefPage.objects.get(pk=page.pk)
    page.title = title
    page.body = body
    page.save_revision()
    return page


def taxonomy():
    kz = CountryFactory(iso_code="KZ", name="Kazakhstan")
    cn = CountryFactory(iso_code="CN", name="China")
    uz = CountryFactory(iso_code="UZ", name="Uzbekistan")
    trade = TopicFactory(slug="trade", name="Trade")
    soft = TopicFactory(slug="soft-power", name="Soft power")
    return {"kz": kz, "cn": cn, "uz": uz, "trade": trade, "soft": soft}


SENTENCES = [f"Sentence number {n} says that exports grew by {n} percent." for n in range(1, 31)]
