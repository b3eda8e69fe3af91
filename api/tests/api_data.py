"""Content for the API tests and bench/api.py: sources, accepted evidence and briefs in every
state (published, draft, unpublished, private, published with a newer draft)."""

import datetime
import uuid

from django.utils.text import slugify
from wagtail.models import PageViewRestriction

from briefs.models import BriefAuthor, BriefIndexPage, BriefPage
from evidence import testing
from evidence.models import Evidence
from sources.models import Source
from taxonomy.models import Country, Topic


def make_source(title, sentences, **fields):
    """A ready source whose text is ``sentences``, one page per ten sentences."""
    pages = [
        "".join(sentence + " " for sentence in sentences[start : start + 10])
        for start in range(0, len(sentences), 10)
    ]
    fields.setdefault("publisher", "Test Institute")
    fields.setdefault("publication_date", datetime.date(2019, 2, 1))
    return testing.make_source(
        title,
        pages,
        authors=["Davarinou, Polyxeni"],
        file=f"sources/test/{slugify(title)}.txt",
        date_precision=Source.DatePrecision.MONTH,
        **fields,
    )


def quote(source, sentence, *, claim="", kind=Evidence.Kind.FINDING, figures=()):
    """Accepted, exactly anchored evidence quoting ``sentence`` of ``source``."""
    return testing.make_evidence(
        source, sentence, claim=claim or f"Claim about {sentence[:40]}", kind=kind, figures=figures
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
    """A brief in ``state``: published, draft, unpublished or private."""
    index = BriefIndexPage.objects.first()
    page = BriefPage(
        slug=slug,
        title=title or slug.replace("-", " ").capitalize(),
        standfirst=standfirst,
        kind=kind,
        publication_date=date,
        live=False,
    )
    page.body = body
    index.add_child(instance=page)
    page.countries.set(countries)
    page.topics.set(topics)
    page.authors.set([BriefAuthor(name="Ilia Cocali", affiliation="Briefdesk")])
    revision = page.save_revision()
    if state in ("published", "unpublished", "private"):
        revision.publish()
        page.refresh_from_db()
    if state == "unpublished":
        page.unpublish()
    if state == "private":
        PageViewRestriction.objects.create(
            page=page, restriction_type=PageViewRestriction.PASSWORD, password="secret"
        )
    page.refresh_from_db()
    return page


def new_draft(page, *, title, body):
    """Save a newer draft of a published brief without publishing it."""
    page = BriefPage.objects.get(pk=page.pk)
    page.title = title
    page.body = body
    page.save_revision()
    return page


def taxonomy():
    kz = Country.objects.get_or_create(iso_code="KZ", defaults={"name": "Kazakhstan"})[0]
    cn = Country.objects.get_or_create(iso_code="CN", defaults={"name": "China"})[0]
    uz = Country.objects.get_or_create(iso_code="UZ", defaults={"name": "Uzbekistan"})[0]
    trade = Topic.objects.get_or_create(slug="trade", defaults={"name": "Trade"})[0]
    soft = Topic.objects.get_or_create(slug="soft-power", defaults={"name": "Soft power"})[0]
    return {"kz": kz, "cn": cn, "uz": uz, "trade": trade, "soft": soft}


SENTENCES = [f"Sentence number {n} says that exports grew by {n} percent." for n in range(1, 31)]
