"""Wagtail's page view, routed from the site's root page as the Site query loads it, with the
Site remembered by each process.

Wagtail routes from ``site.root_page.specific``: one query for the root page's own row before
routing even starts. The root page (the home page) routes with its tree fields only (its
RoutablePageMixin routes and RoutesToKnownChildren read path, depth and url_path), so this
view routes from ``specific_deferred`` instead: a page below the root costs one query less,
and the home page itself loads its own fields when it is rendered, as before. Everything else
is Wagtail's: the route is left where ``Page.route_for_request`` keeps it for the request, and
wagtail.views.serve serves it (hooks, privacy, the page's serve).

Wagtail also looks the Site up with a query on every request (``Site.find_for_request``), for a
table that changes a few times in a site's life. ``find_site`` keeps the answer per host and port
in the process (hand-written: Wagtail caches the site root paths, not this lookup), valid while the
sites' generation, a counter in the shared cache (config.counters), is unchanged: a Site saved or
deleted, or a site's root page saved, anywhere, bumps it (now and once the transaction commits, so
that no process keeps a row it read before the commit). Each request gets its own unpickled copy,
so no two requests share a page object."""

import functools
import pickle

from django.http import Http404
from django.http.request import split_domain_port
from wagtail.models import Page, Site
from wagtail.views import serve as wagtail_serve

from config import counters

GENERATION_KEY = "briefs:sites-generation"
MAX_REMEMBERED_HOSTS = 64  # hosts that passed ALLOWED_HOSTS (CommonMiddleware): a handful
_remembered = {}  # (hostname, port) -> (sites' generation, pickled Site or None)


def find_site(request):
    """Site.find_for_request, from this process's copy while the sites' generation holds."""
    if hasattr(request, "_wagtail_site"):
        return request._wagtail_site
    key = (split_domain_port(request._get_raw_host())[0], request.get_port())
    generation = counters.read(GENERATION_KEY)
    entry = _remembered.get(key)
    if entry is not None and entry[0] == generation:
        site = pickle.loads(entry[1]) if entry[1] is not None else None
    else:
        site = Site._find_for_request(request)
        if len(_remembered) >= MAX_REMEMBERED_HOSTS:
            _remembered.clear()
        _remembered[key] = (generation, pickle.dumps(site) if site is not None else None)
    request._wagtail_site = site
    return site


def _bump():
    counters.bump(GENERATION_KEY)


def sites_changed(sender=None, instance=None, **kwargs):
    """A Site saved or deleted, or a page saved (connected in briefs.apps): a site's root page
    changes what a remembered Site holds."""
    # Page.is_site_root() asks the database (one indexed query per page save): Wagtail's cached
    # site root paths would be computed here inside the saving transaction, and kept after a
    # rollback.
    if sender is not Site and not (isinstance(instance, Page) and instance.is_site_root()):
        return
    _remembered.clear()
    counters.now_and_on_commit(_bump)


def forget_sites():
    """Forget this process's copies (tests: a rollback undoes changes without a signal)."""
    _remembered.clear()


@functools.wraps(wagtail_serve)
def serve(request, path):
    if not hasattr(request, "_wagtail_route_for_request"):
        site = find_site(request)
        route = None
        if site is not None:
            components = [component for component in path.split("/") if component]
            try:
                route = site.root_page.localized.specific_deferred.route(request, components)
            except Http404:
                route = None
        request._wagtail_route_for_request = route
    return wagtail_serve(request, path)
