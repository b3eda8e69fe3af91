"""Candidate evidence proposed from an ingested source, for analysts to accept or reject in bulk.

Pure Python, no Django models: the ingestion task passes in what :mod:`sources.extractors`
produced (``full_text``, ``page_starts``, ``references`` and ``markers``) and stores the result.

Three steps:

1. **Structure.** The full text is cut into lines. Footnote entries (the references' spans),
   page-number footers, table-of-contents lines, headings (also where the PDF glued one onto a
   body line: ``… rise of China. II. Introduction:``) and figure captions are not running text.
   The remaining lines are grouped into paragraphs, each with the section it sits in (abstract,
   executive summary, conclusion, recommendations). A paragraph broken off mid-sentence by a
   page end, its footnotes or a pull quote set in between is joined up again.
2. **Sentences.** Paragraphs are split at ``.``, ``!`` and ``?`` followed by a space and a
   capital, a digit or an opening quote or bracket, except after abbreviations (``e.g.``,
   ``p.``, ``Dr.``), initials (``J.``) and acronyms (``U.S.``) that do not end the sentence.
   Closing quotes, brackets and footnote markers after the stop belong to the sentence, and so
   does an author-date citation after it (``… of force.” (Nye, 2004 5)``).
3. **Selection.** Each sentence gets a score (see :func:`_score`) for its figures (money,
   percentages, counts, dates; :func:`parse_figures`), direct quotations of five words or more,
   pull quotes, recommendations (modal verbs, recommendation sections) and findings (abstract,
   executive summary and conclusion sections; wording that states a finding; a cited source).
   Sentences scoring at least :data:`MIN_SCORE` are proposed, best first. A sentence printed
   twice (an executive summary repeated at the top) is proposed once, at its first occurrence.

A :class:`Candidate` is anchored by offsets: ``text == full_text[start:end]`` exactly. When a
sentence runs across a page break or a footnote block, its span covers the interruption too;
``gaps`` lists the interrupting spans and :attr:`Candidate.clean_text` is the sentence without
them.

Sentence splitting is written here rather than taken from PyPI: the maintained rule-based
splitters that need no model download (sentencex, nupunkt, pysbd) were tried on the corpus and
handle abbreviations about as well, but none returns offsets into our text, all attach a
footnote marker after a full stop (``versa.² As``) to the wrong sentence or fail to split there,
pysbd breaks wrapped lines into fragments, and the structural work (footnotes, headings glued
to text, page breaks) has to happen before any of them could run. Likewise for figures:
quantulum3 and price-parser do not know counted nouns, years of reference or ``$`` context.
"""

from __future__ import annotations

import bisect
import re
import statistics
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

__all__ = [
    "KINDS",
    "MIN_SCORE",
    "Candidate",
    "Figure",
    "Sentence",
    "extract_candidates",
    "parse_figures",
    "split_sentences",
]

KINDS = ("statistic", "quotation", "finding", "recommendation", "context")

#: Sentences scoring below this are not proposed (chosen on the demo corpus; see the tests).
MIN_SCORE = 1.5

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
_SUPERSCRIPT_RUN = re.compile(f"[{SUPERSCRIPTS}]+")
_OPEN_QUOTES = '"' + LDQUO + LSQUO + "«"
_CLOSERS = '"' + RDQUO + RSQUO + "')]»"


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


# --- Figures -------------------------------------------------------------------------------------


@dataclass
class Figure:
    """A figure stated in a sentence.

    ``unit`` is ``"USD"`` (or ``"EUR"``, ``"GBP"``) for money, with ``value`` in units
    (``$1.9bn`` → 1.9e9); ``"%"`` for percentages; ``"count"`` for counts, with the counted noun
    as ``label``; ``"year"`` when the figure is itself a date. ``year`` is the year the figure
    refers to when the sentence says it (``in 2011``, ``by early 2018``). ``label`` is a short
    label from the nearby words, ``text`` the figure as written, ``high`` the upper bound of a
    range (``4.5%-7.0%``).
    """

    value: float
    unit: str
    year: int | None
    label: str
    text: str
    high: float | None = None

    @property
    def is_duration(self) -> bool:
        """A span of time ("30 years", "six months"): weak evidence on its own."""
        return self.unit == "count" and self.label.split(" ")[0] in _TIME_WORDS


_SCALES = {"thousand": 1e3, "million": 1e6, "billion": 1e9, "trillion": 1e12}
_SCALE_ABBREVIATIONS = {"k": 1e3, "m": 1e6, "mn": 1e6, "mln": 1e6, "b": 1e9, "bn": 1e9}
_SCALE_ABBREVIATIONS |= {"tn": 1e12, "trn": 1e12}
_WORD_NUMBERS = {
    word: number
    for number, word in enumerate(
        re.findall(
            r"\w+",
            "zero one two three four five six seven eight nine ten eleven twelve thirteen "
            "fourteen fifteen sixteen seventeen eighteen nineteen twenty",
        )
    )
    if number >= 2
}
_WORD_NUMBERS |= {"thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70}
_WORD_NUMBERS |= {"eighty": 80, "ninety": 90, "hundred": 100, "dozen": 12}
_MONTHS = _words(
    "january february march april may june july august september october november december "
    "jan feb mar apr jun jul aug sep sept oct nov dec"
)
_TIME_WORDS = _words(
    "years year months month weeks week days day decades decade hours minutes centuries century"
)
_CURRENCY_SYMBOLS = {"$": "USD", "US$": "USD", "€": "EUR", "£": "GBP"}
_CURRENCY_WORDS = {"usd": "USD", "us dollars": "USD", "u.s. dollars": "USD", "dollars": "USD"}
_CURRENCY_WORDS |= {"eur": "EUR", "euro": "EUR", "euros": "EUR", "gbp": "GBP"}

_NUMBER = r"(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?"
_NUMBER_TOKEN = re.compile(
    r"(?P<cur>(?:US\$|\\?\$|€|£|USD|EUR|GBP)\s?)?"
    rf"(?P<num>{_NUMBER})"
    r"(?:-odd)?"
    r"(?:\s?(?P<scale>thousand|million|billion|trillion)\b|(?P<abbr>bn|mn|mln|tn|trn|[kmb])\b)?"
    r"(?P<pct>\s?(?:%|per\s?cent\b|percent\b))?"
    r"(?P<cursuffix>\s(?:USD|EUR|GBP|US dollars|U\.S\. dollars|dollars|euros?)\b)?"
)
_WORD_NUMBER_TOKEN = re.compile(
    r"\b(?:(?P<half>half a)|(?P<one>one|a)|(?P<word>"
    + "|".join(sorted(_WORD_NUMBERS, key=len, reverse=True))
    + r"))\b(?:\s(?P<scale>thousand|million|billion|trillion)\b)?",
    re.IGNORECASE,
)
_DATE = re.compile(
    r"\b(?:(?P<day1>\d{1,2})\s+(?P<month1>[A-Z][a-z]{2,8})\.?,?\s+(?P<year1>\d{4})"
    r"|(?P<month2>[A-Z][a-z]{2,8})\.?\s+(?:(?P<day2>\d{1,2})(?:st|nd|rd|th)?,?\s+)?"
    r"(?P<year2>\d{4}))\b"
)
_YEAR_RANGE = re.compile(
    r"\b(?:between|from)\s+(?P<a>\d{4})\s+(?:and|to|-|\u2013)\s+(?P<b>\d{4})\b"
    r"|\b(?P<c>\d{4})\s?[-\u2013]\s?(?P<d>\d{4})\b",
    re.IGNORECASE,
)
_YEAR = re.compile(r"(?<![\d,.$])\b(1[89]\d\d|20\d\d)\b(?!\d|[.,]\d|\s?%|\s?(?:million|billion))")
_DECADE = re.compile(r"\b(?P<year>1[89]\d0|20\d0)['\u2019]?s\b")
_CITATION = re.compile(r"\([A-Z][^()]{0,80}?(?:1[89]|20)\d\d[^()]{0,20}\)")
_WORD = re.compile(r"(?:[A-Za-z]\.){2,}|[A-Za-z][\w'\u2019-]*(?:\.[\w'\u2019-]+)*|\S")
_PLAIN_WORD = re.compile(r"(?:[A-Za-z]\.){2,}|[A-Za-z][\w'\u2019-]*")

# Words that end the counted noun after a figure ("4,000 joint ventures in …").
_LABEL_STOP = _words(
    """in on at by to of for from with and or but than per as is are was were be been being has
    have had will would can could may might should must shall do does did that which who whom
    whose when where while it its their his her our this these those there here the a an not no
    some any each every such so if then also only just still even about around over under more
    less most least nearly almost approximately roughly up down into onto upon between among
    through during since until before after within without against worth live lives lived make
    made become became remain remained seem seemed appear appeared come came go went get got take
    took work worked study studied say said see saw show showed need needed want wanted include
    included reach reached grow grew rise rose fall fell annually alone year"""
)
# Words skipped when looking back from a figure for its label ("total worth exceeded $27bn").
_BACK_SKIP = _words(
    """of for to at in on by worth reached amounted exceeded exceed exceeds increased increase
    accumulated totalled totaled totaling totalling stood rose fell dropped grew set nearly almost
    approximately about around roughly some over under more than less least only just up
    estimated valued is was were are be been reaching exceeding amounting a alone then"""
)
_BACK_STOP = _words(
    """the a an this that these those it its they their there which who whose whom and or but
    while with as when where if he she we i his her our your my"""
)
_PREPOSITIONS = _words("of in on for to from at by with")
# Nouns that a number after them names rather than counts: Chapter 14, Article 5.
_NUMBERED_NOUNS = _words(
    """chapter article section figure fig table annex appendix part phase stage level page vol
    volume no number item point step round rule principle resolution act law decree title
    paragraph para clause class grade tier"""
)


@dataclass
class _Token:
    start: int
    end: int
    value: float
    text: str
    currency: str | None = None
    scale: float = 1.0
    percent: bool = False
    year_like: bool = False
    written: bool = False
    high: float | None = None
    label: str = ""
    unit: str = ""
    year: int | None = None


def _words_after(text: str, position: int, limit: int = 8) -> list[str]:
    words = []
    for match in _WORD.finditer(text, position):
        words.append(match.group())
        if len(words) >= limit:
            break
    return words


def _words_before(text: str, position: int, limit: int = 8) -> list[str]:
    """The words before ``position``, nearest first."""
    words = [m.group() for m in _WORD.finditer(text[max(0, position - 120) : position])]
    return list(reversed(words[-limit:]))


def _is_word(token: str) -> bool:
    """A word, or an acronym like "U.S."."""
    return bool(_PLAIN_WORD.fullmatch(token))


def _forward_label(text: str, position: int, *, after_preposition: bool) -> str:
    """The noun phrase right after a figure: ``4,000 joint ventures`` → "joint ventures";
    with ``after_preposition``, also ``49% share of Khorgos``, ``$1.2 billion in oilseed
    processing``."""
    words = _words_after(text, position)
    joiners = ("of", "and", "in", "to") if after_preposition else ("of", "and")
    index = 0
    if after_preposition and words and words[0].lower() in ("of", "in", "on"):
        index = 1
        while index < len(words) and words[index].lower() in ("the", "a", "an"):
            index += 1
    label: list[str] = []
    joined = False
    while index < len(words) and len(label) < 5:
        word = words[index]
        lower = word.lower()
        if not _is_word(word) or re.fullmatch(r"\d{4}", word):
            break
        if lower in _LABEL_STOP:
            following = words[index + 1] if index + 1 < len(words) else ""
            if (
                lower in joiners
                and label
                and not joined
                and _is_word(following)
                and following.lower() not in _LABEL_STOP
            ):
                joined = True
                label.append(word)
                index += 1
                continue
            break
        if label and label[-1].endswith("s") and re.fullmatch(r"[a-z]+(?:ed|ing)", word):
            break  # a verb after a plural: "jobs created by 2021", "students studying"
        label.append(word)
        index += 1
    return " ".join(label)


def _backward_label(text: str, position: int) -> str:
    """The noun phrase before a figure: ``total worth exceeded $27 billion`` → "total worth"."""
    words = _words_before(text, position, limit=10)
    index = 0
    while index < len(words) and (
        words[index].lower() in _BACK_SKIP or re.fullmatch(r"[a-z]+ed", words[index])
    ):
        index += 1
    label: list[str] = []
    used_preposition = False
    while index < len(words) and len(label) < 4:
        word = words[index]
        lower = word.lower()
        if not _is_word(word) or lower in _BACK_STOP or re.fullmatch(r"[a-z]+ed", word):
            break
        if lower in _PREPOSITIONS:
            if used_preposition or not label:
                break
            used_preposition = True
        label.append(word)
        index += 1
    while label and label[-1].lower() in _PREPOSITIONS:
        label.pop()
    return " ".join(reversed(label))


def _is_date(match: re.Match[str]) -> bool:
    month = (match["month1"] or match["month2"]).lower().rstrip(".")
    return month in _MONTHS and 1800 <= int(match["year1"] or match["year2"]) <= 2100


def _digit_tokens(text: str, skipped: list[tuple[int, int]]) -> Iterable[_Token]:
    for match in _NUMBER_TOKEN.finditer(text):
        start = match.start("num")
        before, after, raw = text[:start], text[match.end() :], match["num"]
        if any(s <= start < e for s, e in skipped):
            continue
        # Part of a word, code or identifier: COVID-19, 5G, G20, 9/11, 14th, p. 13, (1).
        if before and (before[-1].isalnum() or before[-1] in "/_"):
            continue
        if len(before) >= 2 and before[-1] in "-" + NDASH and before[-2].isalpha():
            continue
        unitless = not (match["scale"] or match["abbr"] or match["pct"])
        if unitless and after[:1] and (after[0].isalnum() or after[0] in "/_"):
            continue
        if re.search(r"\b(?:p|pp|no|vol|art|ch)\.\s?$", before, re.IGNORECASE):
            continue
        if before.endswith("(") and after.startswith(")") and len(raw) <= 2:
            continue
        currency = None
        if match["cur"]:
            symbol = match["cur"].strip().lstrip("\\")
            currency = _CURRENCY_SYMBOLS.get(symbol, symbol.upper())
        if match["cursuffix"]:
            currency = currency or _CURRENCY_WORDS.get(match["cursuffix"].strip().lower())
        if match["abbr"] and not currency:
            continue  # "5m", "3k" without a currency: metres, kilos, not amounts
        scale = _SCALES.get((match["scale"] or "").lower()) or _SCALE_ABBREVIATIONS.get(
            (match["abbr"] or "").lower(), 1.0
        )
        value = float(raw.replace(",", ""))
        if re.fullmatch(r"[1-9]\d{0,2}(?:\.\d{3})+", raw) and unitless and not currency:
            value = float(raw.replace(".", ""))  # "3.000 Kazakhs": a thousands separator
        token = _Token(
            start=match.start(),
            end=match.end(),
            value=value,
            text=match.group().strip(),
            currency=currency,
            scale=scale,
            percent=bool(match["pct"]),
        )
        token.year_like = (
            re.fullmatch(r"\d{4}", raw) is not None
            and 1800 <= value <= 2100
            and unitless
            and not currency
        )
        # A number named by the word before it: Chapter 14, Wolf Warrior 2, Project 635.
        previous = _words_before(text, start, limit=3)
        if (
            unitless
            and not currency
            and not token.year_like
            and previous
            and (
                previous[0].lower().rstrip(".") in _NUMBERED_NOUNS
                or (
                    previous[0][:1].isupper()
                    and previous[0].lower() not in _MONTHS
                    and len(previous) > 1
                )
            )
        ):
            continue
        yield token


def _written_tokens(text: str, skipped: list[tuple[int, int]]) -> Iterable[_Token]:
    for match in _WORD_NUMBER_TOKEN.finditer(text):
        if any(s <= match.start() < e for s, e in skipped):
            continue
        scale = _SCALES[match["scale"].lower()] if match["scale"] else 1.0
        if match["half"] or match["one"]:
            if scale == 1.0:
                continue  # "one of", "a country": not numbers
            value = 0.5 if match["half"] else 1.0
        else:
            value = float(_WORD_NUMBERS[match["word"].lower()])
        after = text[match.end() :]
        if after.startswith("-") or re.match(
            r"\s(?:first|second|third|fourth|fifth|tenth|of|or|to|times)\b", after
        ):
            continue  # "twenty-foot", "twenty first century", "two of them"
        previous = [word.lower() for word in _words_before(text, match.start(), limit=3)]
        if previous[:2] == ["of", "factor"]:
            continue
        if (
            previous
            and previous[0] in ("the", "these", "those", "both", "all", "its", "their", "our")
            and value <= 3
            and scale == 1.0
        ):
            continue  # "the two countries": a reference, not a count
        yield _Token(match.start(), match.end(), value, match.group(), scale=scale, written=True)


def _year_mentions(text: str) -> list[tuple[int, int, int, str]]:
    """Dates and years in ``text``: (start, end, year, as written); a range gives its last
    year. Author-date citations do not count."""
    mentions: list[tuple[int, int, int, str]] = []
    taken = [m.span() for m in _CITATION.finditer(text)]

    def add(match: re.Match[str], year: int) -> None:
        if not any(s < match.end() and match.start() < e for s, e in taken):
            mentions.append((match.start(), match.end(), year, match.group()))
            taken.append(match.span())

    for match in _YEAR_RANGE.finditer(text):
        first, last = (match["a"], match["b"]) if match["a"] else (match["c"], match["d"])
        if 1800 <= int(first) < int(last) <= 2100:
            add(match, int(last))
    for match in _DATE.finditer(text):
        if _is_date(match):
            add(match, int(match["year1"] or match["year2"]))
    for match in _YEAR.finditer(text):
        add(match, int(match.group(1)))
    for match in _DECADE.finditer(text):
        add(match, int(match["year"]))
    mentions.sort()
    return mentions


def _paren_group(text: str, position: int) -> int | None:
    """The offset of the innermost unclosed "(" before ``position`` (None outside brackets)."""
    stack: list[int] = []
    for index, char in enumerate(text[:position]):
        if char == "(":
            stack.append(index)
        elif char == ")" and stack:
            stack.pop()
    return stack[-1] if stack else None


def _attach_years(
    text: str, figures: list[_Token], years: list[tuple[int, int, int, str]]
) -> set[int]:
    """Give each figure the nearest year of its clause; returns the indexes of the years used.

    A clause ends at ";", "but" and "whereas"; a comma in between counts as distance; a year in
    brackets dates only the figures in the same brackets; a span of time takes no year."""
    used: set[int] = set()
    for figure in figures:
        if figure.unit == "count" and figure.label.split(" ")[0] in _TIME_WORDS:
            continue
        group = _paren_group(text, figure.start)
        best: tuple[float, int] | None = None
        for index, (start, end, _year, _text) in enumerate(years):
            between = text[end : figure.start] if end <= figure.start else text[figure.end : start]
            if ";" in between or re.search(r"\b(?:but|whereas)\b", between):
                continue
            year_group = _paren_group(text, start)
            if year_group is not None and year_group != group:
                continue
            distance = len(between) + 25 * between.count(",") + (5 if start > figure.start else 0)
            if group is not None and year_group != group:
                distance += 60
            if best is None or distance < best[0]:
                best = (distance, index)
        if best is not None:
            figure.year = years[best[1]][2]
            used.add(best[1])
    return used


def _merge_ranges(text: str, tokens: list[_Token]) -> list[_Token]:
    """Join "4.5%-7.0%", "4.5-7.0%", "$1-2 billion" into one token with a ``high`` value."""
    merged: list[_Token] = []
    index = 0
    while index < len(tokens):
        token = tokens[index]
        following = tokens[index + 1] if index + 1 < len(tokens) else None
        if (
            following is not None
            and not token.year_like
            and not following.year_like
            and re.fullmatch(rf"\s?(?:-|{NDASH}|to)\s?", text[token.end : following.start])
            and (following.percent or following.currency or following.scale != 1.0)
        ):
            token.percent = token.percent or following.percent
            token.currency = token.currency or following.currency
            if token.scale == 1.0:
                token.scale = following.scale
            token.high = following.value * following.scale
            token.end = following.end
            token.text = text[token.start : token.end].strip()
            index += 1
        merged.append(token)
        index += 1
    return merged


def parse_figures(sentence: str) -> list[Figure]:
    """The figures of a sentence: money, percentages, counts and dates, in reading order.

    Superscript footnote markers and line breaks are ignored. A count needs a counted noun after
    it (``12,831 scholarships``), or an earlier count in the sentence to share it with (``300
    joint ventures in 1995, in 2007 there were no fewer than 4,000``). A scaled amount without a
    currency (``500 million in 1999``) is money when the sentence states another amount in a
    currency, and a count when a noun follows (``400 million tons of petroleum``). Each year
    dates the figures of its clause; a year that dates no figure is a figure of its own.
    """
    text = re.sub(r"\s+", " ", _SUPERSCRIPT_RUN.sub("", sentence)).strip()
    # Citations and dates are not counts: "(Nye, 2004 5)", "15 May 2017".
    skipped = [m.span() for m in _CITATION.finditer(text)]
    skipped += [m.span() for m in _DATE.finditer(text) if _is_date(m)]
    tokens = sorted(
        [*_digit_tokens(text, skipped), *_written_tokens(text, skipped)], key=lambda t: t.start
    )
    tokens = _merge_ranges(text, tokens)
    sentence_currency = next((token.currency for token in tokens if token.currency), None)
    figures: list[_Token] = []
    for token in tokens:
        if token.year_like:
            continue
        if token.percent:
            token.unit = "%"
            token.label = _forward_label(text, token.end, after_preposition=True)
            token.label = token.label or _backward_label(text, token.start)
            figures.append(token)
            continue
        token.value *= token.scale
        if token.high is not None and token.high < token.value:
            token.high *= token.scale
        if token.currency:
            token.unit = token.currency
            token.label = _forward_label(text, token.end, after_preposition=True)
            token.label = token.label or _backward_label(text, token.start)
            figures.append(token)
            continue
        noun = _forward_label(text, token.end, after_preposition=False)
        counts = [f for f in figures if f.unit == "count"]
        if noun:
            token.unit, token.label = "count", noun
        elif token.scale != 1.0 and sentence_currency:
            token.unit, token.label = sentence_currency, _backward_label(text, token.start)
        elif counts:
            token.unit, token.label = "count", counts[-1].label
        elif token.written or token.value < 10:
            continue  # a bare small number: an index or a list item, not a figure
        else:
            token.unit, token.label = "count", _backward_label(text, token.start)
        figures.append(token)
    for position, figure in enumerate(figures):
        if not figure.label:  # inherit the previous label of the same unit
            same = [f.label for f in figures[:position] if f.unit == figure.unit and f.label]
            figure.label = same[-1] if same else ""
    years = [
        mention
        for mention in _year_mentions(text)
        if not any(f.start <= mention[0] < f.end for f in figures)
    ]
    used = _attach_years(text, figures, years)
    located = [(f.start, Figure(f.value, f.unit, f.year, f.label, f.text, f.high)) for f in figures]
    for index, (start, _end, year, mention) in enumerate(years):
        if index in used:
            continue
        range_match = _YEAR_RANGE.fullmatch(mention)
        first = int(range_match["a"] or range_match["c"]) if range_match else year
        preposition = re.search(
            r"\b(in|since|by|until|from|during|before|after|on|of)\s+$", text[:start]
        )
        label = f"{preposition.group(1)} {mention}" if preposition else mention
        high = float(year) if first != year else None
        located.append((start, Figure(float(first), "year", year, label, mention, high)))
    located.sort(key=lambda item: item[0])
    return [figure for _start, figure in located]


# --- Structure: lines, headings, paragraphs ------------------------------------------------------

_BULLETS = "•◦▪‣∙·\uf0b7\uf0a7\uf0d8\uf076*-" + NDASH
_PAGE_FOOTER = re.compile(
    r"(?:page\s+)?\d{1,4}(?:\s*(?:/|of)\s*\d{1,4})?|[-\u2013]\s*\d{1,4}\s*[-\u2013]",
    re.IGNORECASE,
)
_CAPTION = re.compile(
    r"(?:graph|figure|fig\.|table|chart|map|image|photo|exhibit|box)\s+\d+[.:]?\s"
    r"|(?:source|sources|note|notes)\s*:",
    re.IGNORECASE,
)
_CONTENTS = re.compile(r"(?:table of )?contents:?", re.IGNORECASE)
_TOC_PAGE_NUMBER = re.compile(r"(?<![\d.,])\b\d{1,3}\b(?![.,]?\d)")
_DOT_LEADER = re.compile(r"\.{4,}\s*\d{1,4}\b|\t\s*\d{1,4}\s*$")
_HEADING_NUMBER = re.compile(
    r"(?P<num>(?:chapter|section|part|annex|appendix)\s+[\dIVX]+[.:]?"
    r"|[IVX]{1,5}\.|[A-H]\.|\d{1,2}(?:\.\d{1,2})+\.?|\d{1,2}\.)\s+(?=\S)",
    re.IGNORECASE,
)
_GLUED_TRAILING_HEADING = re.compile(
    r"[.!?][\"\u201d\u2019)]?(?P<space>\s+)"
    r"(?P<heading>(?:[IVX]{1,5}|[A-H]|\d{1,2})\.\s+[A-Z][^.!?]{0,80}:)\s*$"
)
_SMALL_WORDS = _words(
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
_CONTINUING_WORDS = _words(
    """the a an of to in on for and or with by from at as that which its their is are was were
    be been has have had between into than such"""
)


@dataclass
class _Line:
    start: int
    end: int
    text: str
    page: int
    kind: str = "body"  # body, heading, caption, toc
    gap_before: bool = False  # a blank line, a page break or a footnote block before it
    bullet: bool = False


@dataclass
class _Paragraph:
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
    return text.rstrip().rstrip(SUPERSCRIPTS + " ").rstrip(_CLOSERS + " ").rstrip(SUPERSCRIPTS)


def _terminated(text: str) -> bool:
    tail = _strip_tail(text)
    return bool(tail) and tail[-1] in ".!?:;…"


def _starts_lower(text: str) -> bool:
    stripped = text.lstrip(" (" + _OPEN_QUOTES + "'")
    return bool(stripped) and stripped[0].islower()


def _titleish(text: str) -> bool:
    """Most words capitalised, as in a heading or a title."""
    significant = [
        w for w in text.split() if w.lower() not in _SMALL_WORDS and re.search(r"[A-Za-z]", w)
    ]
    if not significant:
        return False
    capitals = sum(1 for w in significant if w.lstrip(_OPEN_QUOTES + "'(")[:1].isupper())
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
    if not _titleish(body):
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
    first = (next_text or "").lstrip(_BULLETS + " ")[:1]
    return not first.islower()


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
        bare = token.lstrip(_OPEN_QUOTES + "'(")
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
        if (line.text[:1] in _BULLETS and line.text[1:2] == " ") or line.text[:1] in "•\uf0b7":
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


def _paragraphs(lines: list[_Line]) -> list[_Paragraph]:
    """Group body lines into paragraphs, each with the sections it sits in."""
    typical = statistics.median([len(line.text) for line in lines if line.kind == "body"] or [80])
    blank_lines_used = any(line.gap_before for line in lines[1:] if line.kind == "body")
    styles: list[str] = []  # heading styles in order of appearance: their levels
    stack: list[tuple[int, str]] = []
    paragraphs: list[_Paragraph] = []
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
            paragraphs.append(_Paragraph([(line.start, line.end)], sections, title))
        else:
            last = paragraphs[-1].pieces
            last[-1] = (last[-1][0], line.end)
        previous = line
    return paragraphs


def _is_insert(paragraph: _Paragraph, text: str) -> bool:
    """A short block that may sit inside a broken paragraph: a pull quote, a caption."""
    body = text[paragraph.start : paragraph.end].strip()
    return len(body.split()) <= 60 and (body[:1] in _OPEN_QUOTES or len(body) < 200)


def _has_span_between(spans: list[tuple[int, int]], start: int, end: int) -> bool:
    """Whether one of the sorted ``spans`` lies within [start, end]."""
    index = bisect.bisect_left(spans, (start, -1))
    return index < len(spans) and spans[index][1] <= end


def _rejoin_broken(
    paragraphs: list[_Paragraph],
    text: str,
    page_starts: Sequence[int],
    excluded: list[tuple[int, int]],
) -> list[_Paragraph]:
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
                ) and text[following.start] not in _OPEN_QUOTES:
                    continuation = index + 1
        if continuation is None:
            index += 1
        else:
            paragraph.pieces.extend(result.pop(continuation).pieces)
    return result


# --- Sentences -----------------------------------------------------------------------------------

_ABBREVIATIONS = _words(
    """e.g i.e cf vs etc al approx ca ed eds p pp para paras fig figs no nos vol vols ch chap art
    sec dr mr mrs ms prof sr jr st mt gen gov rep sen rev hon corp inc ltd co bros dept est jan
    feb mar apr jun jul aug sep sept oct nov dec op cit ibid viz resp"""
)
# Abbreviations that may end a sentence: split there only before a typical sentence opener.
_ENDING_ABBREVIATIONS = _words("etc al inc ltd co corp bros")
_SENTENCE_OPENERS = _words(
    """the this these that those it its in a an but and as at on for with while we they he she
    there such so thus yet since if when according many most some other despite although because
    after before by from to of however moreover furthermore also one two only all both each no
    instead still nevertheless meanwhile finally first second third"""
)
_TERMINATOR = re.compile(r"[.!?…]")
_CITATION_AFTER = re.compile(r"\s*\([^()]{0,80}?(?:1[89]|20)\d\d[a-z]?[^()]{0,20}\)\.?")
_WORD_BEFORE = re.compile(r"(?:^|[\s(\"\u201c\u2018\[/])([^\s(\"\u201c\u2018\[/]*)$")
_NEXT_WORD = re.compile(r"[\"\u201c\u2018(]?([A-Za-z]+)")


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
    while end < len(text) and (text[end] in _CLOSERS or text[end] in SUPERSCRIPTS):
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
    if first in _OPEN_QUOTES + "([":
        inner = following[1:].lstrip(".…")
        if not inner or not (inner[0].isupper() or inner[0].isdigit()):
            return None
    elif not (first.isupper() or first.isdigit() or first in _BULLETS):
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
    if re.fullmatch(r"[A-Z]", word):
        return False  # an initial: "J. Nye"
    if re.fullmatch(r"(?:[A-Za-z]\.)+[A-Za-z]", word):
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
    return len(re.findall(r"[A-Za-z][\w'\u2019-]*", inner)) >= 5 and not _titleish(inner)


def _footnote_spans(full_text: str, references: Iterable[Any]) -> list[tuple[int, int]]:
    """The references' spans, each widened to its whole lines."""
    spans = []
    for start, end in _merge_spans((reference.start, reference.end) for reference in references):
        line_end = full_text.find("\n", max(end - 1, 0))
        spans.append(
            (full_text.rfind("\n", 0, start) + 1, len(full_text) if line_end < 0 else line_end)
        )
    return _merge_spans(spans)


def split_sentences(
    full_text: str, page_starts: Sequence[int] = (), references: Iterable[Any] = ()
) -> list[Sentence]:
    """The sentences of the running text, in reading order (see the module docstring)."""
    excluded = _footnote_spans(full_text, references)
    lines = _lines(full_text, page_starts, excluded)
    paragraphs = _rejoin_broken(_paragraphs(lines), full_text, page_starts, excluded)
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
            and not _SUPERSCRIPT_RUN.search(text)
            and len(bounds) <= 2
            and len(text.split()) <= 60
        )
        for v_start, v_tail in bounds:
            while v_start < v_tail and (text[v_start].isspace() or text[v_start] in _BULLETS):
                v_start += 1
            v_end = v_tail
            while v_end > v_start and (
                text[v_end - 1].isspace() or text[v_end - 1] in SUPERSCRIPTS
            ):
                v_end -= 1
            if len(re.findall(r"[A-Za-z]{2,}", text[v_start:v_end])) < 3:
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


# --- Selection -----------------------------------------------------------------------------------


@dataclass
class Candidate:
    """A proposed piece of evidence: ``text == full_text[start:end]``.

    ``gaps`` are the spans inside it that are not part of the sentence (a page break, footnote
    entries); ``page`` is the 1-based page where it starts."""

    start: int
    end: int
    text: str
    kind: str
    figures: list[Figure]
    reference_numbers: list[int]
    score: float
    gaps: list[tuple[int, int]] = field(default_factory=list)
    page: int | None = None

    @property
    def clean_text(self) -> str:
        """The sentence without its gaps, whitespace collapsed: for display and quoting."""
        parts, position = [], self.start
        for gap_start, gap_end in self.gaps:
            parts.append(self.text[position - self.start : gap_start - self.start])
            position = gap_end
        parts.append(self.text[position - self.start :])
        return " ".join(" ".join(parts).split())


_MODAL = re.compile(
    r"\b(?:should|must|ought to|needs to|(?:will|would) need to|has to|is essential|it is "
    r"recommended|we recommend|recommends?|would (?:work|help|see|make|benefit))\b",
    re.IGNORECASE,
)
_NOT_RECOMMENDATION = re.compile(
    r"\b(?:should|must) (?:be noted|not come as a surprise|be mentioned|be stressed|be "
    r"emphasi[sz]ed|be remembered)\b|\bit should be\b",
    re.IGNORECASE,
)
# Wording that states a finding, by kind of cue (the usual claim indicators of argument
# mining): assessments, hedged or attributed judgements, changes of state, emphasis.
_FINDING_CUES = (
    re.compile(
        r"\b(?:(?:in)?effective(?:ly|ness)?|(?:un)?successful(?:ly)?|critical|crucial|vital|"
        r"catastrophic|insufficient|inadequate|(?:main|major|key|greatest|biggest|primary) "
        r"(?:problem|issue|challenge|obstacle|argument|reason|achievement|concern|conclusion|"
        r"finding|source|driver)|(?:one of )?the (?:most|least) [a-z]+|the (?:largest|biggest|"
        r"smallest|second largest)|(?:clear|sharp|growing|pronounced) (?:divide|gap|increase|"
        r"decline|rise)|(?:less|more) (?:attractive|effective|popular|likely)|dominant|"
        r"falls? short|not conducive|weaker|stronger|failed|(?:not )?particularly)\b",
        re.IGNORECASE,
    ),
    re.compile(
        r"\b(?:it (?:is|seems|appears) (?:clear|evident|apparent|true)|it (?:appears|seems) that|"
        r"evidence|indicates?|shows? that|demonstrates?|suggests? that|(?:is|are) (?:seen|viewed|"
        r"considered|perceived) as|(?:is|are|was|were) suspected|likely|unlikely|fears? that|"
        r"believes? that|expected to|estimated)\b",
        re.IGNORECASE,
    ),
    re.compile(
        r"\b(?:(?:has|have|had) (?:increased|grown|declined|risen|fallen|dropped|doubled|"
        r"become|adopted|expanded|shrunk|improved|worsened)|(?:is|are) becoming|becomes?|"
        r"(?:was|were) omitted|peaked|remains?|continues? to)\b",
        re.IGNORECASE,
    ),
    re.compile(
        r"^(?:notably|importantly|significantly|crucially|clearly|indeed|in fact|above all|"
        r"overall|in sum|in short|in general|to (?:a|some) (?:large|great|certain) extent)\b",
        re.IGNORECASE,
    ),
)
# The paper talking about itself: roadmap and method, not evidence.
_META = re.compile(
    r"\b(?:this (?:paper|chapter|section|report|study)|the (?:paper|present research|current "
    r"project|third chapter|next chapter)|we will|in order to answer|for the purposes? of|"
    r"below (?:we|are)|as mentioned (?:above|in previous)|research project)\b",
    re.IGNORECASE,
)
_REPORTED = re.compile(
    r"\b(?:according to|estimates?|estimated|survey|reported|reportedly|announced|indicates)\b",
    re.IGNORECASE,
)
# Sentences leaning on the one before ("They strongly condemn it.") read poorly on their own.
_ANAPHORIC = re.compile(
    r"(?:This|These|Such|That|Those|They|Their|Nor|It(?! is (?:estimated|clear|true)))\b"
)


def _score(sentence: Sentence, clean: str, figures: list[Figure], cites: bool) -> tuple[float, str]:
    """A sentence's evidence score and kind.

    +3 money or percentages (+0.5 each further one), +2 counts (+0.5 for one of 100 or more),
    +1.5 a full date or +1 a year when there is no other figure; +2.5 a direct quotation, +4 a
    pull quote; +3.5 a modal verb in a recommendations section (+1.5 another sentence there),
    +2 a modal in a summary or conclusion, +1 elsewhere; +2 in an abstract or summary, +1 in a
    conclusion; +1 wording that states a finding (+0.5 for each further kind of cue); +0.5 a
    cited source, +0.25 reported wording. Minus: 3 for the paper describing itself, 2 for a
    question, 1 for fewer than 7 or more than 70 words, 0.75 for leaning on the sentence before.
    """
    strong = [
        f
        for f in figures
        if f.unit not in ("year", "count")
        or (f.unit == "count" and not f.is_duration and (f.value >= 4 or f.text[:1].isdigit()))
    ]
    money_or_percent = [f for f in strong if f.unit != "count"]
    counts = [f for f in strong if f.unit == "count"]
    dates = [f for f in figures if f.unit == "year"]
    score = 0.0
    if money_or_percent:
        score += 3.0 + 0.5 * min(len(money_or_percent) - 1, 3)
    if counts:
        score += (0.5 if money_or_percent else 2.0) + 0.25 * min(len(counts) - 1, 3)
        score += 0.5 if any(f.value >= 100 for f in counts) else 0.0
    if dates:
        score += 0.25 if strong else 1.5 if any(not f.text.isdigit() for f in dates) else 1.0
    recommendations = "recommendations" in sentence.sections
    summary_or_conclusion = bool(sentence.sections & {"summary", "conclusion"})
    modal = bool(_MODAL.search(clean)) and not _NOT_RECOMMENDATION.search(clean)
    cues = sum(1 for cue in _FINDING_CUES if cue.search(clean))
    if sentence.pull_quote:
        score += 4.0
    elif sentence.quoted:
        score += 2.5
    if recommendations:
        score += 3.5 if modal else 1.5
    elif modal:
        score += 2.0 if summary_or_conclusion else 1.0
    if "summary" in sentence.sections:
        score += 2.0
    elif "conclusion" in sentence.sections:
        score += 1.0
    if cues:
        score += 1.0 + 0.5 * min(cues - 1, 2)
    if cites:
        score += 0.5
    if _REPORTED.search(clean):
        score += 0.25
    if _META.search(clean):
        score -= 3.0
    if clean.rstrip(_CLOSERS).endswith("?"):
        score -= 2.0
    if not 7 <= len(clean.split()) <= 70:
        score -= 1.0
    if _ANAPHORIC.match(clean):
        score -= 0.75

    if recommendations and (modal or not strong):
        kind = "recommendation"
    elif sentence.pull_quote:
        kind = "finding"
    elif sentence.quoted:
        kind = "quotation"
    elif strong:
        kind = "statistic"
    elif modal and (summary_or_conclusion or re.search(r"\b(?:should|must)\b", clean, re.I)):
        kind = "recommendation"
    elif dates and not (summary_or_conclusion or cues):
        kind = "context"
    else:
        kind = "finding"
    return score, kind


def _resolve(number: int, references: dict[int, Any]) -> int:
    """Follow "Ibid." (``repeats``: a number, or an object with one) to the reference cited."""
    seen = {number}
    while number in references:
        repeats = getattr(references[number], "repeats", None)
        target = getattr(repeats, "number", repeats)
        if not isinstance(target, int) or target in seen:
            break
        seen.add(target)
        number = target
    return number


def _number_of(marker: Any) -> int:
    """A marker's footnote number (a ParsedMarker's ``number``, a FootnoteMarker's reference)."""
    number = getattr(marker, "number", None)
    return number if number is not None else marker.reference.number


def _dedupe_key(text: str) -> str:
    return " ".join(re.findall(r"[a-z0-9]+", _SUPERSCRIPT_RUN.sub("", text).lower()))


def extract_candidates(
    full_text: str,
    page_starts: Sequence[int],
    references: Sequence[Any] = (),
    markers: Sequence[Any] = (),
) -> list[Candidate]:
    """Candidate evidence of a source text, best first.

    ``references`` and ``markers`` are :mod:`sources.footnotes`' ParsedReference and
    ParsedMarker, or the stored Reference and FootnoteMarker rows (anything with ``start``,
    ``end`` and a number; for references ``repeats``, a number or a reference). A candidate's
    ``reference_numbers`` are the markers inside or right after its sentence, or after the
    quotation it is part of, each resolved through "Ibid." to the reference it repeats.
    """
    by_number = {reference.number: reference for reference in references}
    marker_list = sorted(markers, key=lambda marker: marker.start)
    marker_starts = [marker.start for marker in marker_list]

    def markers_in(start: int, end: int) -> list[int]:
        first = bisect.bisect_left(marker_starts, start)
        return [_number_of(m) for m in marker_list[first : bisect.bisect_left(marker_starts, end)]]

    # A sentence printed twice (a repeated executive summary) is proposed once, at its first
    # occurrence, with the best score and kind any of its occurrences earned.
    best: dict[str, Candidate] = {}
    for sentence in split_sentences(full_text, page_starts, references):
        clean = sentence.clean_text(full_text)
        numbers = markers_in(sentence.start, sentence.tail)
        if not numbers and sentence.quote_end is not None:
            after = full_text[sentence.quote_end : sentence.quote_end + 8]
            numbers = markers_in(
                sentence.quote_end, sentence.quote_end + 1 + len(after) - len(after.lstrip())
            )
        figures = parse_figures(clean)
        score, kind = _score(sentence, clean, figures, bool(numbers))
        key = _dedupe_key(clean)
        if key in best:
            if score > best[key].score:
                best[key].score, best[key].kind = round(score, 2), kind
            continue
        best[key] = Candidate(
            start=sentence.start,
            end=sentence.end,
            text=full_text[sentence.start : sentence.end],
            kind=kind,
            figures=figures,
            reference_numbers=list(dict.fromkeys(_resolve(n, by_number) for n in numbers)),
            score=round(score, 2),
            gaps=sentence.gaps,
            page=sentence.page,
        )
    selected = [candidate for candidate in best.values() if candidate.score >= MIN_SCORE]
    selected.sort(key=lambda candidate: (-candidate.score, candidate.start))
    return selected
