"""Footnote and reference parsing, on synthetic texts and on the Kazakhstan corpus paper."""

import pytest

from sources.footnotes import parse_footnotes
from sources.normalise import normalise_pages
from sources.tests import fixtures
from sources.tests.fixtures import DIGITAL_TRADE, KAZAKHSTAN


def parse(*pages: str):
    normalised = normalise_pages(list(pages))
    return normalised.full_text, parse_footnotes(normalised.full_text, normalised.page_starts)


# --- Synthetic ---------------------------------------------------------------------------------

PAGE_ONE = """Ports matter.¹ Rail matters too²,
and so do roads.³

¹ Smith, J. (2019) Ports. Journal of Ports. https://example.org/
ports/2019.pdf.

²Jones, K. (2018) Rail in Asia. <https://
example.org/rail>. p. 4.

³ Ibid., p. 5."""

PAGE_TWO = """Body text on page two cites again.⁴

⁴ IBID"""


def test_entries_markers_and_offsets():
    text, parsed = parse(PAGE_ONE, PAGE_TWO)
    numbers = [reference.number for reference in parsed.references]
    assert numbers == [1, 2, 3, 4]
    first, second, third, fourth = parsed.references
    assert first.label == "¹"
    assert first.content == (
        "Smith, J. (2019) Ports. Journal of Ports. https://example.org/ ports/2019.pdf."
    )
    assert first.url == "https://example.org/ports/2019.pdf"
    assert text[first.start : first.end].startswith("¹ Smith")
    assert text[first.start : first.end].endswith("ports/2019.pdf.")
    assert second.content.startswith("Jones, K. (2018)")  # no space after the label
    assert second.url == "https://example.org/rail"
    assert (third.repeats, fourth.repeats) == (2, 2)
    assert first.repeats is None and second.repeats is None
    assert [r.page for r in parsed.references] == [1, 1, 1, 2]

    assert [(m.number, m.page) for m in parsed.markers] == [(1, 1), (2, 1), (3, 1), (4, 2)]
    for marker in parsed.markers:
        assert text[marker.start : marker.end] == "¹²³⁴"[marker.number - 1]
        assert not any(r.start <= marker.start < r.end for r in parsed.references)


def test_body_line_starting_with_a_marker_is_not_an_entry():
    body = (
        "There were 4,000 joint ventures in 2007 and the first ones\n"
        "¹ were set up in 1992, according to the bank.\n\n"
        "¹ Peyrouse, S. (2008) Chinese Economic Presence. China Perspectives.\n\n"
        "² Ibid."
    )
    text, parsed = parse(body)
    assert [r.number for r in parsed.references] == [1, 2]
    assert parsed.references[0].content.startswith("Peyrouse")
    assert [m.number for m in parsed.markers] == [1]
    assert text[parsed.markers[0].start :].startswith("¹ were set up")


def test_entry_ends_at_blank_line_and_page_end():
    text, parsed = parse("Claim.¹\n\n¹ Source one, 2001.\nwrapped line\n\nNew body paragraph.", "x")
    (reference,) = parsed.references
    assert reference.content == "Source one, 2001. wrapped line"
    assert text[reference.end :].startswith("\n\nNew body paragraph.")


def test_ibid_variants_point_to_the_last_non_ibid():
    entries = "\n\n".join(
        [
            "¹ Original work (2001).",
            "² Ibid.",
            "³ ibid",
            "⁴ Ibid., p. 7.",
            "⁵ Ibid. p. 13.",
            "⁶ Another work (2002).",
            "⁷ IBID.",
            "⁸ Ibidem-like words are not Ibidx",
        ]
    )
    _, parsed = parse("Text.¹²\n\n" + entries)
    repeats = {r.number: r.repeats for r in parsed.references}
    assert repeats == {1: None, 2: 1, 3: 1, 4: 1, 5: 1, 6: None, 7: 6, 8: None}


def test_url_trailing_punctuation_and_www():
    _, parsed = parse(
        "A.¹ B.² C.³\n\n¹ See (https://example.org/a).\n\n² www.jstor.org/stable/1.\n\n³ No link."
    )
    assert [r.url for r in parsed.references] == [
        "https://example.org/a",
        "http://www.jstor.org/stable/1",
        "",
    ]


def test_url_not_joined_with_following_words():
    _, parsed = parse("A.¹\n\n¹ Report (2020) https://example.org/\nRetrieved on 5 May.")
    assert parsed.references[0].url == "https://example.org/"


def test_no_footnotes():
    assert parse("Plain text with m² and 10⁶ units.\n\nNothing else.")[1].references == []
    assert parse("Plain text with m² and 10⁶ units.")[1].markers == []
    assert parse("")[1].references == []


def test_markers_without_a_reference_are_dropped():
    _, parsed = parse("Area in m² matters.¹\n\n¹ Source (2001).")
    assert [m.number for m in parsed.markers] == [1]


def test_numbered_reference_list_under_a_heading():
    body = (
        "Ports matter [1] and rail too [2]. Roads [3] are\nless studied [9].\n\n"
        "References\n\n"
        "[1] Smith, J. (2019) Ports. https://example.org/ports.\n"
        "[2] Jones, K. (2018) Rail in Asia,\nsecond line.\n"
        "[3] Ibid."
    )
    text, parsed = parse(body)
    assert [(r.number, r.label) for r in parsed.references] == [(1, "[1]"), (2, "[2]"), (3, "[3]")]
    assert parsed.references[1].content == "Jones, K. (2018) Rail in Asia, second line."
    assert parsed.references[0].url == "https://example.org/ports"
    assert parsed.references[2].repeats == 2
    assert [m.number for m in parsed.markers] == [1, 2, 3]
    assert text[parsed.markers[0].start : parsed.markers[0].end] == "[1]"


def test_numbered_list_with_dots_and_notes_heading():
    body = "Text.¹\n\nNotes\n\n1. First note (2001).\n\n2. Second note (2002)."
    _, parsed = parse(body)
    assert [r.label for r in parsed.references] == ["1.", "2."]
    assert [m.number for m in parsed.markers] == [1]


def test_numbered_list_needs_a_heading():
    _, parsed = parse("Steps:\n\n1. Do this.\n2. Do that.")
    assert parsed.references == []


# --- Corpus ------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def kazakhstan():
    return fixtures.corpus_document(KAZAKHSTAN)


def test_kazakhstan_has_69_references(kazakhstan):
    assert [r.number for r in kazakhstan.references] == list(range(1, 70))
    assert [r.page for r in kazakhstan.references][:3] == [3, 3, 3]
    assert kazakhstan.references[-1].page == 16


def test_kazakhstan_reference_contents(kazakhstan):
    refs = {r.number: r for r in kazakhstan.references}
    assert refs[11].content == (
        "Anon. (2018) Kazakh-Chinese industrial projects exceed $27 billion, Agencia EFE. 14th "
        "February. <https://www.efe.com/efe/english/business/kazakh-chinese-industrial-projects-"
        "exceed-27-billion/ 50000265-3523943#>."
    )
    assert refs[11].url == (
        "https://www.efe.com/efe/english/business/kazakh-chinese-industrial-projects-exceed-27-"
        "billion/50000265-3523943#"
    )
    assert refs[14].content.startswith(
        "Abdurasulov, A. (2016) Kazakhstan's land reform protests explained. BBC. 28th April."
    )
    assert refs[14].label == "¹⁴"
    assert refs[14].url == "https://www.bbc.com/news/world-asia-36163103"
    assert refs[10].url == (
        "https://www.researchgate.net/publication/"
        "262384749_Risky_business_The_political_economy_of_Chinese_investment_in_Kazakhstan"
    )
    assert refs[58].content.startswith("Karim Massimov, a Chinese-speaking former prime minister")
    assert refs[58].content.endswith("staunch supporter of Kazakh-Chinese ties.")
    assert (refs[58].url, refs[58].repeats) == ("", None)
    text = kazakhstan.full_text
    assert text[refs[14].start : refs[14].end].startswith("¹⁴Abdurasulov")


def test_kazakhstan_ibid(kazakhstan):
    repeats = {r.number: r.repeats for r in kazakhstan.references if r.repeats is not None}
    assert repeats == {7: 6, 35: 34, 69: 68}


def test_kazakhstan_markers_link_to_references(kazakhstan):
    text = kazakhstan.full_text
    offset = text.index("worth exceeded $27 billion") + len("worth exceeded $27 billion")
    (marker,) = [m for m in kazakhstan.markers if m.start == offset]
    assert marker.number == 11
    assert text[marker.start : marker.end] == "¹¹"
    assert marker.page == 4
    assert {m.number for m in kazakhstan.markers} == set(range(1, 70))
    for marker in kazakhstan.markers:
        assert marker.page == kazakhstan.page_at(marker.start)


def test_digital_trade_parses_to_nothing():
    document = fixtures.corpus_document(DIGITAL_TRADE)
    assert parse_footnotes(document.full_text, document.page_starts).references == []
