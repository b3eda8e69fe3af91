"""Renderers of the citation and annotation formats the API negotiates (``Accept`` or
``?format=``): RIS, BibTeX, CSL-JSON and JSON-LD Web Annotations.

The views hand them text (RIS, BibTeX) or data (CSL-JSON, JSON-LD) already in the format; an
error body (a dict from the exception handler) is sent as JSON, with its own content type."""

import json

from django.http import Http404
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.renderers import BaseRenderer, JSONRenderer


class TextFormatRenderer(BaseRenderer):
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        if isinstance(data, str):
            return data.encode(self.charset)
        response = (renderer_context or {}).get("response")
        if response is not None:
            response["Content-Type"] = "application/json"
        return json.dumps(data, ensure_ascii=False).encode(self.charset)


class RISRenderer(TextFormatRenderer):
    media_type = "application/x-research-info-systems"
    format = "ris"


class BibTeXRenderer(TextFormatRenderer):
    media_type = "application/x-bibtex"
    format = "bibtex"


class CSLJSONRenderer(JSONRenderer):
    media_type = "application/vnd.citationstyles.csl+json"
    format = "csl"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        content = super().render(data, accepted_media_type, renderer_context)
        response = (renderer_context or {}).get("response")
        if response is not None and response.status_code >= 400:
            response["Content-Type"] = "application/json"  # an error body, not CSL
        return content


class JSONLDRenderer(JSONRenderer):
    """W3C Web Annotations: ``application/ld+json`` with the annotation profile."""

    media_type = "application/ld+json"
    format = "jsonld"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        content = super().render(data, accepted_media_type, renderer_context)
        response = (renderer_context or {}).get("response")
        if response is not None and response.status_code == 200:
            response["Content-Type"] = (
                'application/ld+json; profile="http://www.w3.org/ns/anno.jsonld"'
            )
        return content


CITATION_RENDERERS = [CSLJSONRenderer, RISRenderer, BibTeXRenderer, JSONRenderer]
# The renderer's format: the briefs.metadata format that produces it.
CITATION_FORMATS = {"csl": "json", "json": "json", "ris": "ris", "bibtex": "bib"}


class FormatFirstNegotiation(DefaultContentNegotiation):
    """``?format=`` names the format outright, whatever ``Accept`` says (DRF would answer
    406 when the two disagree); an unknown format is a 404. Without it, ``Accept`` decides."""

    def select_renderer(self, request, renderers, format_suffix=None):
        fmt = format_suffix or request.query_params.get(self.settings.URL_FORMAT_OVERRIDE)
        if fmt:
            for renderer in renderers:
                if renderer.format == fmt:
                    return renderer, renderer.media_type
            raise Http404(f"No such format: “{fmt[:40]}”.")
        return super().select_renderer(request, renderers, format_suffix)
