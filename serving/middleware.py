"""Whole-response caching of what anonymous readers see, in the default (shared) cache.

Written here rather than with Django's cache middleware or wagtail-cache: Django's keys on the
URL and the Vary headers but has no content version (invalidation would mean clearing the whole
cache, which also holds the API's rate limits), and wagtail-cache does not support Wagtail 8.

A response is stored only for a GET without a session cookie or API token, outside the admin,
when it is a 200 without Set-Cookie, without a CSRF token, for no signed-in user and no preview.
Its key is the URL (scheme, host, path and query), the Accept header and the content version
(serving.version), so a publication or any other content change is visible at once in the
process that made it and within RESPONSE_CACHE_VERSION_SECONDS (0.5 s) on every other. Each
process keeps a copy of the answers it served last (the ``serving-local`` cache): a hit then
costs no round trip to Redis. The middleware comes first, so a hit runs no other middleware:
the stored headers are those they added when it was stored. Cached or not, such responses
carry ETag and Cache-Control headers (and the view's own Last-Modified, never the time of
storage) that let browsers revalidate (304) and shared caches keep them for
``RESPONSE_CACHE_SHARED_SECONDS``."""

import hashlib

from django.conf import settings
from django.core.cache import cache, caches
from django.http import HttpResponse
from django.utils.cache import cc_delim_re, get_conditional_response, patch_cache_control
from django.utils.module_loading import import_string

from . import version

# Vary headers whose value the key already covers (Accept) or that cacheable requests lack.
KEYED_VARY = {"accept", "cookie"}
NOT_STORED_HEADERS = {"set-cookie", "x-response-cache"}


def _excluded(path):
    return path.startswith(tuple(settings.RESPONSE_CACHE_EXCLUDED_PATHS)) or path.endswith(
        tuple(settings.RESPONSE_CACHE_EXCLUDED_SUFFIXES)
    )


def cacheable_request(request):
    return (
        settings.RESPONSE_CACHE_SECONDS > 0
        and request.method == "GET"
        and settings.SESSION_COOKIE_NAME not in request.COOKIES
        and "HTTP_AUTHORIZATION" not in request.META
        and not _excluded(request.path_info)
    )


def cacheable_response(request, response):
    user = getattr(request, "user", None)
    cache_control = response.get("Cache-Control", "").lower()
    vary = {v.strip().lower() for v in cc_delim_re.split(response.get("Vary", "")) if v.strip()}
    return (
        response.status_code == 200
        and not response.streaming
        and not response.cookies
        and not request.META.get("CSRF_COOKIE_NEEDS_UPDATE")
        and not (user is not None and user.is_authenticated)
        and not getattr(request, "is_preview", False)
        and not any(word in cache_control for word in ("private", "no-store", "no-cache"))
        and vary <= KEYED_VARY
    )


def cache_key(request, content_version):
    url = f"{request.scheme}://{request.get_host()}{request.get_full_path()}"
    accept = request.META.get("HTTP_ACCEPT", "")
    digest = hashlib.sha256(f"{url}\n{accept}".encode()).hexdigest()
    return f"serving:response:{content_version}:{digest}"


def add_validators(response):
    """An ETag (unless the view set one, as the API does) and the public Cache-Control:
    browsers revalidate after RESPONSE_CACHE_BROWSER_SECONDS, shared caches keep the response
    up to RESPONSE_CACHE_SHARED_SECONDS (or until purged on publication). Last-Modified stays
    the view's (the content's time, as in the API), stored and replayed with the response;
    none is made up from the time of storage, which is no time of the content."""
    if not response.has_header("ETag"):
        response["ETag"] = '"' + hashlib.sha256(response.content).hexdigest()[:32] + '"'
    options = {"public": True, "must_revalidate": True}
    options["s_maxage"] = settings.RESPONSE_CACHE_SHARED_SECONDS
    if "max-age" not in response.get("Cache-Control", ""):
        options["max_age"] = settings.RESPONSE_CACHE_BROWSER_SECONDS
    patch_cache_control(response, **options)


def _conditional(request, response):
    answer = get_conditional_response(
        request,
        etag=response.get("ETag"),
        last_modified=_timestamp(response.get("Last-Modified")),
        response=response,
    )
    if answer is not response:
        for header in ("Cache-Control", "Vary", "Content-Location"):
            if header in response:
                answer[header] = response[header]
    return answer


def _timestamp(value):
    from django.utils.http import parse_http_date_safe

    return parse_http_date_safe(value) if value else None


def _hit_check(request):
    """A check a cache hit must pass (``RESPONSE_CACHE_HIT_CHECKS``: the API's rate limits);
    the response it answers instead, or None."""
    for prefix, path in getattr(settings, "RESPONSE_CACHE_HIT_CHECKS", {}).items():
        if request.path.startswith(prefix):
            return import_string(path)(request)
    return None


def _stored(key):
    """The entry under ``key``: this process's copy, else the shared cache's (copied here).
    Keys carry the content version, so a copy can never be older than the version asked for."""
    local = caches["serving-local"]
    entry = local.get(key)
    if entry is None:
        entry = cache.get(key)
        if entry is not None:
            local.set(key, entry, settings.RESPONSE_CACHE_SECONDS)
    return entry


def _store(key, entry):
    cache.set(key, entry, settings.RESPONSE_CACHE_SECONDS)
    caches["serving-local"].set(key, entry, settings.RESPONSE_CACHE_SECONDS)


class PublicResponseCacheMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not cacheable_request(request):
            return self.get_response(request)
        # The version is read before the view reads the database: what the view renders is
        # then at least as new as this version, never older (see version.bump_on_commit).
        key = cache_key(request, version.current())
        entry = _stored(key)
        if entry is not None:
            refused = _hit_check(request)
            if refused is not None:
                return refused
            status, headers, content = entry
            response = HttpResponse(content, status=status)
            for name, value in headers:
                response[name] = value
            response["X-Response-Cache"] = "hit"
            return _conditional(request, response)
        response = self.get_response(request)
        if not cacheable_response(request, response):
            return response
        add_validators(response)
        headers = [(k, v) for k, v in response.items() if k.lower() not in NOT_STORED_HEADERS]
        _store(key, (response.status_code, headers, response.content))
        response["X-Response-Cache"] = "miss"
        return _conditional(request, response)
