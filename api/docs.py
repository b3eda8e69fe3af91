"""The documentation page of the public API.

It is Redoc, served from this site: its script is the copy that django-ninja (a dependency of
Wagtail, pinned in requirements.lock) ships, so that the page needs no CDN and works under a
Content-Security-Policy of 'self' (drf-spectacular's own templates load Redoc and Google Fonts
from CDNs, and drf-spectacular-sidecar is not installed). The browsable API (DRF's,
self-hosted) is the other way to explore."""

import functools
import importlib.util
from pathlib import Path

from csp.decorators import csp_update
from django.http import Http404, HttpResponse
from django.template import engines
from django.urls import reverse
from django.utils.cache import patch_cache_control
from django.views.decorators.http import require_safe

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
