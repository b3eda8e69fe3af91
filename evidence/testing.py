"""Test content shared by the test suites and the benchmarks: a ready source whose extracted
text is given page by page, and evidence anchored exactly in it.

Plain builders rather than factory_boy factories: what matters is that the text, its page
offsets, the SHA-256s and the anchor agree with one another, which a factory's independent
fields would not guarantee."""

import hashlib
import uuid
from decimal import Decimal

from sources.models import Source, SourceAuthor, SourceText

from .models import Evidence, EvidenceFigure


def store_text(source, pages, version=1) -> SourceText:
    """A text version of ``source`` made of ``pages`` (strings, in order)."""
    full_text = "".join(pages)
    starts, offset = [], 0
    for page in pages:
        starts.append(offset)
        offset += len(page)
    sha = hashlib.sha256(full_text.encode()).hexdigest()
    return SourceText.objects.create(
        source=source,
        version=version,
        full_text=full_text,
        text_sha256=sha,
        file_sha256=hashlib.sha256(f"{sha}-{version}".encode()).hexdigest(),
        page_starts=starts,
        extractor="test",
    )


def make_source(title, pages, *, authors=(), **fields) -> Source:
    """A ready source whose current text is ``pages``; ``authors`` are names in order."""
    fields.setdefault("file", f"sources/{uuid.uuid4().hex}.txt")
    source = Source.objects.create(
        title=title,
        status=Source.Status.READY,
        progress=100,
        page_count=len(pages),
        **fields,
    )
    for order, name in enumerate(authors):
        SourceAuthor.objects.create(source=source, name=name, sort_order=order)
    source.current_text = store_text(source, pages)
    source.save(update_fields=["current_text"])
    return source


def make_evidence(
    source,
    quote,
    *,
    figures=(),
    review_status=Evidence.ReviewStatus.ACCEPTED,
    anchor_status=Evidence.AnchorStatus.EXACT,
    kind=None,
    countries=(),
    topics=(),
    claim="",
) -> Evidence:
    """Evidence anchored at the first occurrence of ``quote`` in the source's current text.

    ``figures`` are (value, unit, year, label) tuples; evidence with figures is a statistic
    unless ``kind`` says otherwise."""
    text = source.current_text
    start = text.full_text.index(quote)
    end = start + len(quote)
    evidence = Evidence.objects.create(
        source=source,
        source_text=text,
        quote=quote,
        prefix=text.full_text[max(0, start - 32) : start],
        suffix=text.full_text[end : end + 32],
        start=start,
        end=end,
        page=text.page_for_offset(start),
        text_sha256=text.text_sha256,
        anchor_method="exact",
        kind=kind or (Evidence.Kind.STATISTIC if figures else Evidence.Kind.FINDING),
        review_status=review_status,
        anchor_status=anchor_status,
        claim=claim,
    )
    for order, (value, unit, year, label) in enumerate(figures):
        EvidenceFigure.objects.create(
            evidence=evidence,
            sort_order=order,
            value=Decimal(str(value)),
            unit=unit,
            year=year,
            label=label,
        )
    if countries or topics:
        evidence.countries.set(countries)
        evidence.topics.set(topics)
        evidence.save()  # ParentalManyToManyField relations are written on save
    return evidence
