"""The structure of a source text: which lines are running text, and its paragraphs.

Footnote entries (the references' spans), page-number footers, running heads and footers and
contents pages (:mod:`.furniture`), table-of-contents lines, headings (also where the PDF glued
one onto a body line), figure captions and table rows are not running text. The
remaining lines are grouped into paragraphs, each with the section it sits in, and a paragraph
broken off mid-sentence (by a page end, its footnotes or a pull quote) is joined up again.
"""

from __future__ import annotations

import bisect
import re
import statistics
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
    SUPERSCRIPTS,
    words,
)
from .furniture import page_furniture

BULLETS = "•◦▪‣∙·\uf0b7\uf0a7\uf0d8\uf076*-" + NDASH
_PAGE_FOOTER = re.compile(
    r"(?:page\s+)?\d{1,4}(?:\s*(?:/|of)\s*\d{1,4})?|[-\u2013]\s*\d{1,4}\s*[-\u2013]",
    re.IGNORECASE,
)
_CAPTION = re.compile(
    r"(?:graph|figure|fig\.|table|chart|map|image|photo|exhibit|box"
    r"|рисунок|рис\.|таблица|график|диаграмма|схема|карта)\s+\d+[.:]?\s"
    r"|(?:source|sources|note|notes|источник|источники|примечание|примечания)\s*:",
    re.IGNORECASE,
)
_CONTENTS = re.compile(r"(?:table of )?contents:?", re.IGNORECASE)
_TOC_PAGE_NUMBER = re.compile(r"(?<![\d.,])\b\d{1,3}\b(?![.,]?\d)")
# A leader of dots (also spaced: ". . . . ."), ellipses, middle dots or underscores, before a
# page number (also a roman one) or ending the line: a contents line in any language.
_DOT_LEADER = re.compile(
    r"(?:(?:\.\s?){5,}|\.{4,}|\u2026{2,}|(?:\u00b7\s?){4,}|_{4,})\s*"
    r"(?:\d{1,4}\b|[ivxlc]{1,6}\s*$|$)"
    r"|\t\s*\d{1,4}\s*$",
    re.IGNORECASE,
)
_NUMERIC_CELL = re.compile(r"[+\-\u2212\u2013]?\d[\d.,]*%?|[-\u2013\u2014]")
_CELL = re.compile(r"[+\-\u2212\u2013]?\d(?:[\d.,]*\d)?%?")
_HEADING_NUMBER = re.compile(
    r"(?P<num>(?:chapter|section|part|annex|appendix)\s+[\dIVX]+[.:]?"
    r"|[IVX]{1,5}\.|[A-H]\.|\d{1,2}(?:\.\d{1,2})+\.?|\d{1,2}\.)\s+(?=\S)",
    re.IGNORECASE,
)
_GLUED_TRAILING_HEADING = re.compile(
    r"[.!?][\"\u201d\u2019)]?(?P<space>\s+)"
    r"(?P<heading>(?:[IVX]{1,5}|[A-H]|\d{1,2})\.\s+[A-Z][^.!?]{0,80}:)\s*$"
)
_SMALL_WORDS = words(
    f"a an and as at but by for from in into nor of on or per the to vs vs. via with -- & - "
    f"{NDASH} {MDASH}"
)
_SECTION_FLAGS = {
    "summary": re.compile(
        r"\b(?:abstract|executive summary|summary|key findings|main findings|overview|"
        r"key messages|highlights)\b",
        re.IGNORECASE,
    ),
    "conclusion": re.compile(
        r"\b(?:conclusions?|concluding|closing remarks|final remarks|assessment|outlook|"
        r"lessons|implications)\b",
        re.IGNORECASE,
    ),
    "recommendations": re.compile(
        r"\b(?:recommendations?|policy options|the way forward|what should be done|next steps)\b",
        re.IGNORECASE,
    ),
}
# Words that cannot end a paragraph: a paragraph ending with one continues after the break.
_CONTINUING_WORDS = words(
    """the a an of to in on for and or with by from at as that which its their is are was were
    be been has have had between into than such"""
)


@dataclass
class _Line:
    start: int
    end: int
    text: str
    page: int
    kind: str = "body"  # body, heading, caption, toc, table
    gap_before: bool = False  # a blank line, a page break or a footnote block before it
    bullet: bool = False


@dataclass
class Paragraph:
    pieces: list[tuple[int, int]]
    sections: frozenset[str]
    section_title: str

    @property
    def start(self) -> int:
        return self.pieces[0][0]

    @property
    def end(self) -> int:
        return self.pieces[-1][1]


def _merge_spans(spans: Iterable[tuple[int, int]]) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1] + 1:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def _strip_tail(text: str) -> str:
    return text.rstrip().rstrip(SUPERSCRIPTS + " ").rstrip(CLOSERS + " ").rstrip(SUPERSCRIPTS)


def _terminated(text: str) -> bool:
    tail = _strip_tail(text)
    return bool(tail) and tail[-1] in ".!?:;…"


def _starts_lower(text: str) -> bool:
    stripped = text.lstrip(" (" + OPEN_QUOTES + "'")
    return bool(stripped) and stripped[0].islower()


def titleish(text: str) -> bool:
    """Most words capitalised, as in a heading or a title."""
    significant = [
        w for w in text.split() if w.lower() not in _SMALL_WORDS and re.search(LETTER, w)
    ]
    if not significant:
        return False
    capitals = sum(1 for w in significant if w.lstrip(OPEN_QUOTES + "'(")[:1].isupper())
    return capitals / len(significant) >= 0.6


def _heading_style(text: str) -> str:
    match = _HEADING_NUMBER.match(text)
    if not match:
        return "plain"
    number = match["num"].lower()
    if number.split()[0] in ("chapter", "section", "part", "annex", "appendix"):
        return "chapter"
    if re.fullmatch(r"[ivx]+\.", number):
        return "roman"
    if re.fullmatch(r"[a-h]\.", number):
        return "letter"
    return "number" if re.fullmatch(r"\d{1,2}\.", number) else "dotted"


def _looks_like_heading(
    text: str,
    *,
    previous_terminated: bool,
    next_text: str | None,
    after_gap: bool,
    max_plain_length: float,
) -> bool:
    """A whole line that is a heading: short, title-like, not ending a sentence, after the end
    of a sentence and not continued in lower case on the next line."""
    stripped = text.strip()
    if not stripped or len(stripped) > 110:
        return False
    number = _HEADING_NUMBER.match(stripped)
    body = stripped[number.end() :] if number else stripped
    words = body.split()
    if not words or len(words) > (14 if number else 12):
        return False
    last = _strip_tail(re.sub(r"\s*\([^()]*\)$", "", stripped))[-1:]  # "Jones (ed.)"
    if last in ".,;!?" and not (number and len(words) <= 1):
        return False
    if not titleish(body):
        return False
    if not number and (
        len(stripped) > max_plain_length
        or body.count(",") >= 2
        or re.search(r", [a-z]", body)
        or body.count('"') % 2 == 1
        or body.count(LDQUO) != body.count(RDQUO)
        or body.count("(") != body.count(")")
    ):
        return False
    if not (previous_terminated or after_gap):
        return False
    first = (next_text or "").lstrip(BULLETS + " ")[:1]
    return not first.islower()


def _is_table_row(text: str) -> bool:
    """A row of a table or chart: mostly numbers (``Trade and transport 121.5 123.8 +1.9``),
    not ending a sentence."""
    tokens = text.split()
    numbers = sum(1 for token in tokens if _NUMERIC_CELL.fullmatch(token.strip("()[]")))
    # Or a row with a long label: it ends in two cells ("Health and social work 3,050 +7.4").
    cells = len(tokens) >= 3 and all(_CELL.fullmatch(token) for token in tokens[-2:])
    return numbers >= 2 and (numbers >= 0.4 * len(tokens) or cells) and not _terminated(text)


def _glued_heading_split(text: str, next_text: str | None) -> int | None:
    """Where the body starts on a line that begins with a numbered heading glued to its first
    sentence (``IV. China's Stance on Digital Trade China's stance on digital``), else None."""
    number = _HEADING_NUMBER.match(text)
    if not number:
        return None
    tokens = [
        (m.group(), m.start()) for m in re.finditer(r"\S+", text) if m.start() >= number.end()
    ]
    run_end = None
    for index, (token, _position) in enumerate(tokens):
        bare = token.lstrip(OPEN_QUOTES + "'(")
        if token.lower() not in _SMALL_WORDS and not bare[:1].isupper() and not bare[:1].isdigit():
            run_end = index
            break
    if run_end is None:
        # All title-like: the body starts on this line when the next line continues it.
        if next_text is not None and _starts_lower(next_text) and len(tokens) >= 2:
            return tokens[-1][1]
        return None
    # The body's first word is the last capitalised word before the first lower-case one.
    split = run_end - 1
    while split > 0 and (
        tokens[split][0].lower() in _SMALL_WORDS or not re.search(r"[A-Za-z]", tokens[split][0])
    ):
        split -= 1
    return tokens[split][1] if split >= 1 else None


def _lines(text: str, page_starts: Sequence[int], excluded: list[tuple[int, int]]) -> list[_Line]:
    """The non-empty lines that are not footnote entries or page footers, classified."""
    raw: list[tuple[int, int]] = []
    for match in re.finditer(r"[^\n]+", text):
        start, end = match.span()
        while start < end and text[start].isspace():
            start += 1
        while end > start and text[end - 1].isspace():
            end -= 1
        if start < end:
            raw.append((start, end))
    starts = list(page_starts) or [0]
    # Page footers: a page's first or last line when it is only a page number.
    first_or_last: dict[int, list[int]] = {}
    for index, (start, _end) in enumerate(raw):
        page_lines = first_or_last.setdefault(bisect.bisect_right(starts, start), [index, index])
        page_lines[1] = index
    footers = {
        index
        for pair in first_or_last.values()
        for index in pair
        if _PAGE_FOOTER.fullmatch(text[raw[index][0] : raw[index][1]])
    }
    # Running heads and footers, and contents pages (see .furniture).
    heads, contents = page_furniture(
        [text[start:end] for start, end in raw],
        [bisect.bisect_right(starts, start) for start, _end in raw],
    )
    footers |= heads | contents
    excluded_starts = [start for start, _end in excluded]
    lines: list[_Line] = []
    previous_end = 0
    gap = True
    for index, (start, end) in enumerate(raw):
        position = bisect.bisect_right(excluded_starts, start) - 1
        if index in footers or (position >= 0 and start < excluded[position][1]):
            gap = True
            continue
        page = bisect.bisect_right(starts, start)
        gap = gap or "\n\n" in text[previous_end:start] or (bool(lines) and page != lines[-1].page)
        line = _Line(start, end, text[start:end], page, gap_before=gap)
        if (line.text[:1] in BULLETS and line.text[1:2] == " ") or line.text[:1] in "•\uf0b7":
            line.start += len(line.text) - len(line.text[1:].lstrip())
            line.text = text[line.start : end]
            line.bullet = True
        lines.append(line)
        previous_end = end
        gap = False
    _classify(lines)
    return lines


def _classify(lines: list[_Line]) -> None:
    """Mark headings, captions and table-of-contents lines; split glued headings off."""
    lengths = sorted(len(line.text) for line in lines)
    # An unnumbered heading is clearly shorter than a full line of running text.
    max_plain_length = 0.8 * lengths[int(0.9 * (len(lengths) - 1))] if lengths else 1e9
    in_contents = False
    index = 0
    while index < len(lines):
        line = lines[index]
        previous = lines[index - 1] if index else None
        following = lines[index + 1] if index + 1 < len(lines) else None
        next_text = following.text if following else None
        previous_terminated = (
            previous is None or previous.kind != "body" or _terminated(previous.text)
        )
        if _CONTENTS.fullmatch(line.text):
            line.kind, in_contents = "heading", True
        elif in_contents and _TOC_PAGE_NUMBER.search(line.text):
            line.kind = "toc"  # "Abstract 3 Introduction 4 Chapter 1. The Economic"
        elif _DOT_LEADER.search(line.text):
            line.kind, in_contents = "toc", False
        elif _CAPTION.match(line.text) and len(line.text.split()) <= 25:
            line.kind, in_contents = "caption", False
            # A bracket may close on the next line: "… (Ethnic\nKazakhs in red)".
            if (
                line.text.count("(") > line.text.count(")")
                and following is not None
                and len(following.text.split()) <= 12
                and ")" in following.text
            ):
                following.kind = "caption"
                index += 1
        elif _looks_like_heading(
            line.text,
            previous_terminated=previous_terminated,
            next_text=next_text,
            after_gap=line.gap_before,
            max_plain_length=max_plain_length,
        ) and not (
            # The last line of a page that the next page continues is no heading.
            following is not None
            and following.page != line.page
            and len(line.text.split()) > 4
            and not _HEADING_NUMBER.match(line.text)
        ):
            line.kind, in_contents = "heading", False
        elif _is_table_row(line.text):
            line.kind, in_contents = "table", False
        elif (previous_terminated or line.gap_before) and (
            split := _glued_heading_split(line.text, next_text)
        ) is not None:
            body = _Line(line.start + split, line.end, line.text[split:], line.page, "body", True)
            line.text = line.text[:split].rstrip()
            line.end = line.start + len(line.text)
            line.kind, in_contents = "heading", False
            lines.insert(index + 1, body)
        elif match := _GLUED_TRAILING_HEADING.search(line.text):
            heading_text = line.text[match.start("heading") :]
            heading = _Line(
                line.end - len(heading_text), line.end, heading_text, line.page, "heading", True
            )
            line.text = line.text[: match.start("space")]
            line.end = line.start + len(line.text)
            lines.insert(index + 1, heading)
            in_contents = False
            index += 1
        else:
            in_contents = False
        index += 1


def _paragraphs(lines: list[_Line]) -> list[Paragraph]:
    """Group body lines into paragraphs, each with the sections it sits in."""
    typical = statistics.median([len(line.text) for line in lines if line.kind == "body"] or [80])
    blank_lines_used = any(line.gap_before for line in lines[1:] if line.kind == "body")
    styles: list[str] = []  # heading styles in order of appearance: their levels
    stack: list[tuple[int, str]] = []
    paragraphs: list[Paragraph] = []
    sections: frozenset[str] = frozenset()
    title = ""
    previous: _Line | None = None
    for line in lines:
        if line.kind == "heading":
            style = _heading_style(line.text)
            if style not in styles:
                styles.append(style)
            level = styles.index(style)
            while stack and stack[-1][0] >= level:
                stack.pop()
            stack.append((level, line.text))
            title = " / ".join(text for _level, text in stack)
            sections = frozenset(
                name for name, pattern in _SECTION_FLAGS.items() if pattern.search(title)
            )
        if line.kind != "body":
            previous = line
            continue
        new = (
            previous is None
            or previous.kind != "body"
            or line.gap_before
            or line.bullet
            # Without blank lines between paragraphs, a short line ending a sentence ends one.
            or (
                _terminated(previous.text)
                and len(previous.text) < 0.75 * typical
                and (not blank_lines_used or previous.text.endswith(('"', RDQUO)))
            )
        )
        if new:
            paragraphs.append(Paragraph([(line.start, line.end)], sections, title))
        else:
            last = paragraphs[-1].pieces
            last[-1] = (last[-1][0], line.end)
        previous = line
    return paragraphs


def _is_insert(paragraph: Paragraph, text: str) -> bool:
    """A short block that may sit inside a broken paragraph: a pull quote, a caption."""
    body = text[paragraph.start : paragraph.end].strip()
    return len(body.split()) <= 60 and (body[:1] in OPEN_QUOTES or len(body) < 200)


def _has_span_between(spans: list[tuple[int, int]], start: int, end: int) -> bool:
    """Whether one of the sorted ``spans`` lies within [start, end]."""
    index = bisect.bisect_left(spans, (start, -1))
    return index < len(spans) and spans[index][1] <= end


def _rejoin_broken(
    paragraphs: list[Paragraph],
    text: str,
    page_starts: Sequence[int],
    excluded: list[tuple[int, int]],
) -> list[Paragraph]:
    """Join a paragraph that stops mid-sentence with the one that continues it: the next that
    starts in lower case (past a pull quote set in between), or else the next one when a page
    break or footnotes come between or the last word cannot end a sentence."""
    result = list(paragraphs)
    starts = list(page_starts) or [0]
    index = 0
    while index < len(result):
        paragraph = result[index]
        body = text[paragraph.start : paragraph.end]
        continuation = None
        if not _terminated(body):
            for ahead in range(index + 1, min(index + 4, len(result))):
                if _starts_lower(text[result[ahead].start : result[ahead].end]):
                    continuation = ahead
                    break
                if not _is_insert(result[ahead], text):
                    break
            if continuation is None and index + 1 < len(result):
                following = result[index + 1]
                interrupted = bisect.bisect_right(starts, following.start) != bisect.bisect_right(
                    starts, paragraph.end
                ) or _has_span_between(excluded, paragraph.end, following.start)
                last_word = body.rsplit(None, 1)[-1].lower() if body.strip() else ""
                if (
                    interrupted or last_word in _CONTINUING_WORDS or body.endswith((",", "-"))
                ) and text[following.start] not in OPEN_QUOTES:
                    continuation = index + 1
        if continuation is None:
            index += 1
        else:
            paragraph.pieces.extend(result.pop(continuation).pieces)
    return result


def _footnote_spans(full_text: str, references: Iterable[Any]) -> list[tuple[int, int]]:
    """The references' spans, each widened to its whole lines."""
    spans = []
    for start, end in _merge_spans((reference.start, reference.end) for reference in references):
        line_end = full_text.find("\n", max(end - 1, 0))
        spans.append(
            (full_text.rfind("\n", 0, start) + 1, len(full_text) if line_end < 0 else line_end)
        )
    return _merge_spans(spans)


def running_paragraphs(
    full_text: str, page_starts: Sequence[int], references: Iterable[Any]
) -> list[Paragraph]:
    """The paragraphs of running text, broken ones joined up again."""
    excluded = _footnote_spans(full_text, references)
    lines = _lines(full_text, page_starts, excluded)
    return _rejoin_broken(_paragraphs(lines), full_text, page_starts, excluded)
