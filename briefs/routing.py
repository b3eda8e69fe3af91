"""Wagtail's page view, routed from the site's root page as the Site query loads it.

Wagtail routes from ``site.root_page.specific``: one query for the root page's own row before
routing even starts. The root page (the home page) routes with its tree fields only (its
RoutablePageMixin routes and RoutesToKnownChildren read path, depth and url_path), so this
view routes from ``specific_deferred`` instead: a page below the root costs one query less,
and the home page itself loads its own fields when it is rendered, as before. Everything else
is Wagtail's: the route is left where ``Page.route_for_request`` keeps it for the request, and
wagtail.views.serve serves it (hooks, privacy, the page's serve)."""

import functools

from django.http import Http404
from wagtail.models import Site
from wagtail.views import serve as wagtail_serve


@functools.wraps(wagtail_serve)
def serve(request, path):
    if not hasattr(request, "_wagtail_route_for_request"):
        site = Site.find_for_request(request)
        route = None
        if site is not None:
            components = [component for component in path.split("/") if component]
            try:
                route = site.root_page.localized.specific_deferred.route(request, components)
            except Http404:
                route = None
        request._wagtail_route_for_request = route
    return wagtail_serve(request, path)
