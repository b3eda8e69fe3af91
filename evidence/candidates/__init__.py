"""Candidate evidence proposed from an ingested source, for analysts to accept or reject in bulk.

Pure Python, no Django models: the ingestion task passes in what :mod:`sources.extractors`
produced (``full_text``, ``page_starts``, ``references`` and ``markers``) and stores the result.

Three steps:

1. **Structure.** The full text is cut into lines. Footnote entries (the references' spans),
   page-number footers, running heads and footers and contents pages (found by layout and
   repetition, in any language: :mod:`.furniture`), dot-leader lines, headings (also where the
   PDF glued one onto a body line: ``… rise of China. II. Introduction:``), figure captions and
   table rows are not running text.
   The remaining lines are grouped into paragraphs, each with the section it sits in (abstract,
   executive summary, conclusion, recommendations). A paragraph broken off mid-sentence by a
   page end, its footnotes or a pull quote set in between is joined up again.
2. **Sentences.** Paragraphs are split at ``.``, ``!`` and ``?`` followed by a space and a
   capital (of any alphabet: Russian sources are common), a digit or an opening quote or
   bracket, except after abbreviations (``e.g.``, ``p.``, ``Dr.``; Russian ones for "year" and
   "that is"), initials (``J.``) and acronyms (``U.S.``) that do not end the sentence. Figures
   are parsed in English wording (and ``%`` in any language).
   Closing quotes, brackets and footnote markers after the stop belong to the sentence, and so
   does an author-date citation after it (``… of force.” (Nye, 2004 5)``).
3. **Selection.** Each sentence gets a score (see :func:`.scoring._score`) for its figures (money,
   percentages, counts, dates; :func:`parse_figures`), direct quotations of five words or more,
   pull quotes, recommendations (modal verbs, recommendation sections) and findings (abstract,
   executive summary and conclusion sections; wording that states a finding; a cited source).
   Sentences scoring at least :data:`MIN_SCORE` are proposed, best first. A sentence printed
   twice (an executive summary repeated at the top) is proposed once, at its first occurrence.

A :class:`Candidate` is anchored by offsets: ``text == full_text[start:end]`` exactly. When a
sentence runs across a page break or a footnote block, its span covers the interruption too;
``gaps`` lists the interrupting spans and :attr:`Candidate.clean_text` is the sentence without
them.

The steps live in :mod:`.structure`, :mod:`.sentences` (with :mod:`.figures` for the figures
of a sentence) and :mod:`.scoring`; :mod:`.common` holds the characters they share. Why the
sentence splitting and figure parsing are written here rather than taken from PyPI is said in
their modules.
"""

from .figures import Figure, parse_figures
from .scoring import KINDS, MIN_SCORE, Candidate, extract_candidates
from .sentences import Sentence, split_sentences

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
