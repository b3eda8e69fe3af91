"""``/api/v1/sources/{id}/``: a source that a published brief cites."""

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import viewsets
from rest_framework.exceptions import NotFound
from rest_framework.response import Response

from briefs.api.common import ConditionalGetMixin, parse_id
from briefs.api.serializers import error_responses
from briefs.api.services import citation_index

from . import services
from .serializers import SourceSerializer


class SourceViewSet(ConditionalGetMixin, viewsets.ViewSet):
    """A source is public only while a published brief cites some of its evidence; the
    uploaded file and the extracted text stay private."""

    lookup_value_regex = r"[^/]+"

    @extend_schema(
        summary="A source cited by a published brief",
        parameters=[OpenApiParameter("id", int, OpenApiParameter.PATH)],
        responses={
            200: SourceSerializer,
            **error_responses(e404="No source with this id is cited in public."),
        },
    )
    def retrieve(self, request, pk=None):
        source_id = parse_id(pk, "source")
        index = citation_index(request)
        source, cited = services.public_source(source_id, index) if index else (None, [])
        if source is None:
            raise NotFound(f"No published brief cites source {source_id}.")
        data = services.source_data(source, cited, index, request)
        return Response(SourceSerializer(data, context={"request": request}).data)
