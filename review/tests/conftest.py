"""Fixtures of the review tests: a ready source, evidence anchored in it, briefs citing it, the
demo accounts, and the edit form data the Wagtail admin posts."""

import uuid

import pytest
from django.contrib.auth import get_user_model
from wagtail.test.utils.form_data import inline_formset, nested_form_data, rich_text, streamfield

from briefs.blocks import RICH_TEXT_FEATURES
from briefs.models import BriefPage
from briefs.tests.factories import BriefPageFactory
from evidence.services import reanchor_source_evidence
from evidence.tests.factories import EvidenceFactory
from sources.tests.factories import SourceFactory, SourceTextFactory
from taxonomy.tests.factories import CountryFactory, TopicFactory

PAGES = [
    "Chinese investment in Kazakhstan reached 19.2 billion dollars by 2017. "
    "Most of it went into oil, gas and transport. ",
    "Surveys show that 58 percent of respondents view the Khorgos hub favourably. "
    "Attitudes in rural districts are more cautious. ",
]
QUOTE_1 = "Chinese investment in Kazakhstan reached 19.2 billion dollars by 2017."
QUOTE_2 = "58 percent of respondents view the Khorgos hub favourably."


def text_version(source, pages, version):
    return SourceTextFactory(source=source, pages=pages, version=version)


def make_source(title="Kazakhstan survey", pages=PAGES):
    return SourceFactory(title=title, pages=pages)


def make_evidence(source, quote):
    return EvidenceFactory(source=source, quote=quote, claim="What the quote shows.")


def replace_source_text(source, pages):
    """A new text version of the source (as after a file replacement), then re-anchoring as
    the ingestion task does: quotes that are gone become orphaned."""
    version = source.texts.count() + 1 if hasattr(source, "texts") else 2
    new_text = text_version(source, pages, version)
    source.current_text = new_text
    source.save(update_fields=["current_text"])
    return reanchor_source_evidence(source, new_text)


def body_data(evidence_1, evidence_2, words="Investment grew fast"):
    return [
        {"type": "section", "value": {"heading": "Investment", "anchor": "investment"}},
        {
            "type": "paragraph",
            "value": f'<p><a linktype="evidence" id="{evidence_1.pk}">{words}</a> since 2005.</p>',
        },
        {
            "type": "evidence_quote",
            "value": {"evidence": evidence_2.pk, "commentary": "<p>Opinion is mixed.</p>"},
        },
    ]


def make_brief(owner, evidence_1, evidence_2, *, title="Kazakhstan and China", slug=None):
    page = BriefPageFactory(
        title=title,
        slug=slug or f"brief-{uuid.uuid4().hex[:8]}",
        standfirst="What Kazakhs think of Chinese investment, in figures.",
        kind=BriefPage.Kind.COUNTRY,
        owner=owner,
        body=body_data(evidence_1, evidence_2),
        authors=["Ada Analyst"],
    )
    page.save_revision(user=owner, log_action=True)
    return BriefPage.objects.get(pk=page.pk)


def edit_form_data(page, *, body=None, action=None, go_live_at="", **fields):
    """What the admin's edit form posts for ``page`` (its latest revision), with changes."""
    page = type(page).objects.get(pk=page.pk).get_latest_revision_as_object()
    raw = body if body is not None else list(page.body.raw_data)
    items = []
    for child in raw:
        kind, value = child["type"], child["value"]
        if kind == "paragraph":
            value = rich_text(value, features=RICH_TEXT_FEATURES)
        elif kind == "evidence_quote":
            value = {
                "evidence": value["evidence"],
                "commentary": rich_text(
                    value.get("commentary") or "", features=["bold", "italic", "link"]
                ),
            }
        items.append((kind, value))
    data = {
        "title": page.title,
        "slug": page.slug,
        "seo_title": "",
        "search_description": "",
        "standfirst": page.standfirst,
        "kind": page.kind,
        "countries": [c.pk for c in page.countries.all()],
        "topics": [t.pk for t in page.topics.all()],
        "publication_date": "",
        "cover_image": "",
        "cover_image_alt": "",
        "go_live_at": go_live_at,
        "expire_at": "",
        "authors": inline_formset([{"name": "Ada Analyst", "affiliation": ""}]),
        "body": streamfield(items),
        "comments": inline_formset([]),
    }
    data.update(fields)
    data = nested_form_data(data)
    if action:
        data[action] = "1"
    return {k: v for k, v in data.items() if v != [] or k in ("countries", "topics")}


@pytest.fixture
def accounts(demo_accounts):
    User = get_user_model()
    return {
        name: User.objects.get(username=name) for name in ("analyst", "reviewer", "editor", "admin")
    }


@pytest.fixture
def source(db):
    return make_source()


@pytest.fixture
def evidence(source):
    return make_evidence(source, QUOTE_1), make_evidence(source, QUOTE_2)


@pytest.fixture
def taxonomy(db):
    country = CountryFactory(iso_code="KZ", name="Kazakhstan")
    topic = TopicFactory(name="Foreign investment")
    return country, topic
