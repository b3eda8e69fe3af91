"""Characters and word lists shared by the candidate modules."""

from __future__ import annotations

import re

SUPERSCRIPTS = "⁰¹²³⁴⁵⁶⁷⁸⁹"
# Typographic quotes and dashes, written as escapes (in an editor they pass for ASCII ones).
LSQUO, RSQUO, LDQUO, RDQUO, NDASH, MDASH = (
    "\u2018",
    "\u2019",
    "\u201c",
    "\u201d",
    "\u2013",
    "\u2014",
)
SUPERSCRIPT_RUN = re.compile(f"[{SUPERSCRIPTS}]+")
# A letter of any alphabet (Latin, Cyrillic, …): \w without digits and the underscore.
LETTER = r"[^\W\d_]"
OPEN_QUOTES = '"' + LDQUO + LSQUO + "«"
CLOSERS = '"' + RDQUO + RSQUO + "')]»"


def words(text: str) -> frozenset[str]:
    return frozenset(text.split())
