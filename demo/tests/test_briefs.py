"""The demo briefs of demo/briefs.yaml, loaded as load_demo loads them: the two published briefs
are live, cite enough verbatim evidence, carry their findings, charts and key figures and
render; the others stay unpublished; loading twice changes nothing; a bad file is refused with
a message that names the brief."""

from collections import Counter

import pytest
import yaml
from django.db import transaction
from django.test import override_settings
from wagtail.models import Revision

from briefs import charts
from briefs.citations import cited_evidence_ids, walk_evidence_ids
from briefs.models import BriefPage
from briefs.services import published_briefs
from demo import briefs as demo
from demo import evidence as evidence_demo
from demo import sources as source_demo
from evidence.models import Evidence

# Every test is a database test, so that pytest-django runs them before the transactional
# tests, which empty the database (and with it what the migrations created) when they end.
pytestmark = pytest.mark.django_db

PUBLISHED = ["china-in-kazakhstan", "china-digital-trade"]
UNPUBLISHED = ["kazakhstan-connectivity-draft", "soft-power-scholarships", "cptpp-outlook"]


def quiet(message):
    pass


@pytest.fixture(scope="module")
def demo_content(django_db_setup, django_db_blocker, tmp_path_factory):
    """The demo loaded once for the module (it ingests two PDFs), in a transaction rolled back
    at the end so that no other test module sees it."""
    media = tmp_path_factory.mktemp("demo-media")
    with django_db_blocker.unblock(), override_settings(MEDIA_ROOT=media), transaction.atomic():
        source_demo.load_taxonomy()
        source_demo.load_sources(log=quiet)
        evidence_demo.load_evidence(log=quiet)
        source_demo.load_accounts(log=quiet)
        outcome = demo.load_briefs(log=quiet)
        yield outcome
        transaction.set_rollback(True)


@pytest.fixture
def briefs(demo_content, db):
    return {page.slug: page for page in BriefPage.objects.all()}


def blocks_of(page, block_type):
    return [block for block in page.body if block.block_type == block_type]


def test_every_brief_of_the_file_is_created(demo_content):
    slugs = [entry["slug"] for entry in demo.read_entries()]
    assert slugs == PUBLISHED + UNPUBLISHED
    assert set(demo_content) == set(slugs)
    assert all(what.startswith("created") for what in demo_content.values()), demo_content


def test_the_published_briefs_are_live_and_public(briefs):
    public = set(published_briefs().values_list("slug", flat=True))
    for slug in PUBLISHED:
        page = briefs[slug]
        assert page.live and slug in public, slug
        assert page.publication_date.year == 2026
        assert page.authors.exists() and (page.countries.exists() or page.topics.exists())
    assert briefs["china-in-kazakhstan"].kind == BriefPage.Kind.COUNTRY
    assert {c.iso_code for c in briefs["china-in-kazakhstan"].countries.all()} >= {"KZ", "CN"}
    assert briefs["china-digital-trade"].kind == BriefPage.Kind.TOPIC
    assert "digital-trade" in {t.slug for t in briefs["china-digital-trade"].topics.all()}


def test_the_other_briefs_are_not_live(briefs, client):
    public = set(published_briefs().values_list("slug", flat=True))
    for slug in UNPUBLISHED:
        page = briefs[slug]
        assert not page.live and slug not in public, slug
        assert page.get_latest_revision() is not None
        assert client.get(page.url).status_code == 404, slug


def test_published_briefs_are_complete(briefs):
    for slug in PUBLISHED:
        page = briefs[slug]
        assert page.body[0].block_type == "key_findings", slug
        items = page.body[0].value["items"]
        assert 4 <= len(items) <= 5, slug
        assert sum(1 for item in items if item["evidence"]) > len(items) / 2, slug
        assert len(blocks_of(page, "section")) >= 4, slug
        assert blocks_of(page, "evidence_quote"), slug
        assert blocks_of(page, "table") or blocks_of(page, "callout"), slug
        key_figures = blocks_of(page, "key_figure")
        assert key_figures, slug
        for block in key_figures:
            figures = list(block.value["evidence"].figures.all())
            assert 1 <= block.value["figure"] <= len(figures), slug
        chart_blocks = blocks_of(page, "chart")
        assert chart_blocks, slug
        for block in chart_blocks:
            chart = charts.build_chart(
                block.value["chart_type"], block.value["title"], list(block.value["evidence"])
            )
            assert chart.series, slug
    assert any(b.value["chart_type"] == "line" for b in blocks_of(briefs[PUBLISHED[0]], "chart"))
    recommendations = briefs["china-digital-trade"].recommendations
    assert [group["addressee"] for group in recommendations[0]["groups"]] == [
        "For the Government of China",
        "For the United States",
    ]


def test_cited_evidence_is_citable_and_verbatim(briefs):
    citable = set(Evidence.objects.citable().values_list("pk", flat=True))
    for slug in PUBLISHED:
        ids = cited_evidence_ids(briefs[slug].body)
        assert len(ids) >= 12, slug
        for evidence in Evidence.objects.filter(pk__in=ids).select_related("source", "source_text"):
            assert evidence.pk in citable, evidence
            assert evidence.anchor_problems() == [], evidence
            text = evidence.source.current_text
            assert text.full_text[evidence.start : evidence.end] == evidence.quote, evidence


def test_a_repeated_citation_reuses_its_note(briefs, client):
    for slug in PUBLISHED:
        page = briefs[slug]
        cited = list(walk_evidence_ids(page.body.stream_block, page.body.raw_data))
        repeated = [pk for pk, times in Counter(cited).items() if times > 1]
        assert repeated, slug
        notes = page.notes
        assert len(notes.notes) == len(set(cited)) and not notes.missing, slug
        assert [note.number for note in notes.notes] == list(range(1, len(notes.notes) + 1))
        html = client.get(page.url).content.decode()
        for pk in repeated:
            number = notes.number(pk)
            # Every citation of that evidence points at the one note.
            assert html.count(f'href="#note-{number}"') >= 2, (slug, pk)
        assert f'href="#note-{len(notes.notes) + 1}"' not in html, slug


def test_the_brief_pages_render(briefs, client):
    for slug in PUBLISHED:
        page = briefs[slug]
        response = client.get(page.url)
        assert response.status_code == 200, slug
        html = response.content.decode()
        assert page.title.replace("'", "&#x27;") in html, slug
        assert 'class="key-figure"' in html and "<svg" in html, slug
        assert "Key findings" in html, slug
        assert 'class="chart chart--unavailable"' not in html, slug
    kazakhstan = client.get(briefs["china-in-kazakhstan"].url).content.decode()
    assert 'key-figure__value">$27 billion<' in kazakhstan
    assert "Chinese foreign direct investment in Kazakhstan, 1999" in kazakhstan


def test_a_chart_data_table_aligns_series_on_their_categories(briefs):
    """The film chart has two series, each with a value in a different year: each value sits
    under its own year, the other cell is empty."""
    page = briefs["china-digital-trade"]
    (block,) = [b for b in blocks_of(page, "chart") if "film" in b.value["title"]]
    chart = charts.build_chart("bar", "t", list(block.value["evidence"]))
    assert chart.categories == ["2016", "2018"]
    table = dict(chart.table)
    assert [v is None for v in table["Revenue of China's film industry"]] == [True, False]
    assert [v is None for v in table["Wanda Group purchase of Legendary Film Studios"]] == [
        False,
        True,
    ]
    html = block.render(context={"notes": page.notes})
    row = html.split("Revenue of China&#x27;s film industry</th>")[1].split("</tr>")[0]
    assert row == "<td>—</td><td>$16 billion</td>"


def test_loading_again_changes_nothing(briefs):
    before = {
        page.pk: (page.latest_revision_id, page.live, page.last_published_at)
        for page in BriefPage.objects.all()
    }
    revisions = Revision.objects.count()
    again = demo.load_briefs(log=quiet)
    assert set(again.values()) == {"exists, left as it is"}
    after = {
        page.pk: (page.latest_revision_id, page.live, page.last_published_at)
        for page in BriefPage.objects.all()
    }
    assert after == before
    assert Revision.objects.count() == revisions


def _one_brief(tmp_path, **changes):
    entry = {
        "slug": "test-brief",
        "title": "Test brief",
        "standfirst": "A test.",
        "kind": "country",
        "countries": ["KZ"],
        "authors": [{"name": "A. Tester"}],
        "state": "draft",
        "body": [{"paragraph": "<p>[[Joint ventures|some 300 Chinese-Kazakh joint ventures]]</p>"}],
    }
    entry.update(changes)
    path = tmp_path / "briefs.yaml"
    path.write_text(yaml.safe_dump([entry], allow_unicode=True), encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        (
            {"body": [{"paragraph": "<p>[[Bananas|Kazakhstan exports bananas]]</p>"}]},
            r"test-brief.*block 1 \(paragraph\).*no accepted evidence quotes “Kazakhstan",
        ),
        (
            {"body": [{"paragraph": "<p>[[Kazakhstan|Kazakhstan]]</p>"}]},
            r"test-brief.*matches \d+ pieces of evidence; quote more",
        ),
        ({"countries": ["XX"]}, r"test-brief.*unknown country XX"),
        ({"state": "archived"}, r"test-brief.*unknown state “archived”"),
        (
            {"body": [{"key_figure": {"quote": "primarily in hydrocarbons and agriculture"}}]},
            r"test-brief.*does not validate.*carries no figures",
        ),
    ],
)
def test_a_bad_brief_is_refused_with_its_name(briefs, tmp_path, changes, message):
    count = BriefPage.objects.count()
    with pytest.raises(demo.DemoBriefError, match=message):
        demo.load_briefs(log=quiet, path=_one_brief(tmp_path, **changes))
    assert BriefPage.objects.count() == count


# Versions ------------------------------------------------------------------------------------


def test_the_kazakhstan_brief_has_two_versions_with_a_correction(briefs, client):
    from briefs.models import BriefVersion

    page = briefs["china-in-kazakhstan"]
    v1, v2 = BriefVersion.objects.filter(page=page).order_by("number")
    assert (v1.number, v1.notice_type) == (1, "")
    assert (v2.number, v2.notice_type, v2.revision_id) == (2, "correction", page.live_revision_id)
    assert "$5.78 billion" in v2.notice_text
    # The other demo briefs were published once.
    for slug in PUBLISHED[1:]:
        assert BriefVersion.objects.filter(page=briefs[slug]).count() == 1
    live = client.get(page.url).content.decode()
    assert "$5.78 billion in 2017" in live and "$159.41 billion in 2017" not in live
    old = client.get(f"{page.url}versions/1/")
    assert old.status_code == 200 and "$159.41 billion in 2017" in old.content.decode()
    assert client.get(f"{page.url}versions/2/diff/").status_code == 200


def test_the_demo_correction_summary_names_exactly_the_changed_note(briefs):
    from briefs.changes import summarize
    from briefs.models import BriefVersion

    page = briefs["china-in-kazakhstan"]
    v1, v2 = BriefVersion.objects.filter(page=page).order_by("number")
    summary = summarize(v1.revision.as_object(), v2.revision.as_object())
    old_quote = Evidence.objects.get(quote__contains="accounted for roughly 3.62%")
    new_quote = Evidence.objects.get(quote__contains="exports to China amounted for $5.78")
    number = cited_evidence_ids(v1.revision.as_object().body).index(old_quote.pk) + 1
    assert cited_evidence_ids(v2.revision.as_object().body).index(new_quote.pk) + 1 == number
    assert [(c.what, c.kind, c.number) for c in summary.changes] == [("note", "changed", number)]
    (detail,) = summary.notes[0].details
    assert "3.62%" in detail and "$5.78 billion" in detail


def test_a_replacement_must_occur_exactly_once(briefs, tmp_path):
    path = _one_brief(
        tmp_path,
        state="published",
        versions=[
            {
                "notice": {"type": "correction", "text": "Fixed."},
                "replace": [{"old": "no such words", "new": "x"}],
            }
        ],
    )
    count = BriefPage.objects.count()
    with pytest.raises(demo.DemoBriefError, match=r"test-brief.*version 2.*occurs 0 times"):
        demo.load_briefs(log=quiet, path=path)
    assert BriefPage.objects.count() == count
    bad_notice = _one_brief(tmp_path, state="published", versions=[{"notice": {"type": "x"}}])
    with pytest.raises(demo.DemoBriefError, match=r"version 2: a notice needs a type"):
        demo.load_briefs(log=quiet, path=bad_notice)
