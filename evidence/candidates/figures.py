"""Figures stated in a sentence: money, percentages, counts and the years they refer to.

Written here rather than taken from PyPI: quantulum3 and price-parser do not know counted nouns,
years of reference or ``$`` context.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from .common import NDASH, SUPERSCRIPT_RUN, words


@dataclass
class Figure:
    """A figure stated in a sentence.

    ``unit`` is ``"USD"`` (or ``"EUR"``, ``"GBP"``; ``"KZT"`` in Russian text) for money, with
    ``value`` in units (``$1.9bn`` → 1.9e9); ``"%"`` for percentages; ``"count"`` for counts,
    with the counted noun as ``label``; ``"year"`` when the figure is itself a date. ``year`` is
    the year the figure refers to when the sentence says it (``in 2011``, ``by early 2018``).
    ``label`` is a short label from the nearby words (English only), ``text`` the figure as
    written, ``high`` the upper bound of a range (``4.5%-7.0%``).
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
_MONTHS = words(
    "january february march april may june july august september october november december "
    "jan feb mar apr jun jul aug sep sept oct nov dec"
)
_TIME_WORDS = words(
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
# Russian (and Kazakh texts that write figures the Russian way): a decimal comma, spaces
# between thousands ("1 200", "25,2 млрд"), scale words and their abbreviations, currency words.
# The same named groups as _NUMBER_TOKEN, so that _digit_tokens reads both alike.
_RU_NUMBER = r"(?:\d{1,3}(?:[ \u00a0\u202f]\d{3})+|\d+)(?:,\d+)?"
_RU_SCALES = {"тыс": 1e3, "млн": 1e6, "миллион": 1e6, "млрд": 1e9, "миллиард": 1e9}
_RU_SCALES |= {"трлн": 1e12, "триллион": 1e12}
_RU_CURRENCIES = {"долл": "USD", "евро": "EUR", "тенге": "KZT"}
_RU_NUMBER_TOKEN = re.compile(
    r"(?P<cur>(?:US\$|\$|€|£)\s?)?"
    rf"(?P<num>{_RU_NUMBER})"
    r"(?:\s?(?P<scale>тыс(?:яч[аи]?)?\.?|млн\.?|млрд\.?|трлн\.?"
    r"|(?:миллион|миллиард|триллион)(?:а|ов)?)(?!\w))?(?P<abbr>(?!))?"  # noqa: RUF001
    r"(?P<pct>\s?(?:%|процент(?:а|ов)?(?!\w)))?"  # noqa: RUF001
    r"(?P<cursuffix>\s(?:долл\.|доллар(?:а|ов|ы)?(?!\w)|евро(?!\w)|тенге(?!\w))"  # noqa: RUF001
    r"(?:\s?США(?!\w))?)?"
)
_CYRILLIC = re.compile(r"[\u0400-\u04ff]")
_LATIN = re.compile(r"[A-Za-z]")
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
_LABEL_STOP = words(
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
_BACK_SKIP = words(
    """of for to at in on by worth reached amounted exceeded exceed exceeds increased increase
    accumulated totalled totaled totaling totalling stood rose fell dropped grew set nearly almost
    approximately about around roughly some over under more than less least only just up
    estimated valued is was were are be been reaching exceeding amounting a alone then"""
)
_BACK_STOP = words(
    """the a an this that these those it its they their there which who whose whom and or but
    while with as when where if he she we i his her our your my"""
)
_PREPOSITIONS = words("of in on for to from at by with")
# Nouns that a number after them names rather than counts: Chapter 14, Article 5.
_NUMBERED_NOUNS = words(
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


def _is_russian(text: str) -> bool:
    """Whether ``text`` is written in Cyrillic rather than Latin letters."""
    return len(_CYRILLIC.findall(text)) > len(_LATIN.findall(text))


def _ru_prefix_value(table: dict, word: str | None):
    """The value of the first entry of ``table`` that ``word`` starts with (its inflections and
    abbreviations: "млрд", "миллиардов"; "долл.", "долларов США")."""
    word = (word or "").strip().lower()
    return next((value for prefix, value in table.items() if word.startswith(prefix)), None)


def _digit_tokens(text: str, skipped: list[tuple[int, int]]) -> Iterable[_Token]:
    russian = _is_russian(text)
    for match in (_RU_NUMBER_TOKEN if russian else _NUMBER_TOKEN).finditer(text):
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
        if match["cursuffix"] and russian:
            currency = currency or _ru_prefix_value(_RU_CURRENCIES, match["cursuffix"])
        elif match["cursuffix"]:
            currency = currency or _CURRENCY_WORDS.get(match["cursuffix"].strip().lower())
        if match["abbr"] and not currency:
            continue  # "5m", "3k" without a currency: metres, kilos, not amounts
        if russian:
            scale = _ru_prefix_value(_RU_SCALES, match["scale"]) or 1.0
            value = float(re.sub(r"[ \u00a0\u202f]", "", raw).replace(",", "."))
        else:
            scale = _SCALES.get((match["scale"] or "").lower()) or _SCALE_ABBREVIATIONS.get(
                (match["abbr"] or "").lower(), 1.0
            )
            value = float(raw.replace(",", ""))
        if (
            not russian
            and re.fullmatch(r"[1-9]\d{0,2}(?:\.\d{3})+", raw)
            and unitless
            and not currency
        ):
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
    text = re.sub(r"\s+", " ", SUPERSCRIPT_RUN.sub("", sentence)).strip()
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
