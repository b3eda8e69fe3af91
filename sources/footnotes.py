"""Footnotes and references parsed from a normalised full text (see :mod:`sources.normalise`).

Two styles are recognised:

- Superscript footnotes, as printed at the bottom of a page: an entry is a line that starts with
  superscript digits (``¹⁴ Abdurasulov, A. (2016) …`` or ``¹⁴Abdurasulov…``) and continues over
  its wrapped lines until the next entry, a blank line or the end of the page. Entry numbers
  increase through a document, which tells entries apart from a body line that happens to start
  with a marker. Markers are the superscript-digit runs elsewhere in the text.
- When there are no superscript entries: a numbered list (``[12] …``, ``12. …`` or ``12) …``)
  after a last "References", "Notes", "Endnotes" or "Bibliography" heading, numbered 1, 2, 3…
  Markers are then ``[12]`` or superscript digits before that heading.

Markers are only kept when a reference has their number. "Ibid." entries point (``repeats``) to
the nearest previous entry that is not an Ibid. All offsets are into the full text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sources.normalise import page_at

SUPERSCRIPT_DIGITS = "⁰¹²³⁴⁵⁶⁷⁸⁹"
_TO_SUPERSCRIPT = str.maketrans("0123456789", SUPERSCRIPT_DIGITS)
_FROM_SUPERSCRIPT = str.maketrans(SUPERSCRIPT_DIGITS, "0123456789")

_LINE = re.compile(r"^.*$", re.MULTILINE)
_SUPERSCRIPT_ENTRY = re.compile(rf"(?P<label>[{SUPERSCRIPT_DIGITS}]+) ?(?P<body>\S.*)")
_SUPERSCRIPT_RUN = re.compile(rf"[{SUPERSCRIPT_DIGITS}]+")
_LIST_HEADING = re.compile(
    r"(?:[\dIVX]+\.?\s+)?(?:references|notes|endnotes|footnotes|bibliography|works cited"
    r"|sources|literature)\s*:?",
    re.IGNORECASE,
)
_LIST_ENTRY = re.compile(r"(?P<label>\[(?P<n1>\d{1,4})\]|(?P<n2>\d{1,4})[.)])\s+(?P<body>\S.*)")
_BRACKET_MARKER = re.compile(r"\[(\d{1,4})\]")
_IBID = re.compile(r"ibid\b", re.IGNORECASE)
_REFERENCE_LIKE = re.compile(
    r"\b(?:1[5-9]|20)\d\d\b|https?://|www\.|\bn\.d\.|\bp\.\s*\d|\bibid\b", re.I
)
_URL = re.compile(r"<?(?:https?://|www\.)\S*", re.IGNORECASE)
_URL_TRAILING = ".,;:!?'\")]}>\u00bb\u201d\u2019"
# A line that continues a URL broken at the previous line end looks like a URL part.
_URL_PART = re.compile(r"[\w%~+]*[./_\-=?&#%~][\w./_\-=?&#%~+:@!$,;*'()]*")


@dataclass(frozen=True)
class ParsedReference:
    number: int
    label: str
    content: str
    url: str
    start: int
    end: int
    page: int
    repeats: int | None = None


@dataclass(frozen=True)
class ParsedMarker:
    number: int
    start: int
    end: int
    page: int


@dataclass(frozen=True)
class ParsedFootnotes:
    references: list[ParsedReference]
    markers: list[ParsedMarker]


def to_superscript(number: int) -> str:
    return str(number).translate(_TO_SUPERSCRIPT)


def from_superscript(digits: str) -> int:
    return int(digits.translate(_FROM_SUPERSCRIPT))


def parse_footnotes(full_text: str, page_starts: list[int]) -> ParsedFootnotes:
    lines = [(match.start(), match.end()) for match in _LINE.finditer(full_text)]
    references = _superscript_references(full_text, lines, page_starts)
    if references:
        markers = _markers(full_text, page_starts, references, _SUPERSCRIPT_RUN, 0, len(full_text))
        return ParsedFootnotes(references, markers)
    return _numbered_list(full_text, lines, page_starts)


@dataclass
class _Candidate:
    number: int
    line: int  # index into lines
    label_end: int
    weight: int


def _superscript_references(
    text: str, lines: list[tuple[int, int]], page_starts: list[int]
) -> list[ParsedReference]:
    page_start_set = set(page_starts)
    candidates = []
    for index, (start, end) in enumerate(lines):
        match = _SUPERSCRIPT_ENTRY.fullmatch(text, start, end)
        if match is None:
            continue
        number = from_superscript(match["label"])
        if number == 0:
            continue
        # Entries usually start a paragraph and read like a reference; body lines rarely do.
        starts_paragraph = (
            start in page_start_set or index == 0 or lines[index - 1][0] == (lines[index - 1][1])
        )
        weight = 1 + starts_paragraph + bool(_REFERENCE_LIKE.search(text, start, end))
        candidates.append(_Candidate(number, index, match.start("body"), weight))
    chosen = _heaviest_increasing_chain(candidates)
    entry_lines = {candidate.line for candidate in chosen}
    references = []
    for candidate in chosen:
        last = _last_line(lines, candidate.line, entry_lines, page_start_set)
        references.append(
            _reference(text, lines, candidate.line, last, candidate.label_end, page_starts)
        )
    return _resolve_ibid(references)


def _last_line(
    lines: list[tuple[int, int]], first: int, entry_lines: set[int], page_start_set: set[int]
) -> int:
    """The last line of an entry: it runs up to a blank line, the next entry or the page end."""
    last = first
    while (
        last + 1 < len(lines)
        and lines[last + 1][0] != lines[last + 1][1]
        and last + 1 not in entry_lines
        and lines[last + 1][0] not in page_start_set
    ):
        last += 1
    return last


def _heaviest_increasing_chain(candidates: list[_Candidate]) -> list[_Candidate]:
    """The candidates with strictly increasing numbers and the largest total weight.

    A quadratic dynamic programme: documents have at most a few hundred candidate lines.
    """
    best: list[int] = []
    previous: list[int | None] = []
    for i, candidate in enumerate(candidates):
        best.append(candidate.weight)
        previous.append(None)
        for j in range(i):
            if candidates[j].number < candidate.number and best[j] + candidate.weight > best[i]:
                best[i] = best[j] + candidate.weight
                previous[i] = j
    if not candidates:
        return []
    index: int | None = max(range(len(candidates)), key=lambda i: (best[i], -i))
    chain = []
    while index is not None:
        chain.append(candidates[index])
        index = previous[index]
    return chain[::-1]


def _reference(
    text: str,
    lines: list[tuple[int, int]],
    first: int,
    last: int,
    body_start: int,
    page_starts: list[int],
) -> ParsedReference:
    start = lines[first][0]
    end = lines[last][1]
    label = text[start:body_start].strip()
    parts = [text[body_start : lines[first][1]].strip()]
    parts += [text[s:e].strip() for s, e in lines[first + 1 : last + 1]]
    number_text = label.translate(_FROM_SUPERSCRIPT).strip("[].)")
    return ParsedReference(
        number=int(number_text),
        label=label,
        content=" ".join(part for part in parts if part),
        url=_first_url(parts),
        start=start,
        end=end,
        page=page_at(page_starts, start),
    )


def _first_url(lines: list[str]) -> str:
    """The first web address in an entry, re-joined when it was broken over lines."""
    for index, line in enumerate(lines):
        match = _URL.search(line)
        if match is None:
            continue
        url = match.group()
        following = lines[index + 1 :]
        if url.startswith("<"):
            # RFC 3986, appendix C: whitespace inside <...> is not part of the address.
            rest = line[match.end() :]
            while ">" not in url + rest and following:
                rest += following.pop(0)
            url = (url + rest).split(">", 1)[0].lstrip("<")
            url = "".join(url.split())
        else:
            # A bare address broken at the line end continues with the next line's first
            # word when that word looks like part of an address and the line ended mid-URL.
            while match.end() == len(line) and following and url[-1] in "/-_.?=&#:~%":
                next_word = following[0].split(" ", 1)[0]
                if not _URL_PART.fullmatch(next_word):
                    break
                url += next_word
                line = following.pop(0)
                match = re.match(r"\S*", line)
        url = url.rstrip(_URL_TRAILING)
        if url.lower().startswith("www."):
            url = "http://" + url
        if "." in url:
            return url
    return ""


def _resolve_ibid(references: list[ParsedReference]) -> list[ParsedReference]:
    resolved = []
    original: int | None = None
    for reference in references:
        if _IBID.match(reference.content):
            reference = ParsedReference(**{**reference.__dict__, "repeats": original})
        else:
            original = reference.number
        resolved.append(reference)
    return resolved


def _markers(
    text: str,
    page_starts: list[int],
    references: list[ParsedReference],
    pattern: re.Pattern[str],
    start: int,
    end: int,
) -> list[ParsedMarker]:
    numbers = {reference.number for reference in references}
    spans = [(reference.start, reference.end) for reference in references]
    markers = []
    for match in pattern.finditer(text, start, end):
        number = int(
            (match.group(1) if match.groups() else match.group()).translate(_FROM_SUPERSCRIPT)
        )
        inside_entry = any(s <= match.start() < e for s, e in spans)
        if number in numbers and not inside_entry:
            markers.append(
                ParsedMarker(
                    number, match.start(), match.end(), page_at(page_starts, match.start())
                )
            )
    return markers


def _numbered_list(
    text: str, lines: list[tuple[int, int]], page_starts: list[int]
) -> ParsedFootnotes:
    headings = [i for i, (s, e) in enumerate(lines) if _LIST_HEADING.fullmatch(text, s, e)]
    if not headings:
        return ParsedFootnotes([], [])
    heading = headings[-1]
    page_start_set = set(page_starts)
    entries: list[tuple[int, int]] = []  # (line index, body start)
    expected = 1
    for index in range(heading + 1, len(lines)):
        match = _LIST_ENTRY.fullmatch(text, *lines[index])
        if match is not None and int(match["n1"] or match["n2"]) == expected:
            entries.append((index, match.start("body")))
            expected += 1
    if len(entries) < 2:
        return ParsedFootnotes([], [])
    entry_lines = {index for index, _ in entries}
    references = []
    for index, body_start in entries:
        last = _last_line(lines, index, entry_lines, page_start_set)
        references.append(_reference(text, lines, index, last, body_start, page_starts))
    references = _resolve_ibid(references)
    body_end = lines[heading][0]
    markers = _markers(text, page_starts, references, _BRACKET_MARKER, 0, body_end)
    markers += _markers(text, page_starts, references, _SUPERSCRIPT_RUN, 0, body_end)
    markers.sort(key=lambda marker: marker.start)
    return ParsedFootnotes(references, markers)
