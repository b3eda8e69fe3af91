"""Anchor quotes in a source's normalised full text, and re-anchor them when the text changes.

A piece of evidence is an exact quote anchored with the two W3C Web Annotation selectors:
``TextQuoteSelector`` (``exact``, plus up to :data:`CONTEXT_LENGTH` characters of ``prefix`` and
``suffix``) and ``TextPositionSelector`` (``start`` and ``end`` character offsets). Pure Python:
no Django models, no database.

Build one :class:`TextIndex` per source text, then:

- :meth:`TextIndex.locate` finds a pasted quote. It tries three tiers in order and stops at the
  first that finds it:

  1. ``exact``: the quote as typed (``str.find``);
  2. ``normalised``: both sides compared in a *matching form* (see :func:`matching_form`) that
     ignores whitespace and line breaks, line-end hyphenation and dashes, typographic quotes,
     NBSP, ligatures and superscript footnote markers;
  3. ``fuzzy``: seed-and-extend. Rare words of the quote vote for a few candidate windows, which
     rapidfuzz scores; the best window is trimmed to word boundaries and accepted when its score
     reaches :data:`FUZZY_THRESHOLD`.

  Whatever the tier, the returned :attr:`Anchor.exact` is the source's own text at the offsets,
  never the text as pasted.
- :meth:`TextIndex.anchor_at` anchors a browser selection given by offsets.
- :meth:`TextIndex.reanchor` moves a stored anchor into a new version of the source text.
"""

from __future__ import annotations

import heapq
import math
import re
from bisect import bisect_right
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from rapidfuzz import fuzz

#: The longest quote, in characters (of the quote as pasted, and of the source text it anchors).
MAX_QUOTE_LENGTH = 2000

#: How many characters of context the TextQuoteSelector keeps before and after the quote.
CONTEXT_LENGTH = 64

#: The lowest rapidfuzz score (0-100) that a fuzzy match needs. The score is ``fuzz.ratio``
#: between the quote and the source passage, both in matching form: ``100 * (1 - d / (m + n))``
#: with ``d`` the insertions and deletions needed, so one substituted character in a 300-char
#: quote costs about 0.33 points and one missing character 0.17. Measured on the demo corpus:
#: sentences with 3% of their letters mutated score 95-99 (5%: 91-99), a dropped word 97-99,
#: while the 329 sentences of one paper searched in the other (same topic, unrelated text)
#: score at most 71 (median 50) and a paraphrase of a sentence about 77. 90 sits in that gap:
#: higher would orphan evidence over a handful of typos or OCR slips; lower would re-anchor a
#: quote onto a passage that no longer says the same thing.
FUZZY_THRESHOLD = 90.0

Method = Literal["exact", "normalised", "fuzzy", "position"]
Status = Literal["exact", "relocated", "orphaned"]


class AnchorError(ValueError):
    """A quote or selection that cannot be anchored; ``str()`` is a one-line message.

    For a quote that was not found, ``best_score`` and ``best_start`` describe the closest
    passage (``best_start`` is ``None`` when no passage came close at all).
    """

    def __init__(
        self, message: str, *, best_score: float = 0.0, best_start: int | None = None
    ) -> None:
        super().__init__(message)
        self.best_score = best_score
        self.best_start = best_start

    @property
    def message(self) -> str:
        return str(self)


@dataclass(frozen=True)
class Anchor:
    """A quote anchored in one source text: ``exact == text[start:end]``."""

    start: int
    end: int
    exact: str
    prefix: str
    suffix: str
    method: Method
    score: float = 100.0

    def to_selectors(self) -> list[dict[str, str | int]]:
        """The W3C Web Annotation selectors for this anchor (quote selector first)."""
        return [
            {
                "type": "TextQuoteSelector",
                "exact": self.exact,
                "prefix": self.prefix,
                "suffix": self.suffix,
            },
            {"type": "TextPositionSelector", "start": self.start, "end": self.end},
        ]


@dataclass(frozen=True)
class Reanchor:
    """The outcome of moving an anchor into a new version of the source text.

    ``status`` is ``"exact"`` (same offsets, same text), ``"relocated"`` (found elsewhere, or
    found in place with different text: ``anchor`` is the new anchor) or ``"orphaned"`` (not
    found above :data:`FUZZY_THRESHOLD`: ``anchor`` is ``None`` and ``score`` the best score).
    """

    status: Status
    anchor: Anchor | None
    score: float


# --- Matching form -----------------------------------------------------------------------------

# Hand-written rather than unicodedata NFKC or a text-cleaning library: NFKC turns footnote
# markers (¹⁴) into digits, and none of them reports where each character came from, which the
# offsets need. Same-length substitutions first, by str.translate, so offsets do not move.
_WHITESPACE = "".join(c for c in map(chr, range(0x3001)) if c.isspace())
_DASHES = "\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe58\ufe63\uff0d"
_SINGLE_QUOTES = "\u2018\u2019\u201a\u201b\u2032\u2035\u2039\u203a`\u00b4"
_DOUBLE_QUOTES = "\u201c\u201d\u201e\u201f\u2033\u2036\u00ab\u00bb\u301d\u301e\uff02"
_SUBSTITUTIONS = str.maketrans(
    {
        **dict.fromkeys(_WHITESPACE, " "),
        **dict.fromkeys(_DASHES, "-"),
        **dict.fromkeys(_SINGLE_QUOTES, "'"),
        **dict.fromkeys(_DOUBLE_QUOTES, '"'),
    }
)
# Dropped: soft hyphen, zero-width characters, BOM, and superscript digits (footnote markers).
_DROPPED = "\u00ad\u200b\u200c\u200d\u2060\ufeff\u2070\u00b9\u00b2\u00b3" + "".join(
    map(chr, range(0x2074, 0x207A))
)
_EXPANSIONS = {
    "\ufb00": "ff",
    "\ufb01": "fi",
    "\ufb02": "fl",
    "\ufb03": "ffi",
    "\ufb04": "ffl",
    "\ufb05": "st",
    "\ufb06": "st",
    "\u2026": "...",
}
_D = re.escape(_DROPPED)
_E = "".join(_EXPANSIONS)
# Length-changing rules, applied after the substitutions (so every space is " ", every dash "-"):
# - a run of hyphens with the spaces and dropped characters around it is removed, so that
#   "devel-\nopment", "devel- opment" and "development" agree, and so do "People-to-\npeople"
#   and "People-to-people" (hyphens carry too little meaning to be worth the ambiguity);
# - a run of spaces and dropped characters becomes one space, or nothing when it holds no space;
# - ligatures and the ellipsis expand.
# The leading lookahead lets the regex engine skip quickly to the characters that matter.
_LENGTH_CHANGES = re.compile(rf"(?=[- {_D}{_E}])(?:[ {_D}]*-[- {_D}]*|[ {_D}]{{2,}}|[{_D}]|[{_E}])")
_WORD = re.compile(r"\w+")
# Word boundaries in matching form, where a fuzzy match may start or end.
_STARTS = re.compile(r"(?<![^ ])[^ ]|(?<=[^\w ])\w")
_ENDS = re.compile(r"[^ ](?![^ ])|\w(?=[^\w ])")


def _replacement(run: str) -> str:
    if "-" in run:
        return ""
    if run in _EXPANSIONS:
        return _EXPANSIONS[run]
    return " " if " " in run else ""


def matching_form(text: str) -> str:
    """The form in which the normalised and fuzzy tiers compare a quote with the source.

    Whitespace runs (line breaks included) become one space; hyphens and dashes are removed with
    the spaces around them; typographic quotes become straight ones; NBSP and other spaces
    become a plain space; ligatures and the ellipsis are expanded; soft hyphens, zero-width
    characters and superscript digits (footnote markers) are removed. Case is kept.
    """
    return _LENGTH_CHANGES.sub(lambda m: _replacement(m.group()), text.translate(_SUBSTITUTIONS))


class _OffsetMap:
    """Maps offsets in the matching form back to offsets in the original text.

    Hand-written because no library keeps offsets through normalisation. Stored as segments,
    not one entry per character: a *copy* segment maps linearly, a *replacement* segment (a
    collapsed space run, an expanded ligature) maps as a whole to its original span. Only the
    length-changing rules create segments, so there are few of them.
    """

    def __init__(self) -> None:
        self.norm: list[int] = [0]
        self.orig: list[int] = [0]
        self.orig_end: list[int] = [-1]  # -1: a copy segment

    def start(self, i: int) -> int:
        """The original offset where the character at matching-form offset ``i`` starts."""
        k = bisect_right(self.norm, i) - 1
        if self.orig_end[k] < 0:
            return self.orig[k] + i - self.norm[k]
        return self.orig[k]

    def end(self, j: int) -> int:
        """The original offset where the character before matching-form offset ``j`` ends."""
        if j <= 0:
            return 0
        k = bisect_right(self.norm, j - 1) - 1
        if self.orig_end[k] < 0:
            return self.orig[k] + j - self.norm[k]
        return self.orig_end[k]


def _matching_form_with_map(text: str) -> tuple[str, _OffsetMap]:
    substituted = text.translate(_SUBSTITUTIONS)
    pieces: list[str] = []
    offsets = _OffsetMap()
    length = 0  # length of the matching form so far
    last = 0  # original offset up to which the text has been copied
    for match in _LENGTH_CHANGES.finditer(substituted):
        start, end = match.span()
        pieces.append(substituted[last:start])
        length += start - last
        replacement = _replacement(match.group())
        if replacement:
            offsets.norm.append(length)
            offsets.orig.append(start)
            offsets.orig_end.append(end)
            pieces.append(replacement)
            length += len(replacement)
        offsets.norm.append(length)
        offsets.orig.append(end)
        offsets.orig_end.append(-1)
        last = end
    pieces.append(substituted[last:])
    return "".join(pieces), offsets


# --- Search ------------------------------------------------------------------------------------

# Fuzzy search parameters. Seeds are the quote's words, rarest first, within a budget of
# source occurrences; each occurrence votes for the diagonal (source offset - quote offset).
_BUCKET = 32  # diagonal bucket width, in characters; a window spans three buckets
_MAX_SEEDS = 40  # quote words used as seeds
_SEED_BUDGET = 4_000  # total source occurrences looked at
_MAX_CANDIDATES = 12  # windows scored with rapidfuzz
_MIN_VOTE_SHARE = 0.2  # a window needs this share of the best window's votes
_EXTEND_MARGIN = 10.0  # windows within this many points of the best are extended


@dataclass(frozen=True)
class _Found:
    start: int
    end: int
    score: float


@dataclass(frozen=True)
class _Outcome:
    anchor: Anchor | None
    best_score: float
    best_start: int | None


class TextIndex:
    """One source text, prepared for locating quotes in it. Build it once per text version.

    Construction derives the matching form, the map from its offsets back to ``text`` and a
    word index of the matching form for the fuzzy tier: about 0.1 s for 900,000 characters.
    ``page_starts`` (the offset of each page, as given by the extraction) is only used for
    messages and :meth:`page_at`.
    """

    def __init__(self, text: str, page_starts: Sequence[int] | None = None) -> None:
        self.text = text
        self.page_starts = list(page_starts) if page_starts is not None else None
        self._form, self._offsets = _matching_form_with_map(text)
        lower = self._form.lower()
        if len(lower) != len(self._form):  # a few characters lowercase to two (İ)
            lower = "".join(c.lower()[0] for c in self._form)
        words: defaultdict[str, list[int]] = defaultdict(list)
        for match in _WORD.finditer(lower):
            words[match.group()].append(match.start())
        self._words = dict(words)
        self._word_count = max(sum(len(v) for v in self._words.values()), 1)

    def __len__(self) -> int:
        return len(self.text)

    def page_at(self, offset: int) -> int | None:
        """The 1-based page holding ``offset``, or ``None`` when pages are unknown."""
        if not self.page_starts:
            return None
        return max(bisect_right(self.page_starts, offset), 1)

    # --- Public API ----------------------------------------------------------------------------

    def locate(
        self,
        quote: str,
        *,
        prefix: str | None = None,
        suffix: str | None = None,
        hint: int | None = None,
    ) -> Anchor:
        """Anchor a quote pasted by an analyst, or raise :class:`AnchorError`.

        Leading and trailing whitespace of the quote is ignored. When the quote occurs several
        times, the occurrence whose surroundings best match ``prefix`` / ``suffix`` wins, then
        the one nearest to the ``hint`` offset, then the first.
        """
        outcome = self._search(quote, prefix, suffix, hint)
        if outcome.anchor is None:
            raise AnchorError(
                self._not_found_message(outcome.best_score, outcome.best_start),
                best_score=outcome.best_score,
                best_start=outcome.best_start,
            )
        return outcome.anchor

    def anchor_at(self, start: int, end: int) -> Anchor:
        """Anchor a selection given by offsets (method ``"position"``).

        Whitespace at either end of the selection is left out, as a browser selection often
        takes the space after a word.
        """
        size = len(self.text)
        if start < 0 or end < 0:
            raise AnchorError(
                f"The selection {start:,}-{end:,} is not valid: offsets cannot be negative."
            )
        if end < start:
            raise AnchorError(
                f"The selection {start:,}-{end:,} is not valid: it ends before it starts."
            )
        if end > size:
            raise AnchorError(
                f"The selection ends at character {end:,}, beyond the end of the source "
                f"({size:,} characters)."
            )
        selected = self.text[start:end]
        stripped = selected.strip()
        if not stripped:
            raise AnchorError("The selection is empty.")
        start += len(selected) - len(selected.lstrip())
        end = start + len(stripped)
        self._check_length(end - start, "selection")
        return self._anchor(start, end, "position", 100.0)

    def reanchor(self, exact: str, prefix: str, suffix: str, start: int, end: int) -> Reanchor:
        """Move an anchor made on an earlier version of the text into this one."""
        if 0 <= start < end <= len(self.text) and self.text[start:end] == exact:
            return Reanchor("exact", self._anchor(start, end, "exact", 100.0), 100.0)
        try:
            outcome = self._search(exact, prefix or None, suffix or None, start)
        except AnchorError as error:
            return Reanchor("orphaned", None, error.best_score)
        if outcome.anchor is None:
            return Reanchor("orphaned", None, outcome.best_score)
        return Reanchor("relocated", outcome.anchor, outcome.anchor.score)

    # --- Tiers ---------------------------------------------------------------------------------

    def _search(
        self, quote: str, prefix: str | None, suffix: str | None, hint: int | None
    ) -> _Outcome:
        quote = quote.strip()
        if not quote:
            raise AnchorError("The quote is empty.")
        self._check_length(len(quote), "quote")

        # 1. Exact.
        found = self._pick(
            [_Found(s, s + len(quote), 100.0) for s in _occurrences(self.text, quote)],
            prefix,
            suffix,
            hint,
        )
        if found is not None:
            return _Outcome(self._anchor(found.start, found.end, "exact", 100.0), 100.0, None)

        # 2. Normalised.
        form = matching_form(quote).strip()
        if not form:
            return _Outcome(None, 0.0, None)
        found = self._pick(
            [
                _Found(self._offsets.start(s), self._offsets.end(s + len(form)), 100.0)
                for s in _occurrences(self._form, form)
            ],
            prefix,
            suffix,
            hint,
        )
        if found is not None:
            self._check_length(found.end - found.start, "match")
            return _Outcome(self._anchor(found.start, found.end, "normalised", 100.0), 100.0, None)

        # 3. Fuzzy.
        matches = self._fuzzy(form)
        accepted = [m for m in matches if m.score >= FUZZY_THRESHOLD]
        if not accepted:
            best = max(matches, key=lambda m: m.score, default=None)
            if best is None:
                return _Outcome(None, 0.0, None)
            return _Outcome(None, best.score, self._offsets.start(best.start))
        top = max(m.score for m in accepted)
        # Near-ties (repeated passages) are settled by context and hint, as for exact matches.
        found = self._pick(
            [
                _Found(self._offsets.start(m.start), self._offsets.end(m.end), m.score)
                for m in accepted
                if m.score >= top - 0.5
            ],
            prefix,
            suffix,
            hint,
        )
        assert found is not None
        self._check_length(found.end - found.start, "match")
        return _Outcome(
            self._anchor(found.start, found.end, "fuzzy", found.score), found.score, found.start
        )

    def _fuzzy(self, form: str) -> list[_Found]:
        """Candidate matches for ``form`` in the matching form, scored (offsets in that form).

        Seed and extend: the rare words of the quote vote for windows of the source, rapidfuzz
        aligns the quote in the best few windows, and the alignment is then moved to word
        boundaries. When that finds nothing above the threshold, rapidfuzz's own partial-ratio
        search over the whole text (fast, but with a fixed-length window and no control over
        repeated passages) is the fallback, mostly for quotes too short to hold a clean seed.
        """
        alignments: list[tuple[float, int, int]] = []
        for window_start, window_end in self._candidate_windows(form):
            alignment = fuzz.partial_ratio_alignment(form, self._form[window_start:window_end])
            if alignment is not None:
                alignments.append(
                    (
                        alignment.score,
                        window_start + alignment.dest_start,
                        window_start + alignment.dest_end,
                    )
                )
        found: dict[tuple[int, int], _Found] = {}
        if alignments:
            # Only the windows that came close are worth moving to word boundaries.
            floor = max(a[0] for a in alignments) - _EXTEND_MARGIN
            for score, start, end in alignments:
                if score >= floor:
                    match = self._extend(form, start, end)
                    found[match.start, match.end] = match
        if not any(m.score >= FUZZY_THRESHOLD for m in found.values()):
            alignment = fuzz.partial_ratio_alignment(form, self._form)
            if alignment is not None and alignment.score > 0:
                match = self._extend(form, alignment.dest_start, alignment.dest_end)
                found[match.start, match.end] = match
        return list(found.values())

    def _candidate_windows(self, form: str) -> list[tuple[int, int]]:
        seeds: list[tuple[int, str, int]] = []  # (occurrences, word, offset in quote)
        for match in _WORD.finditer(form.lower()):
            positions = self._words.get(match.group())
            if positions:
                seeds.append((len(positions), match.group(), match.start()))
        seeds.sort()
        votes: defaultdict[int, float] = defaultdict(float)
        budget = _SEED_BUDGET
        for count, word, offset in seeds[:_MAX_SEEDS]:
            if count > budget:
                break
            budget -= count
            weight = math.log(1 + self._word_count / count)
            for position in self._words[word]:
                votes[(position - offset) // _BUCKET] += weight
        if not votes:
            return []
        # A window spans a bucket and its two neighbours, so that a diagonal shifted by a
        # missing or extra word still gathers all its votes.
        top = heapq.nlargest(4 * _MAX_CANDIDATES, votes, key=votes.__getitem__)
        windows = {b: votes.get(b - 1, 0.0) + votes[b] + votes.get(b + 1, 0.0) for b in top}
        best = max(windows.values())
        chosen: list[int] = []
        for bucket in sorted(windows, key=lambda b: (-windows[b], b)):
            if windows[bucket] < best * _MIN_VOTE_SHARE or len(chosen) == _MAX_CANDIDATES:
                break
            if all(abs(bucket - other) > 2 for other in chosen):
                chosen.append(bucket)
        slack = 16 + len(form) // 10
        size = len(self._form)
        return [
            (max((b - 1) * _BUCKET - slack, 0), min((b + 2) * _BUCKET + len(form) + slack, size))
            for b in chosen
        ]

    def _extend(self, form: str, start: int, end: int) -> _Found:
        """Move an approximate alignment to the word boundaries that score best."""
        reach = 8 + len(form) // 8
        starts = self._boundaries(_STARTS, start - reach, start + reach, start)
        ends = self._boundaries(_ENDS, end - reach, end + reach, end)
        best = _Found(start, end, -1.0)
        for s in starts:
            for e in ends:
                if e <= s:
                    continue
                score = fuzz.ratio(form, self._form[s:e], score_cutoff=best.score)
                if score > best.score:
                    best = _Found(s, e, score)
        if best.score < 0:
            best = _Found(start, end, fuzz.ratio(form, self._form[start:end]))
        return best

    def _boundaries(self, pattern: re.Pattern[str], low: int, high: int, near: int) -> list[int]:
        """Word boundaries in [low, high] of the matching form, nearest to ``near`` first."""
        low, high = max(low, 0), min(high, len(self._form))
        # finditer sees the real text before `low` but treats `high` as the end of the text, so
        # search one character further and drop what lies beyond.
        found = {
            (m.start() if pattern is _STARTS else m.end())
            for m in pattern.finditer(self._form, low, min(high + 1, len(self._form)))
        }
        return sorted((p for p in found if low <= p <= high), key=lambda p: abs(p - near))

    # --- Helpers -------------------------------------------------------------------------------

    def _pick(
        self,
        candidates: list[_Found],
        prefix: str | None,
        suffix: str | None,
        hint: int | None,
    ) -> _Found | None:
        """The candidate whose context best matches prefix/suffix, then the best scored, then
        the nearest to ``hint``, then the first."""
        if len(candidates) <= 1:
            return candidates[0] if candidates else None

        def key(found: _Found) -> tuple[float, float, float, int]:
            context = 0.0
            if prefix:
                context += fuzz.ratio(
                    prefix, self.text[max(found.start - len(prefix), 0) : found.start]
                )
            if suffix:
                context += fuzz.ratio(suffix, self.text[found.end : found.end + len(suffix)])
            distance = abs(found.start - hint) if hint is not None else 0
            return (-context, -found.score, distance, found.start)

        return min(candidates, key=key)

    def _anchor(self, start: int, end: int, method: Method, score: float) -> Anchor:
        return Anchor(
            start=start,
            end=end,
            exact=self.text[start:end],
            prefix=self.text[max(start - CONTEXT_LENGTH, 0) : start],
            suffix=self.text[end : end + CONTEXT_LENGTH],
            method=method,
            score=score,
        )

    @staticmethod
    def _check_length(length: int, what: Literal["quote", "selection", "match"]) -> None:
        if length <= MAX_QUOTE_LENGTH:
            return
        if what == "match":
            raise AnchorError(
                f"The quote matches {length:,} characters of the source; the limit is "
                f"{MAX_QUOTE_LENGTH:,}. Shorten the quote."
            )
        raise AnchorError(
            f"The {what} is {length:,} characters long; the limit is {MAX_QUOTE_LENGTH:,}."
        )

    def _not_found_message(self, score: float, start: int | None) -> str:
        threshold = f"the threshold is {FUZZY_THRESHOLD:.0f}%"
        if start is None or score <= 0:
            detail = f"no similar passage, {threshold}"
        else:
            page = self.page_at(start)
            where = f"page {page}" if page is not None else f"character {start:,}"
            # Round down, so that 89.7 never shows as "90%" next to a threshold of 90%.
            detail = f"best match {math.floor(score)}% at {where}, {threshold}"
        return (
            f"This quote was not found in the source, not even approximately ({detail}). "
            "Check it against the source text."
        )


def _occurrences(text: str, needle: str, limit: int = 100_000) -> list[int]:
    """Start offsets of ``needle`` in ``text``, overlapping ones included (which re.finditer
    would skip)."""
    found: list[int] = []
    position = text.find(needle)
    while position >= 0 and len(found) < limit:
        found.append(position)
        position = text.find(needle, position + 1)
    return found
