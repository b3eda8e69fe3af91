"""Sentences of the running text, as spans of the full text.

Written here rather than taken from PyPI: the maintained rule-based splitters that need no model
download (sentencex, nupunkt, pysbd) were tried on the corpus and handle abbreviations about as
well, but none returns offsets into our text, all attach a footnote marker after a full stop
(``versa.² As``) to the wrong sentence or fail to split there, pysbd breaks wrapped lines into
fragments, and the structural work (:mod:`.structure`) has to happen before any of them could
run.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from .common import (
    CLOSERS,
    LDQUO,
    LETTER,
    MDASH,
    NDASH,
    OPEN_QUOTES,
    RDQUO,
    SUPERSCRIPT_RUN,
    SUPERSCRIPTS,
    words,
)
from .structure import BULLETS, running_paragraphs, titleish

_ABBREVIATIONS = words(
    """e.g i.e cf vs etc al approx ca ed eds p pp para paras fig figs no nos vol vols ch chap art
    sec dr mr mrs ms prof sr jr st mt gen gov rep sen rev hon corp inc ltd co bros dept est jan
    feb mar apr jun jul aug sep sept oct nov dec op cit ibid viz resp"""
) | words(  # Russian (sources on Kazakhstan often are): year(s), that is, and so on, …
    "г гг т.е т.д т.п т.к др см ср стр рис табл им ул обл млн млрд тыс руб долл"  # noqa: RUF001
)
# Abbreviations that may end a sentence: split there only before a typical sentence opener.
_ENDING_ABBREVIATIONS = words("etc al inc ltd co corp bros")
_SENTENCE_OPENERS = words(
    """the this these that those it its in a an but and as at on for with while we they he she
    there such so thus yet since if when according many most some other despite although because
    after before by from to of however moreover furthermore also one two only all both each no
    instead still nevertheless meanwhile finally first second third"""
)
_TERMINATOR = re.compile(r"[.!?…]")
_CITATION_AFTER = re.compile(r"\s*\([^()]{0,80}?(?:1[89]|20)\d\d[a-z]?[^()]{0,20}\)\.?")
_WORD_BEFORE = re.compile(r"(?:^|[\s(\"\u201c\u2018\[/])([^\s(\"\u201c\u2018\[/]*)$")
_NEXT_WORD = re.compile(rf"[\"\u201c\u2018«(]?({LETTER}+)")


@dataclass
class Sentence:
    """A sentence of the running text: ``full_text[start:end]``, which may run across a page
    break or a footnote block (``gaps``)."""

    start: int
    end: int
    tail: int  # the end including closing quotes and footnote markers after the stop
    gaps: list[tuple[int, int]]
    paragraph: int
    sections: frozenset[str]
    section_title: str
    quoted: bool = False  # in a direct quotation of five words or more
    quote_end: int | None = None  # where that quotation's closing quote ends
    pull_quote: bool = False
    page: int | None = None

    def clean_text(self, full_text: str) -> str:
        """The sentence without its gaps, whitespace collapsed."""
        parts, position = [], self.start
        for gap_start, gap_end in self.gaps:
            parts.append(full_text[position:gap_start])
            position = gap_end
        parts.append(full_text[position : self.end])
        return " ".join(" ".join(parts).split())


class _Virtual:
    """A paragraph's pieces joined with "\\n", with the way back to full-text offsets."""

    def __init__(self, text: str, pieces: list[tuple[int, int]]) -> None:
        self.pieces = pieces
        self.starts: list[int] = []
        position = 0
        for start, end in pieces:
            self.starts.append(position)
            position += end - start + 1
        self.text = "\n".join(text[start:end] for start, end in pieces)

    def real(self, index: int) -> int:
        """The full-text offset of virtual ``index`` (a joiner maps to the end of its piece)."""
        piece = bisect.bisect_right(self.starts, index) - 1
        start, end = self.pieces[piece]
        return min(start + index - self.starts[piece], end)

    def real_end(self, index: int) -> int:
        """The full-text offset just after virtual character ``index - 1``."""
        return self.real(index - 1) + 1 if index > 0 else self.pieces[0][0]

    def gaps(self, start: int, end: int) -> list[tuple[int, int]]:
        return [
            (self.pieces[number][1], self.pieces[number + 1][0])
            for number in range(len(self.pieces) - 1)
            if start <= self.starts[number + 1] - 1 < end
        ]


def _boundary_after(text: str, position: int) -> tuple[int, int] | None:
    """If the terminator at ``position`` ends a sentence: (its end, the next one's start)."""
    end = position + 1
    while end < len(text) and text[end] in ".!?…":
        end += 1
    if text.startswith(("[...]", "[…]"), end):
        end = text.index("]", end) + 1
    while end < len(text) and (text[end] in CLOSERS or text[end] in SUPERSCRIPTS):
        end += 1
    marker = re.match(rf" ?[{SUPERSCRIPTS}]+(?=\s|$)", text[end:])  # "… country." ³⁶
    if marker:
        end += marker.end()
    if end < len(text) and not text[end].isspace():
        return None
    citation = _CITATION_AFTER.match(text, end)
    if citation:
        end = citation.end()  # an author-date citation after the stop: "… force.” (Nye, 2004)"
    following = text[end:].lstrip()
    if not following:
        return end, len(text)
    first = following[0]
    if first in OPEN_QUOTES + "([":
        inner = following[1:].lstrip(".…")
        if not inner or not (inner[0].isupper() or inner[0].isdigit()):
            return None
    elif not (first.isupper() or first.isdigit() or first in BULLETS):
        return None
    if (
        text[position] == "."
        and text[position + 1 : position + 2] not in (".", "…")
        and not _period_ends_sentence(text, position, following)
    ):
        return None
    return end, len(text) - len(following)


def _period_ends_sentence(text: str, position: int, following: str) -> bool:
    word_match = _WORD_BEFORE.search(text, max(0, position - 60), position)
    word = word_match.group(1) if word_match else ""
    if not word:
        return True
    next_word = _NEXT_WORD.match(following)
    opener = bool(next_word) and next_word.group(1).lower() in _SENTENCE_OPENERS
    bare = word.lower().rstrip(".")
    if bare in _ABBREVIATIONS:
        return bare in _ENDING_ABBREVIATIONS and opener
    if len(word) == 1 and word.isupper():
        return False  # an initial, in any alphabet: "J. Nye"
    if re.fullmatch(rf"(?:{LETTER}\.)+{LETTER}", word):
        return opener  # an acronym: "U.S. Government" but "… in the U.S. The …"
    return not (word.isdigit() and following[:1].isdigit())  # "1. 2." numbering


def _quotations(text: str) -> list[tuple[int, int]]:
    """Spans of double-quoted passages, opening to closing quote, in a paragraph's text."""
    spans = []
    opened: int | None = None
    index = 0
    while index < len(text):
        char = text[index]
        if opened is None:
            if char == LDQUO or (
                char == '"' and (index == 0 or text[index - 1] in " \n([{/-" + NDASH + MDASH)
            ):
                opened = index
        elif char in '"' + RDQUO or text.startswith("''", index):
            spans.append((opened, index + 1 + text.startswith("''", index)))
            index += text.startswith("''", index)
            opened = None
        index += 1
    return spans


def _is_direct_quotation(quote: str) -> bool:
    """Five words or more, not a title: "…" quotes, not scare quotes or named things."""
    inner = quote.strip("\"'" + LDQUO + RDQUO).strip()
    return len(re.findall(rf"{LETTER}[\w'\u2019-]*", inner)) >= 5 and not titleish(inner)


def split_sentences(
    full_text: str, page_starts: Sequence[int] = (), references: Iterable[Any] = ()
) -> list[Sentence]:
    """The sentences of the running text, in reading order (see the module docstring)."""
    paragraphs = running_paragraphs(full_text, page_starts, references)
    starts = list(page_starts) or [0]
    sentences: list[Sentence] = []
    for number, paragraph in enumerate(paragraphs):
        virtual = _Virtual(full_text, paragraph.pieces)
        text = virtual.text
        quotes = [q for q in _quotations(text) if _is_direct_quotation(text[q[0] : q[1]])]
        bounds: list[tuple[int, int]] = []
        start = 0
        for match in _TERMINATOR.finditer(text):
            if match.start() >= start and (boundary := _boundary_after(text, match.start())):
                bounds.append((start, boundary[0]))
                start = boundary[1]
        if text[start:].strip():
            bounds.append((start, len(text)))
        # A pull quote: a short paragraph that is one quotation, without a source marker.
        pull_quote = (
            len(quotes) == 1
            and not text[: quotes[0][0]].strip()
            and not text[quotes[0][1] :].strip(" \n.")
            and not SUPERSCRIPT_RUN.search(text)
            and len(bounds) <= 2
            and len(text.split()) <= 60
        )
        for v_start, v_tail in bounds:
            while v_start < v_tail and (text[v_start].isspace() or text[v_start] in BULLETS):
                v_start += 1
            v_end = v_tail
            while v_end > v_start and (
                text[v_end - 1].isspace() or text[v_end - 1] in SUPERSCRIPTS
            ):
                v_end -= 1
            if len(re.findall(rf"{LETTER}{{2,}}", text[v_start:v_end])) < 3:
                continue
            quote = next(
                (
                    (q_start, q_end)
                    for q_start, q_end in quotes
                    if len(re.findall(r"\w+", text[max(q_start, v_start) : min(q_end, v_end)])) >= 5
                ),
                None,
            )
            start_real = virtual.real(v_start)
            sentences.append(
                Sentence(
                    start=start_real,
                    end=virtual.real_end(v_end),
                    tail=virtual.real_end(v_tail),
                    gaps=virtual.gaps(v_start, v_end),
                    paragraph=number,
                    sections=paragraph.sections,
                    section_title=paragraph.section_title,
                    quoted=quote is not None,
                    quote_end=virtual.real_end(quote[1]) if quote else None,
                    pull_quote=pull_quote,
                    page=bisect.bisect_right(starts, start_real),
                )
            )
    sentences.sort(key=lambda sentence: sentence.start)
    return sentences
