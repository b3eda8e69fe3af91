"""Normalise extracted pages into one full text with page offsets.

Evidence quotes are anchored by character offsets into the full text, so everything here is
deterministic: the same pages always give the same text. The rules, in the order applied:

1. Unicode NFC. Not NFKC: NFKC would turn superscript footnote markers (``¹⁴``) into plain digits.
2. Typographic ligatures (ﬀ ﬁ ﬂ ﬃ ﬄ ﬅ ﬆ) are expanded to their letters.
3. Soft hyphens, zero-width spaces, byte-order marks and other control characters are removed.
4. NBSP and the other Unicode spaces, and tabs, become a plain space; CR, CRLF, form feeds and
   the Unicode line/paragraph separators become ``\\n``.
5. Runs of spaces collapse to one space, and every line is stripped.
6. The page-number footer is removed: the last non-empty line of a page when it is nothing but a
   page number (``4``, ``Page 4``, ``p. 4``, ``4 of 16``, ``4/16``, ``- 4 -``).
7. Words hyphenated across a line end are put back on one line: ``devel-\\nopment of`` becomes
   ``development\\nof`` and ``top-\\ndown approach`` becomes ``top-down\\napproach`` (the line
   break moves to after the completed word). Whether the hyphen is kept is decided by
   :func:`_keep_hyphen`. This only happens within a page, never across a page break.
8. Runs of blank lines collapse to one blank line; a page has no leading or trailing blank lines.

Line breaks within a page are kept (the reader shows the text with its lines); a blank line
separates paragraphs where the extractor could tell them apart. Pages are joined with ``\\n\\n``
and ``page_starts[i]`` is the offset of the first character of page ``i + 1``. Every page has an
entry; an empty page owns no characters, so its start equals the start of the next page (or
the length of the text for trailing empty pages) and :func:`page_at` never returns it.
"""

from __future__ import annotations

import bisect
import itertools
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass

PAGE_SEPARATOR = "\n\n"

_LIGATURES = {"ﬀ": "ff", "ﬁ": "fi", "ﬂ": "fl", "ﬃ": "ffi", "ﬄ": "ffl", "ﬅ": "st", "ﬆ": "st"}
_SPACES = "\t\v\u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a"
_SPACES += "\u202f\u205f\u3000"
_NEWLINES = "\f\x1c\x1d\x1e\x85\u2028\u2029"
# Removed outright: soft hyphen, zero-width space, word joiner, BOM, and C0/C1 controls.
_REMOVED = (
    "\u00ad\u200b\u2060\ufeff"
    + "".join(
        chr(c) for c in [*range(0x00, 0x09), *range(0x0E, 0x1C), 0x1F, 0x7F, *range(0x80, 0x85)]
    )
    + "".join(chr(c) for c in range(0x86, 0xA0))
)

_TRANSLATION = str.maketrans(
    {
        **_LIGATURES,
        **dict.fromkeys(_SPACES, " "),
        **dict.fromkeys(_NEWLINES, "\n"),
        **dict.fromkeys(_REMOVED, None),
    }
)

_SPACE_RUN = re.compile(r" {2,}")
_BLANK_RUNS = re.compile(r"\n{3,}")
_PAGE_NUMBER_LINE = re.compile(
    r"(?:(?:page|p\.|pg\.?)\s*)?\d{1,4}(?:\s*(?:of|/)\s*\d{1,4})?|[-\u2013\u2014]\s*\d{1,4}\s*[-\u2013\u2014]",
    re.IGNORECASE,
)
# A word broken at a line end: letters (the left part may itself hold hyphens or a URL), a
# hyphen, the line break, then the rest of the word up to the next space or line end.
_LINE_END_HYPHEN = re.compile(r"(?P<left>\S*[^\W\d_])-\n(?P<right>[^\W_]\S*)(?P<after> |\n|$)")
_WORD = re.compile(r"[^\W\d_]+")
_COMPOUND = re.compile(r"[^\W\d_]+(?:-[^\W\d_]+)+")
_TRAILING_WORD = re.compile(r"[^\W\d_]+$")

# Prefixes that are written with a hyphen in English compounds (co-optive, re-education).
_HYPHEN_PREFIXES = frozenset(
    [
        "all",
        "anti",
        "co",
        "counter",
        "cross",
        "ex",
        "extra",
        "half",
        "inter",
        "intra",
        "macro",
        "mega",
        "micro",
        "mid",
        "multi",
        "neo",
        "non",
        "over",
        "post",
        "pre",
        "pro",
        "pseudo",
        "quasi",
        "re",
        "self",
        "semi",
        "socio",
        "sub",
        "super",
        "trans",
        "ultra",
        "un",
        "under",
        "well",
    ]
)


@dataclass(frozen=True)
class NormalisedText:
    full_text: str
    page_starts: list[int]

    def page_at(self, offset: int) -> int:
        """The 1-based page number that holds the character at ``offset``."""
        return page_at(self.page_starts, offset)


def page_at(page_starts: list[int], offset: int) -> int:
    """The 1-based page number for a character offset, given the pages' start offsets."""
    return max(bisect.bisect_right(page_starts, offset), 1)


def normalise_pages(raw_pages: list[str], *, strip_page_numbers: bool = True) -> NormalisedText:
    """Normalise raw page texts and join them into one text (see the module docstring).

    ``strip_page_numbers`` removes a page-number footer line at the end of each page; turn it
    off for sources that have no printed pages (a text file with one page).
    """
    pages = [_clean_page(raw, strip_page_numbers=strip_page_numbers) for raw in raw_pages]
    lexicon = _Lexicon(pages)
    pages = [_finish_page(page, lexicon) for page in pages]

    parts: list[str] = []
    page_starts: list[int] = []
    offset = 0
    pending: list[int] = []  # empty pages waiting for the start of the next non-empty one
    for page in pages:
        if not page:
            pending.append(len(page_starts))
            page_starts.append(0)
            continue
        if parts:
            offset += len(PAGE_SEPARATOR)
        for index in pending:
            page_starts[index] = offset
        pending.clear()
        page_starts.append(offset)
        parts.append(page)
        offset += len(page)
    for index in pending:
        page_starts[index] = offset
    return NormalisedText(PAGE_SEPARATOR.join(parts), page_starts)


def normalise_line_text(text: str) -> str:
    """Character-level normalisation only (rules 1 to 5), for short strings such as queries."""
    text = unicodedata.normalize("NFC", text.replace("\r\n", "\n").replace("\r", "\n"))
    text = text.translate(_TRANSLATION)
    return "\n".join(_SPACE_RUN.sub(" ", line).strip() for line in text.split("\n"))


def _clean_page(raw: str, *, strip_page_numbers: bool) -> str:
    lines = normalise_line_text(raw).split("\n")
    if strip_page_numbers:
        last = len(lines) - 1
        while last >= 0 and not lines[last]:
            last -= 1
        if last >= 0 and _PAGE_NUMBER_LINE.fullmatch(lines[last]):
            del lines[last:]
    return "\n".join(lines)


def _finish_page(page: str, lexicon: _Lexicon) -> str:
    def join(match: re.Match[str]) -> str:
        left, right = match["left"], match["right"]
        hyphen = "-" if lexicon.keep_hyphen(left, right) else ""
        after = "" if match["after"] == "" else "\n"
        return f"{left}{hyphen}{right}{after}"

    page = _LINE_END_HYPHEN.sub(join, page)
    return _BLANK_RUNS.sub("\n\n", page).strip("\n")


class _Lexicon:
    """Word counts of the whole document, used to decide line-end hyphens."""

    def __init__(self, pages: list[str]) -> None:
        # Count words with the line-end hyphenations masked, so a broken word does not vouch
        # for itself.
        text = _LINE_END_HYPHEN.sub(" ", "\n".join(pages)).lower()
        self.words = Counter(_WORD.findall(text))
        self.hyphen_pairs: Counter[tuple[str, str]] = Counter()
        for compound in _COMPOUND.findall(text):
            parts = compound.split("-")
            self.hyphen_pairs.update(itertools.pairwise(parts))

    def keep_hyphen(self, left: str, right: str) -> bool:
        # Evidence from the document itself comes first: if the pair is written hyphenated
        # elsewhere in it ("top-down"), keep the hyphen; if the joined word occurs
        # ("development"), drop it. Without evidence, keep the hyphen for URLs, capitalised or
        # numeric second parts (Sino-Kazakh, COVID-19), known prefixes (co-optive) and when both
        # halves are words of the document (world-class); otherwise a half that is not a word
        # on its own ("devel", "opment") means the word was broken by hyphenation, so join it.
        if "/" in left or "www." in left.lower() or "@" in left:
            return True
        trailing = _TRAILING_WORD.search(left)
        leading = _WORD.match(right)
        if trailing is None or leading is None:
            return True
        first, second = trailing.group().lower(), leading.group()
        hyphenated = self.hyphen_pairs[(first, second.lower())]
        joined = self.words[first + second.lower()]
        if hyphenated or joined:
            return hyphenated >= joined
        if not second[0].islower() or right[0].isdigit():
            return True
        if first in _HYPHEN_PREFIXES or len(first) <= 2:
            return True
        return bool(self.words[first] and self.words[second.lower()])
