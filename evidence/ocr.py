"""Quotes from OCR'd text: how sure the OCR was of the quoted words, and whether an analyst
must check the quote against the scanned page before it may be cited.

A source text keeps, per OCR'd page, its mean word confidence and the doubtful words with
their own confidence (``SourceText.page_ocr``). A quoted word that is one of its page's
doubtful words counts with its own confidence; any other quoted word with its page's mean (the
best estimate kept: only doubtful words keep a confidence of their own).
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from django.conf import settings
from django.utils import timezone

_WORD = re.compile("\\w[\\w'\u2019-]*")


@dataclass(frozen=True)
class QuoteOcr:
    """How sure the OCR was of a quote's words (0-100)."""

    confidence: float  # the mean over the quoted OCR'd words
    lowest: float  # the least sure quoted word
    low_words: list[str] = field(default_factory=list)  # the quoted doubtful words

    @property
    def needs_confirmation(self) -> bool:
        return self.lowest < confirm_below()


def confirm_below() -> float:
    return float(settings.BRIEFDESK_OCR_CONFIRM_BELOW)


def _key(word: str) -> str:
    return "".join(_WORD.findall(word)).casefold()


def quote_ocr(text, start: int, end: int) -> QuoteOcr | None:
    """The OCR confidence of ``text.full_text[start:end]``, or None when none of the pages it
    touches was OCR'd (or they hold no words)."""
    if not text.is_ocr or not text.page_starts or end <= start:
        return None
    first, last = text.page_for_offset(start), text.page_for_offset(max(start, end - 1))
    values, low = [], []
    for number in range(first, last + 1):
        record = text.ocr_page(number)
        if not record or record.get("confidence") is None:
            continue
        page_start, page_end = text.page_range(number)
        words = _WORD.findall(text.full_text[max(start, page_start) : min(end, page_end)])
        doubtful: dict[str, list[float]] = defaultdict(list)
        for word, *_box, confidence in record.get("low_words") or []:
            doubtful[_key(word)].append(float(confidence))
        counts = Counter()
        for word in words:
            key = _key(word)
            confidences = doubtful.get(key)
            if confidences and counts[key] < len(confidences):
                values.append(confidences[counts[key]])
                counts[key] += 1
                low.append(word)
            else:
                values.append(float(record["confidence"]))
    if not values:
        return None
    return QuoteOcr(
        confidence=round(sum(values) / len(values), 1), lowest=min(values), low_words=low
    )


def apply_ocr(evidence, text, *, moved: bool) -> QuoteOcr | None:
    """Set the OCR fields of ``evidence`` anchored in ``text`` (not saved). ``moved``: the
    anchor changed (another text version, other offsets), so a confirmation given for the old
    anchor no longer holds."""
    result = quote_ocr(text, evidence.start, evidence.end)
    if moved:
        evidence.ocr_confirmed_by = None
        evidence.ocr_confirmed_at = None
    evidence.ocr_confidence = result.confidence if result else None
    evidence.ocr_needs_confirmation = bool(
        result and result.needs_confirmation and evidence.ocr_confirmed_at is None
    )
    return result


def confirm(evidence, user) -> None:
    """An analyst checked the quote against the scanned page (not saved)."""
    evidence.ocr_confirmed_by = user if user and user.is_authenticated else None
    evidence.ocr_confirmed_at = timezone.now()
    evidence.ocr_needs_confirmation = False
