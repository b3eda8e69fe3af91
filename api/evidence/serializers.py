"""Serializers of ``/api/v1/evidence/{id}/``."""

from rest_framework import serializers

from api.briefs.serializers import (
    CountryRefSerializer,
    FigureSerializer,
    SelectorSerializer,
    SourceSummarySerializer,
    TopicRefSerializer,
)


class CitingBriefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    slug = serializers.CharField()
    title = serializers.CharField()
    url = serializers.CharField(allow_null=True, help_text="The brief on the public site.")
    api_url = serializers.CharField(help_text="The brief in this API.")


class FootnoteSerializer(serializers.Serializer):
    """The source's own footnote that the quoted passage carries ("Ibid." resolved)."""

    number = serializers.IntegerField()
    label = serializers.CharField(allow_blank=True)
    content = serializers.CharField()
    url = serializers.CharField(allow_blank=True)
    short = serializers.CharField(help_text="In short, e.g. “Agencia EFE, 2018”.")


class EvidenceSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    quote = serializers.CharField(help_text="The exact quote, as it stands in the source.")
    display_quote = serializers.CharField(help_text="The quote, line breaks folded.")
    page = serializers.IntegerField(help_text="Page of the source where the quote starts.")
    claim = serializers.CharField(allow_blank=True, help_text="What the quote shows.")
    kind = serializers.CharField()
    selectors = SelectorSerializer(
        many=True, help_text="W3C Web Annotation selectors anchoring the quote in the source."
    )
    anchor_status = serializers.ChoiceField(
        choices=["exact", "relocated", "orphaned"],
        help_text="exact, relocated (found again after a new text version) or orphaned.",
    )
    text_sha256 = serializers.CharField(help_text="SHA-256 of the source text quoted.")
    footnote = FootnoteSerializer(allow_null=True)
    figures = FigureSerializer(many=True)
    source = SourceSummarySerializer()
    countries = CountryRefSerializer(many=True)
    topics = TopicRefSerializer(many=True)
    cited_by = CitingBriefSerializer(many=True, help_text="The published briefs citing it.")
    ocr = serializers.BooleanField(help_text="Whether the quote was read by OCR from a scan.")
    ocr_confidence = serializers.FloatField(
        allow_null=True,
        min_value=0,
        max_value=100,
        help_text="Mean OCR confidence (0-100) of the quoted words; null when not OCR'd.",
    )
