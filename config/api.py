"""The public REST API, mounted at /api/v1/ by config/urls.py: the router of every app's API
views, the OpenAPI 3 schema, the documentation page and a JSON 404 for any other path.

The documentation page is Redoc, served from this site: its script is the copy that
django-ninja (a dependency of Wagtail, pinned in requirements.lock) ships, so that the page
needs no CDN and works under a Content-Security-Policy of 'self' (drf-spectacular's own
templates load Redoc and Google Fonts from CDNs, and drf-spectacular-sidecar is not
installed). The browsable API (DRF's, self-hosted) is the other way to explore."""

import functools
import importlib.util
from pathlib import Path

from csp.decorators import csp_update
from django.http import Http404, HttpResponse
from django.template import engines
from django.urls import path, re_path, reverse
from django.utils.cache import patch_cache_control
from django.views.decorators.http import require_safe
from drf_spectacular.utils import extend_schema
from drf_spectacular.views import SpectacularAPIView
from rest_framework import routers
from rest_framework.exceptions import NotFound
from rest_framework.response import Response
from rest_framework.views import APIView

from briefs.api.common import ConditionalGetMixin
from briefs.api.views import BriefViewSet
from evidence.api.views import EvidenceViewSet
from sources.api.views import SourceViewSet
from taxonomy.api.views import CountryViewSet, TopicViewSet

app_name = "api"

router = routers.SimpleRouter()
router.register("briefs", BriefViewSet, basename="brief")
router.register("countries", CountryViewSet, basename="country")
router.register("topics", TopicViewSet, basename="topic")
router.register("sources", SourceViewSet, basename="source")
router.register("evidence", EvidenceViewSet, basename="evidence")


DESCRIPTION = """
Read-only access to the published policy briefs of Briefdesk and to the evidence behind them:
each brief's text as structured blocks, its numbered citations (the exact quote, its page and
W3C Web Annotation selectors in the source), its bibliography (also as CSL-JSON) and its PDF.

Only what is published is served: briefs that are live and not restricted, as last published
(a newer draft appears only once it is published); sources and evidence only while a published
brief cites them. Anything else is a 404, whether it exists or not.

**Addresses.** A brief is at `/api/v1/briefs/{slug}/` (its slug, as on the site) and at
`/api/v1/briefs/by-id/{id}/` (its numeric `id`, which never changes). Sources and evidence are
at `/api/v1/sources/{id}/` and `/api/v1/evidence/{id}/`; ids are positive whole numbers.

**Citations in rich text.** `html` fields are clean HTML. An inline citation reads
`<span class="cited">cited words</span><a class="note-ref" href="#note-N" data-note="N"
data-evidence="ID">…N</a>`: `N` is the number of the note in the brief's `notes`, `ID` the
evidence (`/api/v1/evidence/ID/`).

**Caching.** Every successful response carries an `ETag` (a hash of the representation), a
`Last-Modified` date and `Cache-Control: public, max-age=…`. Send `If-None-Match` (or
`If-Modified-Since`) to get a `304 Not Modified` when nothing changed.

**Rate limits.** Anonymous clients get a limited number of requests per minute per IP address;
clients sending an API token issued by an administrator (`Authorization: Token <key>`) get a
higher limit. Beyond it the answer is `429` with a `Retry-After` header (seconds).

**Errors** all have one shape: `{"error": {"status", "code", "message", "details"}}`. A bad
query parameter is a `400` whose `details` name each parameter and what is wrong with it.
"""


def only_public_api(endpoints):
    """drf-spectacular pre-processing hook: the schema documents /api/v1/ only (Wagtail's
    admin API is built with DRF too)."""
    return [endpoint for endpoint in endpoints if endpoint[0].startswith("/api/v1/")]


def describe_api(result, generator, request, public):
    """drf-spectacular post-processing hook: the description above, the error component."""
    result.setdefault("info", {})["description"] = DESCRIPTION.strip()
    return result


class SchemaView(ConditionalGetMixin, SpectacularAPIView):
    """The OpenAPI 3 schema (YAML; JSON with ``?format=json`` or ``Accept: application/json``)."""

    cache_seconds = 300


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


_DOCS = engines["django"].from_string(
    """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Briefdesk API documentation</title>
<style>body { margin: 0; padding: 0; }</style>
</head>
<body>
<noscript><p>This page needs JavaScript. The schema itself is at
<a href="{{ schema_url }}">{{ schema_url }}</a>; the browsable API starts at
<a href="{{ root_url }}">{{ root_url }}</a>.</p></noscript>
<redoc spec-url="{{ schema_url }}" hide-download-button="false"></redoc>
<script src="{{ script_url }}"></script>
</body>
</html>
"""
)


def _redoc_script() -> Path | None:
    spec = importlib.util.find_spec("ninja")
    if spec is None or not spec.submodule_search_locations:
        return None
    script = Path(spec.submodule_search_locations[0]) / "static" / "ninja" / "redoc.standalone.js"
    return script if script.is_file() else None


# Redoc injects its styles (styled-components) and runs its search in a blob: worker; the rest
# of the site's policy ('self' only, no CDN) stays as it is.
@csp_update({"style-src": ["'unsafe-inline'"], "worker-src": ["'self'", "blob:"]})
@require_safe
def docs(request):
    response = HttpResponse(
        _DOCS.render(
            {
                "schema_url": reverse("api:schema"),
                "root_url": reverse("api:root"),
                "script_url": reverse("api:docs-script"),
            }
        )
    )
    patch_cache_control(response, public=True, max_age=300)
    return response


# The bundle's "API docs by Redocly" badge loads its logo from cdn.redoc.ly; the site fetches
# nothing from third parties, so that one URL is pointed at an inline SVG instead.
_REDOC_LOGO = b"https://cdn.redoc.ly/redoc/logo-mini.svg"
_LOCAL_LOGO = (
    b"data:image/svg+xml,%3Csvg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 10 10'%3E"
    b"%3Ccircle cx='5' cy='5' r='4' fill='%23555'/%3E%3C/svg%3E"
)


@functools.cache
def _redoc_bundle() -> bytes | None:
    script = _redoc_script()
    return script.read_bytes().replace(_REDOC_LOGO, _LOCAL_LOGO) if script else None


@require_safe
def docs_script(request):
    bundle = _redoc_bundle()
    if bundle is None:
        raise Http404("Redoc is not installed.")
    response = HttpResponse(bundle, content_type="text/javascript; charset=utf-8")
    patch_cache_control(response, public=True, max_age=24 * 3600)
    return response


urlpatterns = [
    path("", ApiRootView.as_view(), name="root"),
    path("schema/", SchemaView.as_view(), name="schema"),
    path("docs/", docs, name="docs"),
    path("docs/redoc.standalone.js", docs_script, name="docs-script"),
    *router.urls,
    re_path(r"^(?:.*/)?$", NotFoundView.as_view(), name="not-found"),
]
