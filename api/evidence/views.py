"""``/api/v1/evidence/{id}/``: a piece of evidence that a published brief cites."""

from django.utils.cache import patch_vary_headers
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import viewsets
from rest_framework.exceptions import NotFound
from rest_framework.renderers import BrowsableAPIRenderer, JSONRenderer
from rest_framework.response import Response

from api.briefs.selectors import citation_index
from api.common import ConditionalGetMixin, NamedViewSetMixin, error_responses, parse_id
from api.renderers import FormatFirstNegotiation, JSONLDRenderer
from briefs.annotations import evidence_annotation

from . import selectors
from .serializers import EvidenceSerializer


class EvidenceAPIViewSet(ConditionalGetMixin, NamedViewSetMixin, viewsets.ViewSet):
    """Evidence is public only while a published brief cites it; anything else is a 404,
    whether it exists or not."""

    view_name = "Evidence"
    lookup_value_regex = r"[^/]+"
    # ``Accept: application/ld+json`` (or ``?format=jsonld``): the W3C Web Annotation.
    renderer_classes = [JSONRenderer, JSONLDRenderer, BrowsableAPIRenderer]
    content_negotiation_class = FormatFirstNegotiation

    @extend_schema(
        summary="Evidence cited by a published brief",
        parameters=[OpenApiParameter("id", int, OpenApiParameter.PATH)],
        responses={
            (200, "application/json"): EvidenceSerializer,
            # With Accept: application/ld+json or ?format=jsonld.
            (200, "application/ld+json"): {
                "type": "object",
                "additionalProperties": True,
                "description": "The evidence as a W3C Web Annotation (JSON-LD).",
            },
            **error_responses(
                e400="A query parameter has a bad value (see error.details).",
                e404="No evidence with this id is cited in public, or no such format.",
            ),
        },
    )
    def retrieve(self, request, pk=None):
        evidence_id = parse_id(pk, "evidence")
        cited_by = citation_index(request).get(evidence_id)
        evidence = selectors.public_evidence(evidence_id) if cited_by else None
        if evidence is None:
            raise NotFound(f"No published brief cites evidence {evidence_id}.")
        self.content_modified = selectors.content_modified(
            evidence.updated_at, evidence.source.updated_at
        )
        if isinstance(request.accepted_renderer, JSONLDRenderer):
            response = Response(evidence_annotation(evidence, request))
        else:
            data = selectors.evidence_data(evidence, cited_by, request)
            response = Response(EvidenceSerializer(data, context={"request": request}).data)
        patch_vary_headers(response, ["Accept"])
        return response
