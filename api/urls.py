"""The public REST API, mounted at /api/v1/ by config/urls.py: the router of every resource's
views, the OpenAPI 3 schema, the documentation page and a JSON 404 for any other path."""

from django.urls import path, re_path
from rest_framework import routers

from .briefs.views import BriefAPIViewSet
from .docs import docs, docs_script
from .evidence.views import EvidenceAPIViewSet
from .schema import SchemaView
from .sources.views import SourceAPIViewSet
from .taxonomy.views import CountryAPIViewSet, TopicAPIViewSet
from .views import ApiRootView, NotFoundView

app_name = "api"

router = routers.SimpleRouter()
router.register("briefs", BriefAPIViewSet, basename="brief")
router.register("countries", CountryAPIViewSet, basename="country")
router.register("topics", TopicAPIViewSet, basename="topic")
router.register("sources", SourceAPIViewSet, basename="source")
router.register("evidence", EvidenceAPIViewSet, basename="evidence")

urlpatterns = [
    path("", ApiRootView.as_view(), name="root"),
    path("schema/", SchemaView.as_view(), name="schema"),
    path("docs/", docs, name="docs"),
    path("docs/redoc.standalone.js", docs_script, name="docs-script"),
    *router.urls,
    re_path(r"^(?:.*/)?$", NotFoundView.as_view(), name="not-found"),
]
