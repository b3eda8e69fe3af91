"""Evidence business logic: anchoring quotes, keeping anchors true across source versions,
verifying them, and turning automatic candidates into evidence. Shared by the admin, the tasks
and the commands."""

from collections import OrderedDict
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from threading import Lock

from django.db import transaction
from django.utils import timezone

from sources.models import FootnoteMarker, Reference, Source, SourceText

from .anchoring import Anchor, AnchorError, TextIndex, matching_form
from .candidates import extract_candidates
from .events import evidence_changed
from .models import Evidence, EvidenceFigure
from .ocr import apply_ocr

# A TextIndex costs ~0.1 s to build for 300 pages; keep the last few per process.
_INDEX_CACHE_SIZE = 8
_index_cache: "OrderedDict[tuple[int, str], TextIndex]" = OrderedDict()
_index_lock = Lock()


def text_index(text: SourceText) -> TextIndex:
    key = (text.pk, text.text_sha256)
    with _index_lock:
        index = _index_cache.get(key)
        if index is not None:
            _index_cache.move_to_end(key)
            return index
    index = TextIndex(text.full_text, text.page_starts)
    with _index_lock:
        _index_cache[key] = index
        while len(_index_cache) > _INDEX_CACHE_SIZE:
            _index_cache.popitem(last=False)
    return index


class SourceNotReady(AnchorError):
    pass


def ready_text(source: Source) -> SourceText:
    """The current text of a source, or a clear refusal when there is none yet."""
    if source is None:
        raise AnchorError("Choose the source the quote comes from.")
    if not source.is_ready:
        state = {
            Source.Status.PENDING: "is waiting for its text to be extracted",
            Source.Status.PROCESSING: "is still being processed",
            Source.Status.FAILED: "failed to ingest",
        }.get(source.status, "is not ready")
        raise SourceNotReady(
            f"The source “{source.title}” {state}; evidence can be anchored only in a source "
            "whose text is ready."
        )
    return source.current_text


def anchor_quote(source, quote, *, start=None, end=None, prefix=None, suffix=None) -> Anchor:
    """Anchor a quote in the current text of ``source``.

    With ``start``/``end`` (a selection in the reader) the offsets are used when they hold the
    quote; otherwise the quote is located: exact, then normalised, then fuzzy. Raises
    AnchorError with a message for the analyst."""
    text = ready_text(source)
    index = text_index(text)
    if start is not None and end is not None:
        anchor = index.anchor_at(start, end)
        if not quote or _same_words(anchor.exact, quote):
            return anchor
    return index.locate(quote or "", prefix=prefix, suffix=suffix, hint=start)


def _same_words(a, b):
    return a.split() == b.split()


def same_passage(text: SourceText, start: int, end: int, *, exclude_pk=None):
    """Evidence already quoting exactly this range of this text version."""
    return (
        Evidence.objects.filter(source_text=text, start=start, end=end)
        .exclude(pk=exclude_pk)
        .order_by("pk")
    )


def footnote_for(text: SourceText, start: int, end: int):
    """The source's own footnote carried by the passage: the first marker inside the quote
    or directly after it (within a few characters), resolved through "Ibid."."""
    marker = (
        FootnoteMarker.objects.filter(text=text, start__gte=start, start__lte=end + 3)
        .select_related("reference__repeats")
        .order_by("start")
        .first()
    )
    if marker is None:
        return None
    return marker.reference


def apply_anchor(evidence: Evidence, text: SourceText, anchor: Anchor):
    """Copy an anchor onto ``evidence`` (not saved), with the OCR confidence of its words."""
    moved = (evidence.source_text_id, evidence.start, evidence.end) != (
        text.pk,
        anchor.start,
        anchor.end,
    )
    evidence.source_text = text
    evidence.quote = anchor.exact
    evidence.prefix = anchor.prefix
    evidence.suffix = anchor.suffix
    evidence.start = anchor.start
    evidence.end = anchor.end
    evidence.page = text.page_for_offset(anchor.start)
    evidence.text_sha256 = text.text_sha256
    evidence.anchor_method = anchor.method
    evidence.anchor_score = anchor.score
    evidence.verified_at = timezone.now()
    apply_ocr(evidence, text, moved=moved)


# Re-anchoring ---------------------------------------------------------------------------


@dataclass
class ReanchorSummary:
    exact: int = 0
    relocated: int = 0
    changed: int = 0
    orphaned: int = 0
    orphaned_ids: list = field(default_factory=list)
    changed_ids: list = field(default_factory=list)

    @property
    def total(self):
        return self.exact + self.relocated + self.changed + self.orphaned


def same_wording(a: str, b: str) -> bool:
    """Whether two quotes say the same words: equal in the anchoring's matching form (spacing,
    line breaks, hyphenation, typographic quotes, dashes and footnote markers aside)."""
    return " ".join(matching_form(a).split()) == " ".join(matching_form(b).split())


def reanchor_source_evidence(source: Source, new_text: SourceText) -> ReanchorSummary:
    """Move every piece of evidence of ``source`` into ``new_text``.

    Unchanged quotes stay exact; moved ones are relocated (offsets, page and context updated)
    only when their words are the same (``same_wording``); those found with other words are
    *changed* (new anchor, the old wording kept in ``previous_quote``, not citable until an
    analyst re-accepts them); those no longer found above the threshold are orphaned: kept with
    their old anchor and text version, and flagged in the admin. Nothing is deleted."""
    summary = ReanchorSummary()
    index = TextIndex(new_text.full_text, new_text.page_starts)
    references = {ref.number: ref for ref in Reference.objects.filter(text=new_text)}
    changed = []
    for evidence in Evidence.objects.filter(source=source).exclude(source_text=new_text):
        result = index.reanchor(
            evidence.quote, evidence.prefix, evidence.suffix, evidence.start, evidence.end
        )
        if result.anchor is None:
            summary.orphaned += 1
            summary.orphaned_ids.append(evidence.pk)
            evidence.anchor_status = Evidence.AnchorStatus.ORPHANED
            evidence.anchor_score = result.score
            evidence.anchor_note = (
                f"Not found in text version {new_text.version} of the source (best match "
                f"{result.score:.0f}%, threshold {_threshold():.0f}%). The quote still refers "
                f"to version {evidence.source_text.version}; re-quote it or reject it."
            )
        else:
            old = (evidence.source_text.version, evidence.start, evidence.page)
            # The wording analysts accepted: the quote, or the one kept while it is "changed".
            accepted = evidence.quote
            if evidence.anchor_status == Evidence.AnchorStatus.CHANGED and evidence.previous_quote:
                accepted = evidence.previous_quote
            apply_anchor(evidence, new_text, result.anchor)
            if not same_wording(accepted, evidence.quote):
                # Found, but reworded ("rose by 12 percent" -> "15 percent"): not the same
                # evidence. Kept beside the old wording until an analyst re-accepts or rejects
                # it; never citable meanwhile. Briefs keep the wording they pinned.
                summary.changed += 1
                summary.changed_ids.append(evidence.pk)
                evidence.anchor_status = Evidence.AnchorStatus.CHANGED
                evidence.previous_quote = accepted
                evidence.anchor_note = (
                    f"The words changed in text version {new_text.version} of the source "
                    f"({result.anchor.method} match, {result.score:.0f}%): compare the old and new "
                    "wording, then accept the new wording or reject the evidence."
                )
            elif result.status == "exact":
                summary.exact += 1
                evidence.anchor_status = Evidence.AnchorStatus.EXACT
                evidence.anchor_note = ""
                evidence.previous_quote = ""
            else:
                summary.relocated += 1
                evidence.anchor_status = Evidence.AnchorStatus.RELOCATED
                evidence.previous_quote = ""
                evidence.anchor_note = (
                    f"Relocated from text version {old[0]} (offset {old[1]}, page {old[2]}) "
                    f"by {result.anchor.method} match ({result.score:.0f}%)."
                )
            if evidence.footnote_id:
                number = evidence.footnote.number
                evidence.footnote = references.get(number)
        changed.append(evidence)
    Evidence.objects.bulk_update(
        changed,
        [
            "source_text",
            "quote",
            "prefix",
            "suffix",
            "start",
            "end",
            "page",
            "text_sha256",
            "anchor_method",
            "anchor_score",
            "anchor_status",
            "anchor_note",
            "previous_quote",
            "footnote",
            "verified_at",
            "ocr_confidence",
            "ocr_needs_confirmation",
            "ocr_confirmed_by",
            "ocr_confirmed_at",
        ],
        batch_size=500,
    )
    evidence_changed.send(sender=Evidence, ids=[evidence.pk for evidence in changed])
    return summary


def _threshold():
    from .anchoring import FUZZY_THRESHOLD

    return FUZZY_THRESHOLD


# Verification ---------------------------------------------------------------------------


@dataclass
class Problem:
    evidence: Evidence
    message: str


def verify(queryset=None, *, check=Evidence.anchor_problems) -> tuple[int, list[Problem]]:
    """Re-check every anchor (or those of ``queryset``); the service of the publish gate."""
    queryset = Evidence.objects.all() if queryset is None else queryset
    checked, problems = 0, []
    for evidence in queryset.select_related("source", "source_text").iterator(chunk_size=200):
        checked += 1
        for message in check(evidence):
            problems.append(Problem(evidence, message))
    return checked, problems


# Candidates -----------------------------------------------------------------------------


def propose_candidates(text: SourceText) -> int:
    """Store automatic candidate evidence for a source text; returns how many were added.

    Idempotent: passages already covered by evidence of the same text are skipped."""
    references = list(Reference.objects.filter(text=text).select_related("repeats"))
    markers = list(FootnoteMarker.objects.filter(text=text).select_related("reference"))
    candidates = extract_candidates(
        text.full_text, text.page_starts, _parsed_refs(references), _parsed_markers(markers)
    )
    by_number = {ref.number: ref for ref in references}
    taken = list(Evidence.objects.filter(source_text=text).values_list("start", "end"))
    index = text_index(text)
    created = 0
    with transaction.atomic():
        for candidate in candidates:
            if candidate.gaps:
                # The sentence runs across a page break or a footnote block: the exact span
                # would quote the interruption too. An analyst can still quote a part of it.
                continue
            if any(s < candidate.end and candidate.start < e for s, e in taken):
                continue
            anchor = index.anchor_at(candidate.start, candidate.end)
            evidence = Evidence(
                source=text.source,
                review_status=Evidence.ReviewStatus.CANDIDATE,
                origin=Evidence.Origin.AUTOMATIC,
                kind=candidate.kind,
                claim="",
            )
            apply_anchor(evidence, text, anchor)
            numbers = [n for n in candidate.reference_numbers if n in by_number]
            evidence.footnote = by_number[numbers[0]] if numbers else None
            evidence.save()
            EvidenceFigure.objects.bulk_create(
                [
                    EvidenceFigure(
                        evidence=evidence,
                        value=_decimal(fig.value),
                        unit=fig.unit[:40],
                        year=fig.year,
                        label=(fig.label or fig.text)[:200],
                        sort_order=i,
                    )
                    for i, fig in enumerate(candidate.figures)
                    if _decimal(fig.value) is not None
                ]
            )
            taken.append((anchor.start, anchor.end))
            created += 1
    return created


def _decimal(value):
    try:
        result = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None
    return result if abs(result) < Decimal("1e15") else None


def _parsed_refs(references):
    from sources.footnotes import ParsedReference

    return [
        ParsedReference(
            number=r.number,
            label=r.label,
            content=r.content,
            url=r.url,
            start=r.start,
            end=r.end,
            page=r.page or 0,
            repeats=r.repeats.number if r.repeats_id else None,
        )
        for r in references
    ]


def _parsed_markers(markers):
    from sources.footnotes import ParsedMarker

    return [
        ParsedMarker(number=m.reference.number, start=m.start, end=m.end, page=m.page or 0)
        for m in markers
    ]


def set_review_status(queryset, status, user=None) -> int:
    """Accept or reject evidence in bulk. Orphaned evidence cannot be accepted; accepting
    changed evidence accepts its new wording (``accept_new_wording``)."""
    now = timezone.now()
    if status == Evidence.ReviewStatus.ACCEPTED:
        queryset = queryset.exclude(anchor_status=Evidence.AnchorStatus.ORPHANED)
    ids = list(queryset.values_list("pk", flat=True))
    queryset = Evidence.objects.filter(pk__in=ids)
    if status == Evidence.ReviewStatus.ACCEPTED:
        queryset.filter(anchor_status=Evidence.AnchorStatus.CHANGED).update(
            **_new_wording_accepted(user, now)
        )
    count = queryset.update(review_status=status, updated_at=now)
    evidence_changed.send(sender=Evidence, ids=ids)
    return count


def _new_wording_accepted(user, when) -> dict:
    who = (user.get_full_name() or user.get_username()) if user else "an analyst"
    return {
        "anchor_status": Evidence.AnchorStatus.RELOCATED,
        "previous_quote": "",
        "anchor_note": f"New wording accepted by {who} on {when:%Y-%m-%d}.",
    }


def accept_new_wording(evidence: Evidence, user=None):
    """An analyst accepts the changed wording of ``evidence``: citable again (not saved)."""
    if evidence.anchor_status == Evidence.AnchorStatus.CHANGED:
        for name, value in _new_wording_accepted(user, timezone.now()).items():
            setattr(evidence, name, value)
