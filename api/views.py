"""The API's own pages: its root (where to start) and a JSON 404 for any other path."""

from django.urls import reverse
from drf_spectacular.utils import extend_schema
from rest_framework.exceptions import NotFound
from rest_framework.response import Response
from rest_framework.views import APIView


class ApiRootView(APIView):
    """Where to start: the endpoints, the schema and the documentation."""

    @extend_schema(exclude=True)
    def get(self, request):
        def url(name, *args):
            return request.build_absolute_uri(reverse(f"api:{name}", args=args))

        return Response(
            {
                "briefs": url("brief-list"),
                "countries": url("country-list"),
                "topics": url("topic-list"),
                "schema": url("schema"),
                "documentation": url("docs"),
            }
        )


class NotFoundView(APIView):
    """Any other path under /api/v1/: a 404 in the API's error shape."""

    @extend_schema(exclude=True)
    def get(self, request, *args, **kwargs):
        raise NotFound(f"There is no API endpoint at {request.path}.")

    post = put = patch = delete = options = get
