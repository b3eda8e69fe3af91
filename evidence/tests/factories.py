"""factory_boy factories of the evidence library: evidence anchored exactly at the first
occurrence of its quote in its source's current text, and its figures."""

from decimal import Decimal

import factory
from factory.django import DjangoModelFactory

from evidence.models import Evidence, EvidenceFigure
from sources.tests.factories import SourceFactory


class EvidenceFigureFactory(DjangoModelFactory):
    class Meta:
        model = EvidenceFigure

    evidence = factory.SubFactory("evidence.tests.factories.EvidenceFactory")
    value = Decimal("1")
    unit = "count"
    year = None
    label = factory.Sequence(lambda n: f"Figure {n}")
    sort_order = 0


class EvidenceFactory(DjangoModelFactory):
    """Accepted evidence quoting ``quote`` (which the source's current text must contain; by
    default its first 40 characters). ``figures`` are (value, unit, year, label) tuples:
    evidence with figures is a statistic unless ``kind`` says otherwise. ``countries`` and
    ``topics`` are lists of terms."""

    class Meta:
        model = Evidence
        skip_postgeneration_save = True

    source = factory.SubFactory(SourceFactory)
    source_text = factory.SelfAttribute("source.current_text")
    quote = factory.LazyAttribute(lambda e: e.source_text.full_text[:40])
    start = factory.LazyAttribute(lambda e: e.source_text.full_text.index(e.quote))
    end = factory.LazyAttribute(lambda e: e.start + len(e.quote))
    prefix = factory.LazyAttribute(
        lambda e: e.source_text.full_text[max(0, e.start - 32) : e.start]
    )
    suffix = factory.LazyAttribute(lambda e: e.source_text.full_text[e.end : e.end + 32])
    page = factory.LazyAttribute(lambda e: e.source_text.page_for_offset(e.start))
    text_sha256 = factory.SelfAttribute("source_text.text_sha256")
    anchor_method = "exact"
    figures = ()
    kind = factory.LazyAttribute(
        lambda e: Evidence.Kind.STATISTIC if e.figures else Evidence.Kind.FINDING
    )
    review_status = Evidence.ReviewStatus.ACCEPTED
    anchor_status = Evidence.AnchorStatus.EXACT
    claim = ""

    @classmethod
    def _create(cls, model_class, *args, figures=(), **kwargs):
        # ``figures`` is a declaration (``kind`` depends on it) but no model field: the rows
        # are made here, after the evidence they belong to.
        evidence = super()._create(model_class, *args, **kwargs)
        for order, (value, unit, year, label) in enumerate(figures):
            EvidenceFigureFactory(
                evidence=evidence,
                sort_order=order,
                value=Decimal(str(value)),
                unit=unit,
                year=year,
                label=label,
            )
        return evidence

    @classmethod
    def _build(cls, model_class, *args, figures=(), **kwargs):
        return super()._build(model_class, *args, **kwargs)

    # ParentalManyToManyField relations are written on save.
    @factory.post_generation
    def countries(evidence, create, extracted, **kwargs):
        if create and extracted:
            evidence.countries.set(extracted)
            evidence.save()

    @factory.post_generation
    def topics(evidence, create, extracted, **kwargs):
        if create and extracted:
            evidence.topics.set(extracted)
            evidence.save()
