"""The demo evidence of demo/evidence.yaml: verbatim quotes anchored in the two corpus papers,
with the right pages, footnotes and figures, loaded idempotently."""

from collections import defaultdict
from itertools import pairwise

import pytest
import yaml
from wagtail.models import Revision

from demo import evidence as demo
from demo import sources as source_demo
from evidence import services
from evidence.models import Evidence

pytestmark = pytest.mark.django_db

KAZAKHSTAN = "chinas-image-in-kazakhstan"
DIGITAL_TRADE = "china-soft-power-digital-trade"


def quiet(message):
    pass


@pytest.fixture
def sources():
    source_demo.load_taxonomy()
    loaded = source_demo.load_sources(log=quiet)
    return {source.title: source for source in loaded}


@pytest.fixture
def loaded(sources):
    counts = demo.load_evidence(log=quiet)
    return counts


def accepted(title):
    return Evidence.objects.filter(
        source__title=title, review_status=Evidence.ReviewStatus.ACCEPTED
    ).select_related("source_text", "footnote")


def find(title, words):
    """The one piece of demo evidence of ``title`` whose quote holds ``words``."""
    matches = [e for e in accepted(title) if words in e.display_quote]
    assert len(matches) == 1, (words, matches)
    return matches[0]


def test_the_file_is_well_formed_and_large_enough():
    entries = demo.read_entries(demo.EVIDENCE_FILE)
    per_source = defaultdict(int)
    for entry in entries:
        per_source[entry["source"]] += 1
        assert len(" ".join(entry["quote"].split())) <= 400, entry["quote"]
        assert entry["claim"].strip().endswith("."), entry["claim"]
        if entry["kind"] == "recommendation":
            assert entry["source"] == DIGITAL_TRADE
    assert per_source[KAZAKHSTAN] >= 34
    assert per_source[DIGITAL_TRADE] >= 24
    kinds = {entry["kind"] for entry in entries if entry["source"] == DIGITAL_TRADE}
    assert "recommendation" in kinds
    # Plain YAML: the loader reads it with PyYAML's safe loader.
    assert yaml.safe_load(demo.EVIDENCE_FILE.read_text(encoding="utf-8")) == entries


def test_demo_evidence_is_accepted_verbatim_and_anchored(loaded):
    assert loaded[KAZAKHSTAN] >= 34
    assert loaded[DIGITAL_TRADE] >= 24
    kazakhstan = list(accepted("China's Image in Kazakhstan"))
    digital = list(accepted("China's Soft Power and Digital Trade"))
    assert len(kazakhstan) >= 30
    assert len(digital) >= 20
    assert len(kazakhstan) == loaded[KAZAKHSTAN] and len(digital) == loaded[DIGITAL_TRADE]
    for evidence in kazakhstan + digital:
        text = evidence.source_text
        assert text.pk == evidence.source.current_text_id
        assert evidence.quote == text.full_text[evidence.start : evidence.end]
        assert evidence.anchor_method in {"exact", "normalised"}, evidence
        assert evidence.anchor_status == Evidence.AnchorStatus.EXACT
        assert evidence.origin == Evidence.Origin.ANALYST
        assert evidence.is_citable
        assert evidence.claim
        assert evidence.page == text.page_for_offset(evidence.start)
        assert evidence.anchor_problems() == []
        assert evidence.countries.exists() or evidence.topics.exists()
        assert evidence.topics.exists(), evidence
        if evidence.kind == Evidence.Kind.STATISTIC:
            assert evidence.figures.exists(), evidence
        assert evidence.revisions.count() == 1
    # No two pieces of demo evidence quote overlapping passages.
    for pieces in (kazakhstan, digital):
        spans = sorted((e.start, e.end) for e in pieces)
        assert all(a_end <= b_start for (_, a_end), (b_start, _) in pairwise(spans))


# Pages checked by hand against the page numbers printed in the PDFs' footers.
PAGES = [
    ("China's Image in Kazakhstan", "whose total worth exceeded $27 billion", 4),
    ("China's Image in Kazakhstan", "rent agricultural land for up to 25 years", 5),
    ("China's Image in Kazakhstan", "12,831 Bolashak International scholarships", 7),
    ("China's Image in Kazakhstan", "approximately 3.000 Kazakhs are detained", 10),
    ("China's Image in Kazakhstan", "attitudes to Chinese migrants dropped to 23%", 14),
    ("China's Image in Kazakhstan", "Only 74 marriages between ethnic Chinese", 15),
    ("China's Soft Power and Digital Trade", "domestic liberalization of digital trade, even", 1),
    ("China's Soft Power and Digital Trade", "The United States should continue to challenge", 2),
    ("China's Soft Power and Digital Trade", "nearly 16 billion US dollars in 2018", 7),
    ("China's Soft Power and Digital Trade", "purchased Legendary Film Studios", 9),
    ("China's Soft Power and Digital Trade", "today has 60 Confucius", 11),
]


def test_pages_match_the_pdf(loaded):
    pages = {(title, words): find(title, words).page for title, words, _ in PAGES}
    assert pages == {(title, words): page for title, words, page in PAGES}


# Footnotes of the Kazakhstan paper: number, and a word of the reference.
FOOTNOTES = [
    ("whose total worth exceeded $27 billion", 11, "Agencia EFE"),
    ("some 300 Chinese-Kazakh joint ventures", 9, "Peyrouse"),
    ("increased to $1.62 billion in 2011", 10, "O'Neill"),
    # One clause of the FDI sentence, whose marker closes the sentence: named in the file.
    ("accumulated to 500 million in 1999", 10, "O'Neill"),
    ("consume 400 million tons of petroleum", 12, "Peyrouse"),
    ("12,831 Bolashak International scholarships", 27, "Bolashak"),
    ("14,000 students from Kazakhstan studying in China", 26, "ICEF"),
    ("about 2,000 students studying at the Confucius", 35, "Ibid"),
    ("dropped to 23% (from 26% in 2007)", 62, "Laruelle"),
    ("pro-China mood of political and economic elites", 58, "Massimov"),
]


def test_kazakhstan_footnotes(loaded):
    for words, number, reference in FOOTNOTES:
        footnote = find("China's Image in Kazakhstan", words).footnote
        assert footnote is not None, words
        assert (footnote.number, reference in footnote.content) == (number, True), words
    # "Ibid." resolves to the reference it repeats.
    footnote = find("China's Image in Kazakhstan", "about 2,000 students studying").footnote
    assert footnote.repeats is not None and footnote.repeats.number == 34


def test_statistics_carry_their_figures(loaded):
    billion = find("China's Image in Kazakhstan", "$27 billion")
    figures = {(f.unit, float(f.value), f.year) for f in billion.figures.all()}
    assert ("USD", 27e9, 2018) in figures
    assert ("count", 51.0, 2018) in figures
    film = find("China's Soft Power and Digital Trade", "16 billion US dollars")
    assert [(f.unit, float(f.value), f.year) for f in film.figures.all()] == [("USD", 16e9, 2018)]


def test_a_chart_ready_series_exists(loaded):
    """At least three statistics of one source share a unit and label with distinct years."""
    series = defaultdict(dict)
    for evidence in Evidence.objects.citable().filter(kind=Evidence.Kind.STATISTIC):
        for figure in evidence.figures.all():
            if figure.year:
                key = (evidence.source_id, figure.unit, figure.label)
                series[key].setdefault(figure.year, set()).add(evidence.pk)
    ready = {
        key: years
        for key, years in series.items()
        if len(years) >= 3 and len(set().union(*years.values())) >= 3
    }
    assert ready, dict(series)
    fdi = [
        years for (_, unit, label), years in ready.items() if label == "Chinese FDI in Kazakhstan"
    ]
    assert fdi and sorted(fdi[0]) == [1999, 2008, 2011]
    values = {
        f.year: float(f.value)
        for f in Evidence.objects.citable().get(quote__contains="$1.62 billion").figures.all()
    }
    assert values == {2011: 1.62e9}


def test_loading_twice_changes_nothing(loaded):
    before = {
        e.pk: (e.updated_at, e.verified_at, e.latest_revision_id) for e in Evidence.objects.all()
    }
    revisions = Revision.objects.count()
    again = demo.load_evidence(log=quiet)
    assert again == loaded
    after = {
        e.pk: (e.updated_at, e.verified_at, e.latest_revision_id) for e in Evidence.objects.all()
    }
    assert after == before
    assert Revision.objects.count() == revisions


def test_a_changed_entry_is_updated_with_a_new_revision(loaded, tmp_path):
    entries = demo.read_entries(demo.EVIDENCE_FILE)
    for entry in entries:
        if "$27 billion" in entry["quote"]:
            entry["claim"] = "Joint projects were worth over $27 billion by early 2018."
            entry["tags"] = ["changed"]
    changed = tmp_path / "evidence.yaml"
    changed.write_text(yaml.safe_dump(entries, allow_unicode=True), encoding="utf-8")
    count = Evidence.objects.count()
    demo.load_evidence(log=quiet, path=changed)
    assert Evidence.objects.count() == count
    billion = find("China's Image in Kazakhstan", "$27 billion")
    assert billion.claim == "Joint projects were worth over $27 billion by early 2018."
    assert [t.name for t in billion.tags.all()] == ["changed"]
    assert billion.revisions.count() == 2


def test_automatic_candidates_become_the_demo_evidence(sources):
    for source in sources.values():
        services.propose_candidates(source.current_text)
    candidates = Evidence.objects.filter(review_status=Evidence.ReviewStatus.CANDIDATE)
    assert candidates.exists()
    billion_candidate = candidates.filter(quote__contains="$27 billion").first()
    counts = demo.load_evidence(log=quiet)
    total = Evidence.objects.count()
    assert demo.load_evidence(log=quiet) == counts
    assert Evidence.objects.count() == total
    demo_pieces = list(
        Evidence.objects.filter(
            review_status=Evidence.ReviewStatus.ACCEPTED, origin=Evidence.Origin.ANALYST
        )
    )
    assert len(demo_pieces) == sum(counts.values())
    # No candidate is left quoting a passage that demo evidence covers.
    for piece in demo_pieces:
        assert not (
            Evidence.objects.filter(source_text=piece.source_text, start__lt=piece.end)
            .filter(end__gt=piece.start)
            .exclude(pk=piece.pk)
            .exists()
        ), piece
    if billion_candidate is not None:
        billion_candidate.refresh_from_db()
        assert billion_candidate.review_status == Evidence.ReviewStatus.ACCEPTED
        assert billion_candidate.origin == Evidence.Origin.ANALYST


def test_a_quote_that_does_not_anchor_names_its_entry(sources, tmp_path):
    bad = tmp_path / "evidence.yaml"
    bad.write_text(
        yaml.safe_dump(
            [
                {
                    "source": KAZAKHSTAN,
                    "quote": "Kazakhstan has become the largest exporter of bananas in Europe.",
                    "claim": "Nonsense.",
                    "kind": "finding",
                }
            ]
        ),
        encoding="utf-8",
    )
    with pytest.raises(demo.DemoEvidenceError, match=r"entry 1 .*bananas.*does not anchor"):
        demo.load_evidence(log=quiet, path=bad)
    assert not Evidence.objects.exists()


def test_a_paraphrase_is_refused_rather_than_anchored_fuzzily(sources, tmp_path):
    bad = tmp_path / "evidence.yaml"
    bad.write_text(
        yaml.safe_dump(
            [
                {
                    "source": KAZAKHSTAN,
                    # The paper says "some 300" and "no fewer than 4,000".
                    "quote": "While there were about 300 Chinese-Kazakh joint ventures in place "
                    "in 1995, in 2007 there were no fewer than 4,000",
                    "claim": "Paraphrased.",
                    "kind": "finding",
                }
            ]
        ),
        encoding="utf-8",
    )
    with pytest.raises(demo.DemoEvidenceError, match="entry 1"):
        demo.load_evidence(log=quiet, path=bad)
    assert not Evidence.objects.exists()
