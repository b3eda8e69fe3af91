"""Tests for evidence.anchoring: plain functions, no database."""

from __future__ import annotations

import functools
import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from pypdf import PdfReader

from evidence.anchoring import (
    CONTEXT_LENGTH,
    FUZZY_THRESHOLD,
    MAX_QUOTE_LENGTH,
    Anchor,
    AnchorError,
    TextIndex,
    matching_form,
)
from sources.extractors import ExtractedDocument, extract_document

CORPUS = Path(__file__).resolve().parents[2] / "demo" / "corpus"
KAZAKHSTAN = "chinas-image-in-kazakhstan"
DIGITAL_TRADE = "china-soft-power-digital-trade"

FILLER = "Trade between the two countries grew steadily over the decade, driven by energy exports. "
TEXT = (
    FILLER
    * 3
    + "In 2013 the Belt and Road Initiative was announced in Astana, and within five years "
    "Kazakhstan had become a key transit country for freight between China and Europe. "
    + FILLER
    * 3
)


@functools.cache
def document(stem: str, extension: str = "pdf") -> ExtractedDocument:
    return extract_document(CORPUS / f"{stem}.{extension}")


@functools.cache
def corpus_index(stem: str, extension: str = "pdf") -> TextIndex:
    doc = document(stem, extension)
    return TextIndex(doc.full_text, doc.page_starts)


@functools.cache
def raw_pdf_text(stem: str) -> str:
    """The text as pypdf gives it, before normalisation (line-end hyphens, double spaces)."""
    return "\n\n".join(page.extract_text() for page in PdfReader(CORPUS / f"{stem}.pdf").pages)


def assert_consistent(index: TextIndex, anchor: Anchor) -> None:
    text = index.text
    assert anchor.exact == text[anchor.start : anchor.end]
    assert anchor.prefix == text[max(anchor.start - CONTEXT_LENGTH, 0) : anchor.start]
    assert anchor.suffix == text[anchor.end : anchor.end + CONTEXT_LENGTH]


# --- Exact -------------------------------------------------------------------------------------


def test_exact_quote_is_anchored_at_its_offsets() -> None:
    index = TextIndex(TEXT)
    quote = "the Belt and Road Initiative was announced in Astana"
    anchor = index.locate(quote)
    assert (anchor.start, anchor.end) == (TEXT.index(quote), TEXT.index(quote) + len(quote))
    assert (anchor.exact, anchor.method, anchor.score) == (quote, "exact", 100.0)
    assert_consistent(index, anchor)


def test_surrounding_whitespace_of_the_quote_is_ignored() -> None:
    anchor = TextIndex(TEXT).locate("\n  announced in Astana \t")
    assert anchor.exact == "announced in Astana"
    assert anchor.method == "exact"


def test_to_selectors_gives_the_w3c_selectors() -> None:
    anchor = TextIndex(TEXT).locate("announced in Astana")
    assert anchor.to_selectors() == [
        {
            "type": "TextQuoteSelector",
            "exact": "announced in Astana",
            "prefix": anchor.prefix,
            "suffix": anchor.suffix,
        },
        {"type": "TextPositionSelector", "start": anchor.start, "end": anchor.end},
    ]
    assert anchor.prefix.endswith("Initiative was ")
    assert anchor.suffix.startswith(", and within")


# --- Repeated occurrences ----------------------------------------------------------------------

REPEATED = (
    "Section one. The ministry confirmed the figures. Alpha follows.\n"
    "Section two. The ministry confirmed the figures. Beta follows.\n"
    "Section three. The ministry confirmed the figures. Gamma follows.\n"
)
SENTENCE = "The ministry confirmed the figures."


def occurrence(n: int) -> int:
    start = -1
    for _ in range(n):
        start = REPEATED.index(SENTENCE, start + 1)
    return start


def test_repeated_quote_without_context_takes_the_first_occurrence() -> None:
    assert TextIndex(REPEATED).locate(SENTENCE).start == occurrence(1)


def test_repeated_quote_is_disambiguated_by_prefix() -> None:
    anchor = TextIndex(REPEATED).locate(SENTENCE, prefix="Section two. ")
    assert anchor.start == occurrence(2)


def test_repeated_quote_is_disambiguated_by_suffix() -> None:
    anchor = TextIndex(REPEATED).locate(SENTENCE, suffix=" Gamma follows.")
    assert anchor.start == occurrence(3)


def test_repeated_quote_is_disambiguated_by_hint() -> None:
    index = TextIndex(REPEATED)
    assert index.locate(SENTENCE, hint=occurrence(2) + 5).start == occurrence(2)
    assert index.locate(SENTENCE, hint=len(REPEATED)).start == occurrence(3)


def test_context_outweighs_hint() -> None:
    anchor = TextIndex(REPEATED).locate(SENTENCE, prefix="Section one. ", hint=len(REPEATED))
    assert anchor.start == occurrence(1)


def test_repeated_executive_summary_in_the_corpus_is_told_apart_by_prefix() -> None:
    index = corpus_index(DIGITAL_TRADE)
    quote = "Despite having seen unprecedented economic growth over the past 30 years"
    first = index.text.index(quote)
    second = index.text.index(quote, first + 1)
    assert index.locate(quote).start == first
    assert index.locate(quote, prefix="I. Executive Summary:\n").start == second
    assert index.locate(quote, hint=second).start == second


# --- Normalised --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("source", "quote"),
    [
        ("the soft\npower of  China", "the soft power of China"),
        ("the soft power of China", "the soft\npower of China"),
        ("its rapid devel-\nopment in the past", "its rapid development in the past"),
        ("its rapid development in the past", "its rapid devel- opment in the past"),
        ("also People-to-\npeople contacts", "also People-to-people contacts"),
        ("China\u2019s \u201csoft power\u201d push", 'China\'s "soft power" push'),
        ("the \u2018China model\u2019 of growth", "the 'China model' of growth"),
        ("the «China Dream» slogan", 'the "China Dream" slogan'),
        ("from 2013\u20132018 \u2014 the boom", "from 2013-2018 - the boom"),
        ("the\u00a0Belt and\u00a0Road", "the Belt and Road"),
        ("a signiﬁcant ﬂow of capital", "a significant flow of capital"),
        ("the philosophy for China's diplomacy.¹ It seems that", "diplomacy. It seems that"),
        ("exceeded $27 billion¹¹. The joint ventures", "exceeded $27 billion. The joint"),
        ("a soft\u00adhyphen and zero\u200bwidth", "a softhyphen and zerowidth"),
    ],
)
def test_normalised_match_returns_the_source_text(source: str, quote: str) -> None:
    text = "Some unrelated opening words. " + source + " Some unrelated closing words."
    index = TextIndex(text)
    anchor = index.locate(quote)
    assert anchor.method == "normalised"
    assert anchor.score == 100.0
    assert anchor.exact != quote
    assert matching_form(anchor.exact) == matching_form(quote)
    assert_consistent(index, anchor)


def test_normalised_match_keeps_footnote_marker_inside_and_leaves_it_out_at_the_end() -> None:
    index = corpus_index(KAZAKHSTAN)
    inside = index.locate("the guiding philosophy for China's diplomacy. It seems that China")
    assert inside.method == "normalised"
    assert "diplomacy.¹ It seems" in inside.exact
    at_end = index.locate("the guiding philosophy for China's diplomacy.", prefix="has\nbecome ")
    assert at_end.method == "exact"
    assert at_end.exact.endswith("diplomacy.")
    assert at_end.suffix.startswith("¹")


def test_normalised_match_across_a_page_break_in_the_corpus() -> None:
    index = corpus_index(KAZAKHSTAN)
    quote = "poses challenges to the positive messages that China pursues to send across"
    anchor = index.locate(quote)
    assert anchor.method == "normalised"
    assert "to the\n\npositive" in anchor.exact
    assert index.page_at(anchor.start) == 1
    assert index.page_at(anchor.end - 1) == 2


def test_typographic_apostrophes_in_the_corpus() -> None:
    index = corpus_index(DIGITAL_TRADE)
    anchor = index.locate("China's top-down authoritarian structure is not conducive to organic")
    assert anchor.method == "normalised"
    assert anchor.exact.startswith("China\u2019s top-down")


def test_raw_pdf_text_hyphenation_and_double_spaces() -> None:
    text = raw_pdf_text(KAZAKHSTAN)
    assert "People-to-\npeople" in text  # the line-end hyphen this test is about
    index = TextIndex(text)
    anchor = index.locate(
        "increase its exports to China. People-to-people contacts also constitute"
    )
    assert anchor.method == "normalised"
    assert "People-to-\npeople" in anchor.exact
    spaced = index.locate("Sitting along a key terrestrial BRI route, Kazakhstan seeks")
    assert spaced.method == "normalised"
    assert spaced.exact.startswith("Sitting  along  a  key")


# --- Fuzzy -------------------------------------------------------------------------------------

PASSAGE = (
    "Kazakhstan seeks to attract Chinese investment and diversify its economy as well as "
    "increase its exports to China."
)


def fuzzy_index() -> TextIndex:
    return TextIndex(FILLER * 5 + PASSAGE + " " + FILLER * 5)


def test_fuzzy_match_with_typos_returns_the_source_text() -> None:
    index = fuzzy_index()
    quote = PASSAGE.replace("attract", "atract").replace("economy", "econmy").replace("as", "az", 1)
    anchor = index.locate(quote)
    assert anchor.method == "fuzzy"
    assert FUZZY_THRESHOLD <= anchor.score < 100
    assert anchor.exact == PASSAGE
    assert_consistent(index, anchor)


def test_fuzzy_match_with_a_dropped_word_covers_the_whole_source_passage() -> None:
    index = fuzzy_index()
    anchor = index.locate(PASSAGE.replace(" Chinese", ""))
    assert anchor.method == "fuzzy"
    assert anchor.exact == PASSAGE


def test_fuzzy_match_with_changed_punctuation() -> None:
    index = fuzzy_index()
    anchor = index.locate(PASSAGE.replace(" as well as", ", as well as").rstrip(".") + ";")
    assert anchor.method == "fuzzy"
    assert anchor.exact.startswith("Kazakhstan seeks")
    assert anchor.exact.endswith("exports to China") or anchor.exact.endswith("China.")


def test_short_quote_without_an_intact_word_is_found_fuzzily() -> None:
    # No word of the quote occurs in the source, so no seed: the whole-text search finds it.
    anchor = fuzzy_index().locate("Kazakhtan")
    assert (anchor.exact, anchor.method) == ("Kazakhstan", "fuzzy")


def test_fuzzy_match_is_trimmed_to_word_boundaries_in_the_corpus() -> None:
    index = corpus_index(KAZAKHSTAN)
    source = (
        "Contrary to the high degree of acceptance of China among the Kazakh\nelite, the "
        "general public tends to have a negative attitude towards Chinese presence in\n"
        "Kazakhstan."
    )
    assert source in index.text
    quote = (
        "Contrary to the hihg degree of acceptence of China among the Kazak elite, the general "
        "public tends to have a negative attitude toward Chinese presence in Kazakhstan."
    )
    anchor = index.locate(quote)
    assert anchor.method == "fuzzy"
    assert anchor.exact == source
    assert index.text[anchor.start - 1].isspace()
    assert not index.text[anchor.end].isalnum()


def test_fuzzy_match_in_a_long_source_picks_the_right_copy() -> None:
    # Ten copies of a paragraph that differ only by a numbered label: only one is right.
    paragraph = document(KAZAKHSTAN).full_text[1000:1600]
    text = "\n\n".join(f"[Copy {i:02d}] {paragraph}" for i in range(10))
    index = TextIndex(text)
    target = text.index("[Copy 07]")
    quote = text[target : target + 300].replace("the", "teh", 2)
    anchor = index.locate(quote)
    assert anchor.method == "fuzzy"
    assert anchor.start == target


# --- Refused -----------------------------------------------------------------------------------


@pytest.mark.parametrize("quote", ["", "   ", "\n\t "])
def test_empty_quote_is_refused(quote: str) -> None:
    with pytest.raises(AnchorError, match=r"^The quote is empty\.$"):
        TextIndex(TEXT).locate(quote)


def test_too_long_quote_is_refused_with_its_length() -> None:
    with pytest.raises(AnchorError) as caught:
        TextIndex(TEXT * 10).locate("x" * 2345)
    assert str(caught.value) == "The quote is 2,345 characters long; the limit is 2,000."


def test_quote_of_the_maximum_length_is_accepted() -> None:
    text = FILLER * 40
    anchor = TextIndex(text).locate(text[:MAX_QUOTE_LENGTH])
    assert anchor.end - anchor.start == MAX_QUOTE_LENGTH


def test_unrelated_sentence_is_refused_with_the_best_score_and_page() -> None:
    doc = document(KAZAKHSTAN)
    index = TextIndex(doc.full_text, doc.page_starts)
    with pytest.raises(AnchorError) as caught:
        index.locate("The quarterly earnings of the shipping company fell sharply in March.")
    message = str(caught.value)
    found = re.fullmatch(
        r"This quote was not found in the source, not even approximately \(best match (\d+)% "
        r"at page (\d+), the threshold is 90%\)\. Check it against the source text\.",
        message,
    )
    assert found, message
    assert int(found.group(1)) < FUZZY_THRESHOLD
    assert 1 <= int(found.group(2)) <= len(doc.page_starts)
    assert caught.value.best_score < FUZZY_THRESHOLD


def test_near_miss_below_the_threshold_reports_its_score_and_character_without_pages() -> None:
    index = fuzzy_index()
    heavily_changed = (
        "Kazakhstan wants to attract Chinese capital and diversify its industry as well as grow "
        "its sales to China."
    )
    with pytest.raises(AnchorError) as caught:
        index.locate(heavily_changed)
    score = caught.value.best_score
    assert 70 < score < FUZZY_THRESHOLD
    assert f"best match {int(score)}% at character " in str(caught.value)


def test_an_error_is_a_value_error() -> None:
    assert issubclass(AnchorError, ValueError)


# --- anchor_at ---------------------------------------------------------------------------------


def test_anchor_at_builds_the_anchor_and_context() -> None:
    index = TextIndex(TEXT)
    start = TEXT.index("Belt and Road")
    anchor = index.anchor_at(start, start + len("Belt and Road"))
    assert (anchor.exact, anchor.method, anchor.score) == ("Belt and Road", "position", 100.0)
    assert len(anchor.prefix) == len(anchor.suffix) == CONTEXT_LENGTH
    assert_consistent(index, anchor)


def test_anchor_at_leaves_out_surrounding_whitespace() -> None:
    index = TextIndex("alpha beta gamma")
    anchor = index.anchor_at(5, 11)
    assert (anchor.start, anchor.end, anchor.exact) == (6, 10, "beta")


def test_context_is_short_at_the_start_and_end_of_the_text() -> None:
    text = TEXT.strip()
    index = TextIndex(text)
    first = index.anchor_at(0, 5)
    assert first.prefix == ""
    assert first.suffix == text[5 : 5 + CONTEXT_LENGTH]
    last = index.anchor_at(len(text) - 10, len(text))
    assert last.suffix == ""
    assert last.prefix == text[len(text) - 10 - CONTEXT_LENGTH : len(text) - 10]
    near = index.anchor_at(3, 8)
    assert near.prefix == text[:3]
    assert index.locate(text[-20:], hint=len(text)).suffix == ""


@pytest.mark.parametrize(
    ("start", "end", "message"),
    [
        (-1, 5, r"^The selection -1-5 is not valid: offsets cannot be negative\.$"),
        (10, 5, r"^The selection 10-5 is not valid: it ends before it starts\.$"),
        (0, 10_000, r"^The selection ends at character 10,000, beyond the end of the source"),
        (5, 5, r"^The selection is empty\.$"),
        (3, 4, r"^The selection is empty\.$"),  # a single space
    ],
)
def test_anchor_at_refuses_bad_selections(start: int, end: int, message: str) -> None:
    with pytest.raises(AnchorError, match=message):
        TextIndex("abc def ghi jkl").anchor_at(start, end)


def test_anchor_at_refuses_a_too_long_selection() -> None:
    text = FILLER * 40
    with pytest.raises(AnchorError, match=r"^The selection is 2,001 characters long; the limit"):
        TextIndex(text).anchor_at(0, MAX_QUOTE_LENGTH + 1)


# --- Re-anchoring ------------------------------------------------------------------------------


def test_unchanged_quote_is_reanchored_exactly() -> None:
    old = TextIndex(TEXT).locate("announced in Astana")
    new = TextIndex(TEXT + " An appended sentence.")
    result = new.reanchor(old.exact, old.prefix, old.suffix, old.start, old.end)
    assert result.status == "exact"
    assert result.anchor is not None
    assert (result.anchor.start, result.anchor.end) == (old.start, old.end)
    assert result.score == 100.0


def test_text_inserted_before_the_quote_relocates_it() -> None:
    old = TextIndex(TEXT).locate("announced in Astana")
    inserted = "A new introductory paragraph was added in the revised edition.\n\n"
    new = TextIndex(inserted + TEXT)
    result = new.reanchor(old.exact, old.prefix, old.suffix, old.start, old.end)
    assert result.status == "relocated"
    assert result.anchor is not None
    assert result.anchor.start == old.start + len(inserted)
    assert result.anchor.exact == old.exact
    assert result.anchor.method == "exact"


def test_relocation_uses_context_among_repeated_quotes() -> None:
    old = TextIndex(REPEATED).locate(SENTENCE, prefix="Section three. ")
    new_text = "Preface.\n" + REPEATED.replace("Section one.", "Section one (revised).")
    result = TextIndex(new_text).reanchor(old.exact, old.prefix, old.suffix, old.start, old.end)
    assert result.status == "relocated"
    assert result.anchor is not None
    assert new_text[: result.anchor.start].endswith("Section three. ")


def test_rewritten_passage_orphans_the_quote() -> None:
    index = fuzzy_index()
    old = index.locate(PASSAGE)
    rewritten = "Astana wants more money from Beijing, a broader economy and larger sales abroad."
    new = TextIndex(index.text.replace(PASSAGE, rewritten))
    result = new.reanchor(old.exact, old.prefix, old.suffix, old.start, old.end)
    assert result.status == "orphaned"
    assert result.anchor is None
    assert result.score < FUZZY_THRESHOLD


def test_typo_fixed_in_the_passage_relocates_the_quote_fuzzily() -> None:
    with_typo = PASSAGE.replace("diversify", "diversfy")
    old_index = TextIndex(FILLER * 5 + with_typo + " " + FILLER * 5)
    old = old_index.locate(with_typo)
    new = fuzzy_index()  # the same text with the typo fixed
    result = new.reanchor(old.exact, old.prefix, old.suffix, old.start, old.end)
    assert result.status == "relocated"
    assert result.anchor is not None
    assert result.anchor.method == "fuzzy"
    assert result.anchor.exact == PASSAGE
    assert FUZZY_THRESHOLD <= result.score < 100


def test_reanchoring_in_a_changed_corpus_text() -> None:
    text = document(KAZAKHSTAN).full_text
    index = TextIndex(text)
    quote = "the general public tends to have a negative attitude towards Chinese presence"
    old = index.locate(quote)
    cut = text.index("With regard to China's soft-power toolkit")
    inserted = "Editor's note: this section was revised in March 2019.\n\n"
    new_text = text[:1000] + inserted + text[1000:cut] + text[cut:].replace("toolkit", "kit")
    new = TextIndex(new_text)

    moved = new.reanchor(old.exact, old.prefix, old.suffix, old.start, old.end)
    assert moved.status == "relocated"
    assert moved.anchor is not None
    assert moved.anchor.start == old.start + len(inserted)

    same = TextIndex(text.replace("toolkit", "kit"))
    kept = same.reanchor(old.exact, old.prefix, old.suffix, old.start, old.end)
    assert kept.status == "exact"

    fixed_text = text.replace("negative attitude towards", "negativ atitude toward")
    typo = TextIndex(fixed_text).reanchor(old.exact, old.prefix, old.suffix, old.start, old.end)
    assert typo.status == "relocated"
    assert typo.anchor is not None
    assert typo.anchor.method == "fuzzy"
    assert "negativ atitude toward" in typo.anchor.exact

    rewritten = text.replace(
        quote, "ordinary Kazakhs remain wary of the growing number of Chinese firms"
    )
    gone = TextIndex(rewritten).reanchor(old.exact, old.prefix, old.suffix, old.start, old.end)
    assert gone.status == "orphaned"


def test_every_sentence_of_the_text_edition_reanchors_into_the_pdf_edition() -> None:
    """The plain-text rendering and the PDF differ in line breaks, page breaks, footnote
    placement, hyphenation and Markdown escapes; every sentence must still be found."""
    for stem in (KAZAKHSTAN, DIGITAL_TRADE):
        old = corpus_index(stem, "txt")
        new = corpus_index(stem, "pdf")
        sentences = list(re.finditer(r"[A-Z][^.!?]{60,400}[.!?]", old.text))
        assert len(sentences) > 200
        methods: dict[str, int] = {}
        for sentence in sentences:
            anchor = old.anchor_at(*sentence.span())
            result = new.reanchor(anchor.exact, anchor.prefix, anchor.suffix, *sentence.span())
            assert result.status != "orphaned", anchor.exact
            assert result.anchor is not None
            assert_consistent(new, result.anchor)
            methods[result.anchor.method] = methods.get(result.anchor.method, 0) + 1
        assert methods.get("normalised", 0) > len(sentences) / 2


# --- Properties --------------------------------------------------------------------------------


@settings(max_examples=200, deadline=None, database=None)
@given(data=st.data())
def test_any_substring_of_the_corpus_is_located(data: st.DataObject) -> None:
    text = document(KAZAKHSTAN).full_text
    index = corpus_index(KAZAKHSTAN)
    start = data.draw(st.integers(0, len(text) - 1), label="start")
    end = data.draw(st.integers(start + 1, min(start + MAX_QUOTE_LENGTH, len(text))), label="end")
    substring = text[start:end]
    assume(substring.strip())
    anchor = index.locate(substring)
    assert anchor.method == "exact"
    assert anchor.exact == substring.strip()
    assert text[anchor.start : anchor.end] == substring.strip()
    leading = len(substring) - len(substring.lstrip())
    assert index.locate(substring, hint=start).start == start + leading


@settings(
    max_examples=100,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.filter_too_much],
)
@given(data=st.data())
def test_any_substring_with_reflowed_whitespace_is_located(data: st.DataObject) -> None:
    text = document(DIGITAL_TRADE).full_text
    index = corpus_index(DIGITAL_TRADE)
    start = data.draw(st.integers(0, len(text) - 20), label="start")
    end = data.draw(st.integers(start + 20, min(start + 600, len(text))), label="end")
    reflowed = " ".join(text[start:end].split())
    assume(reflowed)
    anchor = index.locate(reflowed, hint=start)
    assert anchor.method in ("exact", "normalised")
    assert matching_form(anchor.exact).strip() == matching_form(reflowed).strip()
    if anchor.method == "normalised":  # else an identical occurrence was found as it stands
        assert start <= anchor.start and anchor.end <= end
