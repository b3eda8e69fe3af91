"""Selection: each sentence's evidence score and kind, and the candidates proposed."""

from __future__ import annotations

import bisect
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from .common import CLOSERS, SUPERSCRIPT_RUN
from .figures import Figure, parse_figures
from .sentences import Sentence, split_sentences

KINDS = ("statistic", "quotation", "finding", "recommendation", "context")

#: Sentences scoring below this are not proposed (chosen on the demo corpus; see the tests).
MIN_SCORE = 1.5


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
    if clean.rstrip(CLOSERS).endswith("?"):
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
    return " ".join(re.findall(r"[a-z0-9]+", SUPERSCRIPT_RUN.sub("", text).lower()))


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
