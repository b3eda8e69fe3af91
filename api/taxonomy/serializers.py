"""Serializers of ``/api/v1/countries/`` and ``/api/v1/topics/``."""

from rest_framework import serializers


class CountrySerializer(serializers.Serializer):
    iso_code = serializers.CharField(help_text="ISO 3166-1 alpha-2 code, e.g. KZ.")
    slug = serializers.CharField()
    name = serializers.CharField()
    description = serializers.CharField(allow_blank=True)
    brief_count = serializers.IntegerField(help_text="Published briefs about it.")
    briefs_url = serializers.CharField(help_text="Its published briefs in this API.")


class TopicSerializer(serializers.Serializer):
    slug = serializers.CharField()
    name = serializers.CharField()
    description = serializers.CharField(allow_blank=True)
    brief_count = serializers.IntegerField(help_text="Published briefs on it.")
    briefs_url = serializers.CharField(help_text="Its published briefs in this API.")
