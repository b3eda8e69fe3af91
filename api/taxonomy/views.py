"""``/api/v1/countries/`` and ``/api/v1/topics/``: the terms that published briefs use, with
their number of published briefs (terms with none are not listed)."""

from urllib.parse import urlencode

from django.urls import reverse
from drf_spectacular.utils import extend_schema
from rest_framework import viewsets

from api.briefs.representation import country_data, topic_data
from api.common import ApiPagination, ConditionalGetMixin, NamedViewSetMixin, error_responses
from briefs.services import countries_with_briefs, last_publication_change, topics_with_briefs
from taxonomy.models import Country, Topic

from .serializers import CountrySerializer, TopicSerializer

ERRORS = error_responses(e400="A bad page or page_size.", e404="A page beyond the last.")


class _TermAPIViewSet(ConditionalGetMixin, NamedViewSetMixin, viewsets.GenericViewSet):
    pagination_class = ApiPagination
    parameter = ""

    def term_data(self, term):
        raise NotImplementedError

    def list(self, request):
        page = self.paginate_queryset(self.get_queryset().order_by("name", "pk"))
        # Terms have no edit time: which are listed, and their counts, follow publications.
        self.content_modified = last_publication_change()
        base = request.build_absolute_uri(reverse("api:brief-list"))
        data = [
            {
                **self.term_data(term),
                "description": term.description,
                "brief_count": term.brief_count,
                "briefs_url": f"{base}?{urlencode({self.parameter: term.slug})}",
            }
            for term in page
        ]
        return self.get_paginated_response(self.get_serializer(data, many=True).data)


class CountryAPIViewSet(_TermAPIViewSet):
    view_name = "Country"
    serializer_class = CountrySerializer
    parameter = "country"

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation: no database access
            return Country.objects.none()
        return countries_with_briefs()

    def term_data(self, term):
        return country_data(term)

    @extend_schema(
        summary="Countries of published briefs",
        responses={200: CountrySerializer(many=True), **ERRORS},
    )
    def list(self, request):
        return super().list(request)


class TopicAPIViewSet(_TermAPIViewSet):
    view_name = "Topic"
    serializer_class = TopicSerializer
    parameter = "topic"

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation: no database access
            return Topic.objects.none()
        return topics_with_briefs()

    def term_data(self, term):
        return topic_data(term)

    @extend_schema(
        summary="Topics of published briefs", responses={200: TopicSerializer(many=True), **ERRORS}
    )
    def list(self, request):
        return super().list(request)
