"""Serializers of ``/api/v1/sources/{id}/``."""

from rest_framework import serializers

from api.briefs.serializers import CountryRefSerializer, CSLField, TopicRefSerializer
from api.evidence.serializers import CitingBriefSerializer


class SourceAuthorSerializer(serializers.Serializer):
    name = serializers.CharField()
    kind = serializers.ChoiceField(choices=["person", "organisation"])
    role = serializers.ChoiceField(choices=["author", "editor"])


class CitedEvidenceSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    quote = serializers.CharField(help_text="The quote, line breaks folded.")
    page = serializers.IntegerField()
    api_url = serializers.CharField()


class SourceSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    subtitle = serializers.CharField(allow_blank=True)
    authors = SourceAuthorSerializer(many=True)
    publisher = serializers.CharField(allow_blank=True)
    publication_date = serializers.DateField(
        allow_null=True, help_text="Read with date_precision (a year or month only)."
    )
    date_precision = serializers.ChoiceField(choices=["year", "month", "day"])
    document_type = serializers.CharField()
    language = serializers.CharField(help_text="BCP 47 language tag.")
    url = serializers.CharField(allow_blank=True, help_text="The source's own web address.")
    abstract = serializers.CharField(allow_blank=True)
    page_count = serializers.IntegerField(allow_null=True)
    countries = CountryRefSerializer(many=True)
    topics = TopicRefSerializer(many=True)
    csl = CSLField(help_text="The source as a CSL-JSON item.")
    cited_evidence = CitedEvidenceSerializer(
        many=True, help_text="Its evidence that published briefs cite."
    )
    cited_by = CitingBriefSerializer(many=True, help_text="The published briefs citing it.")
