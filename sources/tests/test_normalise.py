"""Normalisation of extracted pages into one full text with page offsets."""

import pytest

from sources.normalise import NormalisedText, normalise_pages, page_at


def text_of(*pages: str) -> str:
    return normalise_pages(list(pages)).full_text


def test_nfc_but_not_nfkc():
    # e + combining acute composes; superscript digits are NOT folded to plain digits.
    assert text_of("caf\u0065\u0301 growth¹⁴ and ²⁷") == "café growth¹⁴ and ²⁷"


def test_ligatures_soft_hyphens_and_spaces():
    raw = "e\ufb03cient \ufb01rst \ufb02ow o\ufb00er\u00a0and\u2009thin\u202fnarrow"
    raw += " in\u00adter\u00adnal"
    assert text_of(raw) == "efficient first flow offer and thin narrow internal"


def test_spaces_collapse_and_lines_are_stripped():
    assert text_of("  two   spaces\tand tab  \n   indented line ") == (
        "two spaces and tab\nindented line"
    )


def test_line_endings_and_blank_line_runs():
    assert text_of("a\r\nb\rc\n\n\n\n\nd\n \n\t\ne") == "a\nb\nc\n\nd\n\ne"


@pytest.mark.parametrize(
    "footer", ["4", "Page 4", "page 4", "4 of 16", "4/16", "- 4 -", "\u2013 4 \u2013"]
)
def test_page_number_footer_is_removed(footer):
    assert text_of(f"Body text of the page.\n{footer}\n\n") == "Body text of the page."


@pytest.mark.parametrize("last_line", ["In 2019", "4,000 jobs", "Table 4", "4 apples"])
def test_other_last_lines_are_kept(last_line):
    assert text_of(f"Body.\n{last_line}") == f"Body.\n{last_line}"


def test_footer_removal_can_be_turned_off():
    assert normalise_pages(["Count:\n42"], strip_page_numbers=False).full_text == "Count:\n42"


def test_page_number_only_the_last_line():
    assert text_of("12\nBody text\n12") == "12\nBody text"


def test_hyphenation_joined_when_the_document_has_the_word():
    pages = ["The devel-\nopment of ports.", "Economic development matters."]
    assert normalise_pages(pages).full_text == (
        "The development\nof ports.\n\nEconomic development matters."
    )


def test_hyphen_kept_when_the_document_writes_it_hyphenated():
    pages = ["A state-led top-\ndown approach here.", "Its top-down soft power."]
    assert normalise_pages(pages).full_text.startswith("A state-led top-down\napproach here.")


def test_hyphen_kept_for_prefixes_capitals_and_numbers():
    assert text_of("Soft co-\noptive power") == "Soft co-optive\npower"
    assert text_of("the Sino-\nKazakh border") == "the Sino-Kazakh\nborder"
    assert text_of("during COVID-\n19 lockdowns") == "during COVID-19\nlockdowns"


def test_hyphen_kept_when_both_halves_are_words():
    assert text_of("a world-\nclass port in the world of class") == (
        "a world-class\nport in the world of class"
    )


def test_hyphen_dropped_when_a_half_is_not_a_word():
    assert text_of("rapid indus-\ntrialisation of the region") == (
        "rapid industrialisation\nof the region"
    )


def test_hyphenated_word_ending_a_line_keeps_the_next_line_break():
    assert text_of("The devel-\nopment\nNext line") == "The development\nNext line"


def test_url_hyphen_is_kept_and_the_url_rejoined():
    assert text_of("<https://example.org/new-silk-road-china-\ntakes-a-cut/>. More") == (
        "<https://example.org/new-silk-road-china-takes-a-cut/>.\nMore"
    )


def test_dashes_and_lone_hyphens_are_left_alone():
    assert text_of("its neighbors--\nheavily") == "its neighbors--\nheavily"
    assert text_of("lack the self- confidence") == "lack the self- confidence"


def test_page_starts_and_separator():
    result = normalise_pages(["First page\n1", "Second page\n2", "Third\n3"])
    assert result.full_text == "First page\n\nSecond page\n\nThird"
    assert result.page_starts == [0, 12, 25]
    assert [result.page_at(offset) for offset in (0, 11, 12, 24, 25, 29)] == [1, 1, 2, 2, 3, 3]


def test_empty_pages_have_an_entry_but_own_no_characters():
    result = normalise_pages(["", "Alpha", "  \n 2 \n", "Beta", ""])
    assert result.full_text == "Alpha\n\nBeta"
    assert result.page_starts == [0, 0, 7, 7, 11]
    assert result.page_at(0) == 2
    assert result.page_at(7) == 4
    assert page_at(result.page_starts, 10) == 4


def test_no_pages():
    assert normalise_pages([]) == NormalisedText("", [])


def test_deterministic():
    pages = ["Some te-\nxt ¹ with\u00a0stuff\n3", "More"]
    assert normalise_pages(pages) == normalise_pages(list(pages))
