"""Page furniture: lines of a paged text that are not running text, found by where they stand on
the page and how they repeat, not by their words, so in any language.

- **Running heads and footers**: a line among the first or last two of a page that recurs,
  digits aside, on at least :data:`MIN_REPEATS` pages (``Statistical Report 4/2024 · Page 3 of
  8``), or that starts or ends with the printed page number where the pages agree on how
  printed numbers follow the page order (``4 KAPITEL 2. DER STROMMARKT``, ``2.3. PREISBILDUNG
  5``).
- **Contents pages**: a page where at least half the lines are entries ending in a page number,
  those numbers mostly rising down the page (a table's last column does not), so that entries
  wrapped over two lines and "List of tables" headings on it go too.

Hand-written: the PDF layout tools on PyPI that strip headers and footers (pdfplumber crops,
PyMuPDF margins) work on page geometry, which a stored full text no longer has.
"""

from __future__ import annotations

import itertools
import re
from collections import defaultdict
from collections.abc import Sequence

#: A line recurring (digits aside) at the top or bottom of this many pages is a running head.
MIN_REPEATS = 3
_EDGE = 2  # lines at the top and at the bottom of a page that may be running heads or footers
_MAX_HEAD_WORDS = 12
_LEADING_NUMBER = re.compile(r"(\d{1,4})\s")
_TRAILING_NUMBER = re.compile(r"\s(\d{1,4})$")
# A contents entry: some words, then (after a leader or a space) a page number ending the line.
_ENTRY = re.compile(r"(?=.*[^\W\d_]{3}).*?(?:\s|(?<!\d)[.\u2026\u00b7_])(\d{1,4})")


def _key(line: str) -> str:
    return " ".join(re.sub(r"\d+", "#", line.lower()).split())


def _edges(indices: list[int]) -> list[int]:
    return sorted(set(indices[:_EDGE] + indices[-_EDGE:]))


def _running_heads(lines: Sequence[str], pages: dict[int, list[int]]) -> set[int]:
    pages_of_key: dict[str, set[int]] = defaultdict(set)
    numbered: list[tuple[int, int, int]] = []  # (printed number - page number, page, line)
    for page, indices in pages.items():
        for index in _edges(indices):
            text = lines[index]
            pages_of_key[_key(text)].add(page)
            if len(text.split()) <= _MAX_HEAD_WORDS:
                for match in (_LEADING_NUMBER.match(text), _TRAILING_NUMBER.search(text)):
                    if match:
                        numbered.append((int(match.group(1)) - page, page, index))
    heads = {
        index
        for indices in pages.values()
        for index in _edges(indices)
        if len(pages_of_key[_key(lines[index])]) >= MIN_REPEATS
    }
    # Printed page numbers follow the page order at a fixed offset (front matter aside).
    pages_by_offset: dict[int, set[int]] = defaultdict(set)
    for offset, page, _index in numbered:
        pages_by_offset[offset].add(page)
    if pages_by_offset:
        offset = max(pages_by_offset, key=lambda o: len(pages_by_offset[o]))
        if len(pages_by_offset[offset]) >= MIN_REPEATS:
            heads.update(index for o, _page, index in numbered if o == offset)
    return heads


def _is_contents_page(lines: Sequence[str], indices: list[int]) -> bool:
    numbers = [
        int(match.group(1)) for index in indices if (match := _ENTRY.fullmatch(lines[index]))
    ]
    if len(numbers) < 4 or len(numbers) < 0.5 * len(indices):
        return False
    rising = sum(1 for a, b in itertools.pairwise(numbers) if b >= a)
    return rising >= 0.8 * (len(numbers) - 1)


def page_furniture(lines: Sequence[str], line_pages: Sequence[int]) -> tuple[set[int], set[int]]:
    """The indices of ``lines`` (a text's non-empty lines, stripped, in order, with the page
    each is on) that are running heads or footers, and those on contents pages."""
    pages: dict[int, list[int]] = defaultdict(list)
    for index, page in enumerate(line_pages):
        pages[page].append(index)
    heads = _running_heads(lines, pages) if len(pages) >= MIN_REPEATS else set()
    contents = set()
    for indices in pages.values():
        rest = [index for index in indices if index not in heads]
        if _is_contents_page(lines, rest):
            contents.update(rest)
    return heads, contents
