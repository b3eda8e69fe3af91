"""``/api/v1/sources/{id}/``: a source that a published brief cites."""

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import viewsets
from rest_framework.exceptions import NotFound
from rest_framework.response import Response

from api.briefs.selectors import citation_index
from api.common import ConditionalGetMixin, NamedViewSetMixin, error_responses, parse_id

from . import selectors
from .serializers import SourceSerializer


class SourceAPIViewSet(ConditionalGetMixin, NamedViewSetMixin, viewsets.ViewSet):
    """A source is public only while a published brief cites some of its evidence; the
    uploaded file and the extracted text stay private."""

    view_name = "Source"
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
        source, cited = selectors.public_source(source_id, index) if index else (None, [])
        if source is None:
            raise NotFound(f"No published brief cites source {source_id}.")
        self.content_modified = selectors.source_modified(source, cited)
        data = selectors.source_data(source, cited, index, request)
        return Response(SourceSerializer(data, context={"request": request}).data)
