"""Evidence receipts: what a reader needs to check a cited quote outside Briefdesk. Public only
for evidence that a live brief cites (briefs.services.citation_index); anything else is None,
which the views turn into a 404.

A receipt shows the evidence as it is now; a live brief shows the wording its revision pinned
(BriefPage.cited_quotes), so the receipt says for each citing brief whether the two differ."""

from dataclasses import dataclass, field

from django.utils.functional import cached_property

from evidence.models import Evidence

from .citations import author_line, short_reference, source_year
from .services import citation_index, published_briefs

CONTEXT_CHARS = 240


@dataclass
class CitingBrief:
    page: object
    shown_quote: str  # the wording the brief shows (its revision's pin, or the current one)
    differs: bool


@dataclass
class Receipt:
    evidence: Evidence
    citing: list = field(default_factory=list)

    @property
    def source(self):
        return self.evidence.source

    @cached_property
    def context(self) -> tuple[str, str]:
        """The source text just before and just after the quote (whole words), from the text
        version it was quoted from."""
        text = self.evidence.source_text.full_text
        start, end = self.evidence.start, self.evidence.end
        before = text[max(0, start - CONTEXT_CHARS) : start]
        after = text[end : end + CONTEXT_CHARS]
        if start > CONTEXT_CHARS and " " in before:
            before = "…" + before.split(" ", 1)[1]
        if end + CONTEXT_CHARS < len(text) and " " in after:
            after = after.rsplit(" ", 1)[0] + "…"
        return " ".join(before.split()) + (" " if before[-1:].isspace() else ""), (
            (" " if after[:1].isspace() else "") + " ".join(after.split())
        )

    @property
    def context_before(self):
        return self.context[0]

    @property
    def context_after(self):
        return self.context[1]

    @property
    def text_sha256(self):
        return self.evidence.text_sha256

    @property
    def file_sha256(self):
        """The SHA-256 of the source file the quoted text version was extracted from."""
        return self.evidence.source_text.file_sha256

    @property
    def footnote(self):
        """The source's own footnote the quote carries: (short form, full text, URL) or None."""
        reference = self.evidence.footnote
        if reference is None:
            return None
        reference = reference.resolved or reference
        return {
            "short": short_reference(reference.content),
            "content": reference.content,
            "url": reference.url,
        }

    @property
    def source_line(self):
        source = self.source
        parts = [author_line(source), source.title, source.publisher, source_year(source)]
        return ", ".join(part for part in parts if part)

    @property
    def any_differs(self):
        return any(brief.differs for brief in self.citing)


def receipt_queryset():
    return Evidence.objects.select_related(
        "source", "source_text", "footnote__repeats"
    ).prefetch_related("source__authors", "figures")


def public_receipt(evidence_id: int) -> Receipt | None:
    """The receipt of evidence a live brief cites; None for anything else."""
    brief_ids = citation_index().get(int(evidence_id))
    if not brief_ids:
        return None
    evidence = receipt_queryset().filter(pk=evidence_id).first()
    if evidence is None:
        return None
    receipt = Receipt(evidence)
    for page in published_briefs().filter(pk__in=brief_ids).order_by("pk"):
        pin = (page.cited_quotes or {}).get(str(evidence.pk)) or {}
        shown = pin.get("quote", evidence.quote)
        receipt.citing.append(CitingBrief(page, " ".join(shown.split()), shown != evidence.quote))
    return receipt if receipt.citing else None
