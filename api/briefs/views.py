"""``/api/v1/briefs/``: the published briefs, and each one in full."""

import json

from django.utils.cache import patch_vary_headers
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response

from api.common import (
    MAX_PAGE_ID,
    ApiPagination,
    ConditionalGetMixin,
    FilterBackend,
    Gone,
    NamedViewSetMixin,
    error_responses,
    fields_parameter,
    parse_id,
    requested_fields,
)
from api.renderers import (
    CITATION_FORMATS,
    CITATION_RENDERERS,
    FormatFirstNegotiation,
    JSONLDRenderer,
)
from briefs import annotations, metadata
from briefs.models import BriefPage
from briefs.services import last_publication_change
from briefs.versions import history, version_page

from . import representation, selectors
from .filters import BriefFilterSet
from .serializers import (
    BriefDetailSerializer,
    BriefSummarySerializer,
    BriefVersionDetailSerializer,
)

LIST_ERRORS = error_responses(
    e400="A query parameter has a bad value (see error.details).",
    e404="A page beyond the last.",
)
DETAIL_ERRORS = error_responses(
    e400="A query parameter has a bad value (see error.details).",
    e404="No published brief here (unpublished, private or none).",
    e410="The brief was withdrawn: error.details.notice is its withdrawal notice "
    "(type, date, text).",
)
VERSION_ERRORS = error_responses(
    e400="A query parameter has a bad value (see error.details).",
    e404="No published brief here (unpublished, private or none), or it has no such version.",
    e410="The brief was withdrawn: error.details.notice is its withdrawal notice "
    "(type, date, text).",
)
FORMAT_ERRORS = error_responses(
    e400="A query parameter has a bad value (see error.details).",
    e404="No published brief here (unpublished, private or none), or no such format.",
)
# CSL-JSON downloads are a list of items (the brief, or each source of its bibliography).
CSL_ITEMS = {
    "type": "array",
    "items": {"type": "object", "additionalProperties": True},
    "description": "CSL-JSON items.",
}
CITATION_RESPONSES = {
    (200, "application/vnd.citationstyles.csl+json"): CSL_ITEMS,
    (200, "application/json"): CSL_ITEMS,
    (200, "application/x-research-info-systems"): {"type": "string"},
    (200, "application/x-bibtex"): {"type": "string"},
}
ANNOTATION_COLLECTION = {
    "type": "object",
    "additionalProperties": True,
    "description": "A W3C AnnotationCollection (JSON-LD).",
}
DETAIL_FIELDS = fields_parameter(BriefDetailSerializer, "the brief", "title,versions,notices")
SLUG_PARAMETER = OpenApiParameter(
    "slug",
    str,
    OpenApiParameter.PATH,
    description="The brief's slug, as in its address on the site (/briefs/<slug>/).",
    pattern=r"^[-\w]+$",
)


class BriefAPIViewSet(ConditionalGetMixin, NamedViewSetMixin, viewsets.GenericViewSet):
    """Published briefs (live and without view restrictions), as last published: a newer
    draft never shows here until it is published."""

    view_name = "Brief"
    lookup_field = "slug"
    lookup_value_regex = r"[^/]+"
    pagination_class = ApiPagination
    filter_backends = [FilterBackend]
    filterset_class = BriefFilterSet
    serializer_class = BriefSummarySerializer

    requested = None  # the fields asked for (?fields=), None for all

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation: no database access
            return BriefPage.objects.none()
        return selectors.listing_queryset(self.requested)

    @extend_schema(
        summary="List published briefs",
        parameters=[
            fields_parameter(BriefSummarySerializer, "each brief", "title,url,last_published_at")
        ],
        responses={200: BriefSummarySerializer(many=True), **LIST_ERRORS},
    )
    def list(self, request):
        self.requested = fields = requested_fields(request, BriefSummarySerializer)
        queryset = self.filter_queryset(self.get_queryset())
        page = self.paginate_queryset(queryset)
        self.content_modified = last_publication_change()
        data = [representation.brief_summary(brief, request, fields) for brief in page]
        context = {"request": request, "fields": fields}
        serializer = BriefSummarySerializer(data, many=True, context=context)
        return self.get_paginated_response(serializer.data)

    def _detail(self, request, brief, fields):
        pdf = selectors.live_pdf(brief)  # its times (Last-Modified) and its status: one query
        self.content_modified = selectors.brief_modified(brief, pdf)
        data = representation.brief_detail(
            brief, request, lambda: self._history(request, brief)[1], fields, pdf
        )
        context = {"request": request, "fields": fields}
        return Response(BriefDetailSerializer(data, context=context).data)

    @staticmethod
    def _history(request, brief):
        hist = history(brief)
        pdf_urls = selectors.version_pdf_urls(brief, hist.versions)
        return hist, representation.history_data(brief, hist, pdf_urls, request)

    @staticmethod
    def _not_found(message, **lookup):
        """A 410 with the withdrawal notice when the brief was withdrawn, else a 404."""
        withdrawn = selectors.withdrawn_brief(**lookup)
        if withdrawn is not None:
            brief, withdrawal = withdrawn
            raise Gone(
                f"“{brief.title}” was withdrawn on {withdrawal.withdrawn_at:%d %B %Y}: "
                f"{withdrawal.text}",
                details=representation.withdrawal_details(withdrawal),
            )
        raise NotFound(message)

    @extend_schema(
        summary="A published brief, by slug",
        parameters=[SLUG_PARAMETER, DETAIL_FIELDS],
        responses={200: BriefDetailSerializer, **DETAIL_ERRORS},
    )
    def retrieve(self, request, slug=None):
        fields = requested_fields(request, BriefDetailSerializer)
        # Slugs are unique among the briefs of one index page; should two index pages hold
        # the same slug, the brief published first (lowest id) answers. Ids never collide.
        brief = selectors.detail_queryset(fields).filter(slug=slug).order_by("pk").first()
        if brief is None:
            self._not_found(f"No published brief has the slug “{slug[:80]}”.", slug=slug)
        return self._detail(request, brief, fields)

    @extend_schema(
        summary="A published brief, by id",
        parameters=[
            OpenApiParameter(
                "id",
                int,
                OpenApiParameter.PATH,
                description="The brief's numeric id (the ``id`` field).",
            ),
            DETAIL_FIELDS,
        ],
        responses={200: BriefDetailSerializer, **DETAIL_ERRORS},
    )
    @action(detail=False, methods=["get"], url_path=r"by-id/(?P<id>[^/]+)", url_name="by-id")
    def by_id(self, request, id=None):
        pk = parse_id(id, "brief", MAX_PAGE_ID)
        fields = requested_fields(request, BriefDetailSerializer)
        brief = selectors.detail_queryset(fields).filter(pk=pk).first()
        if brief is None:
            self._not_found(f"No published brief has the id {pk}.", pk=pk)
        return self._detail(request, brief, fields)

    @extend_schema(
        summary="One version of a published brief, as it was published",
        description="Version ``number`` (1 for the first publication) in full, in the shape of "
        "the brief's detail, rendered from that version's revision with the quotes it pinned; "
        "``version`` says which version it is, ``pdf`` is that version's PDF.",
        parameters=[
            SLUG_PARAMETER,
            OpenApiParameter(
                "number",
                int,
                OpenApiParameter.PATH,
                description="The version's number (see ``versions`` in the brief's detail).",
            ),
            fields_parameter(BriefVersionDetailSerializer, "the version", "title,version"),
        ],
        responses={200: BriefVersionDetailSerializer, **VERSION_ERRORS},
    )
    @action(
        detail=True,
        methods=["get"],
        url_path=r"versions/(?P<number>[^/]+)",
        url_name="version",
    )
    def version(self, request, slug=None, number=None):
        number = parse_id(number, "version", MAX_PAGE_ID)
        fields = requested_fields(request, BriefVersionDetailSerializer)
        brief = selectors.detail_queryset(fields).filter(slug=slug).order_by("pk").first()
        if brief is None:
            self._not_found(f"No published brief has the slug “{slug[:80]}”.", slug=slug)
        self.content_modified = selectors.brief_modified(brief)
        hist, history_fields = self._history(request, brief)
        version = hist.version(number)
        if version is None:
            raise NotFound(f"The brief “{slug[:80]}” has no version {number}.")
        shown = version_page(version)
        data = representation.brief_detail(shown, request, lambda: history_fields, fields)
        data["version"] = next(v for v in history_fields["versions"] if v["number"] == number)
        if "url" in data:
            data["url"] = data["version"]["url"]
        context = {"request": request, "fields": fields}
        return Response(BriefVersionDetailSerializer(data, context=context).data)

    # Citation formats and Web Annotations ----------------------------------------------------

    def _live_brief(self, slug):
        brief = selectors.detail_queryset().filter(slug=slug).order_by("pk").first()
        if brief is None:
            raise NotFound(f"No published brief has the slug “{slug[:80]}”.")
        self.content_modified = selectors.brief_modified(brief)
        return brief

    def _citation_response(self, request, text, fmt):
        data = json.loads(text) if fmt == "json" else text
        response = Response(data)
        patch_vary_headers(response, ["Accept"])
        return response

    @extend_schema(
        summary="How to cite a published brief: CSL-JSON, RIS or BibTeX",
        description="Negotiated by ``Accept`` (application/vnd.citationstyles.csl+json, "
        "application/x-research-info-systems, application/x-bibtex, application/json) or "
        "``?format=csl|ris|bibtex|json``.",
        parameters=[SLUG_PARAMETER],
        responses={**CITATION_RESPONSES, **FORMAT_ERRORS},
    )
    @action(
        detail=True,
        methods=["get"],
        renderer_classes=CITATION_RENDERERS,
        content_negotiation_class=FormatFirstNegotiation,
    )
    def citation(self, request, slug=None):
        brief = self._live_brief(slug)
        fmt = CITATION_FORMATS[request.accepted_renderer.format]
        text = metadata.brief_citation(brief, fmt, request)
        return self._citation_response(request, text, fmt)

    @extend_schema(
        summary="The bibliography of a published brief: CSL-JSON, RIS or BibTeX",
        description="Negotiated like ``citation``.",
        parameters=[SLUG_PARAMETER],
        responses={**CITATION_RESPONSES, **FORMAT_ERRORS},
    )
    @action(
        detail=True,
        methods=["get"],
        renderer_classes=CITATION_RENDERERS,
        content_negotiation_class=FormatFirstNegotiation,
    )
    def bibliography(self, request, slug=None):
        brief = self._live_brief(slug)
        fmt = CITATION_FORMATS[request.accepted_renderer.format]
        return self._citation_response(request, metadata.bibliography_download(brief, fmt), fmt)

    @extend_schema(
        summary="The evidence a published brief cites, as a W3C AnnotationCollection",
        parameters=[SLUG_PARAMETER],
        # JSON-LD by default; the same document as plain JSON with ?format=json.
        responses={
            (200, "application/ld+json"): ANNOTATION_COLLECTION,
            (200, "application/json"): ANNOTATION_COLLECTION,
            **FORMAT_ERRORS,
        },
    )
    @action(
        detail=True,
        methods=["get"],
        renderer_classes=[JSONLDRenderer, JSONRenderer],
        content_negotiation_class=FormatFirstNegotiation,
    )
    def annotations(self, request, slug=None):
        response = Response(annotations.brief_collection(self._live_brief(slug), request))
        patch_vary_headers(response, ["Accept"])
        return response
