"""The evidence a brief's blocks cite: whether it may be cited (the check of the blocks'
evidence choosers and of inline citations), the brief's prefetched copy of it when rendering,
and a sample for the admin's block previews."""

from evidence.models import Evidence


def _short(evidence):
    quote = evidence.display_quote
    return f"“{quote[:60]}{'…' if len(quote) > 60 else ''}”"


def citation_errors(evidence_ids) -> list[str]:
    """Why these pieces of evidence may not be cited (empty when they all may)."""
    ids = [int(i) for i in evidence_ids if i]
    if not ids:
        return []
    found = Evidence.objects.only(
        "pk", "quote", "review_status", "anchor_status", "ocr_needs_confirmation"
    ).in_bulk(ids)
    errors = []
    for evidence_id in dict.fromkeys(ids):
        evidence = found.get(evidence_id)
        if evidence is None:
            errors.append(f"Evidence #{evidence_id} no longer exists; remove the citation.")
        elif problems := evidence.status_problems():
            errors.append(
                f"Evidence #{evidence_id} {_short(evidence)} cannot be cited: "
                f"{'; '.join(problems)}; only accepted evidence can be cited, while its quote "
                "holds in the source. Cite other evidence, or fix this one first."
            )
    return errors


def evidence_id_of(value):
    if value is None:
        return None
    return value.pk if isinstance(value, Evidence) else int(value)


def prefetched(evidence, context):
    """The brief's prefetched copy of ``evidence`` (source, authors, figures loaded once for the
    whole brief), so that rendering costs no query per block."""
    notes = (context or {}).get("notes")
    if evidence is None or notes is None:
        return evidence
    note = notes.note_for(evidence.pk)
    return note.evidence if note else evidence


def sample_evidence(with_figures=False):
    queryset = Evidence.objects.citable()
    if with_figures:
        queryset = queryset.filter(figures__isnull=False)
    return queryset.order_by("pk").first()
