"""The content version: one counter in the shared cache, part of every cached response's key.

Bumping it makes every cached response unreachable at once (they then expire on their own), so
that no change can be missed by a list of URLs to invalidate that forgot a page. Content changes
are rare next to reads, so precision per URL is not worth its risk.

Each process keeps its own copy of the counter for ``RESPONSE_CACHE_VERSION_SECONDS`` (in the
``serving-local`` cache): a bump by this process replaces the copy at once, a bump by another
process is seen when the copy expires."""

from django.conf import settings
from django.core.cache import caches

from config import counters

KEY = "serving:content-version"


def _local():
    return caches["serving-local"]


def _remember(version):
    seconds = settings.RESPONSE_CACHE_VERSION_SECONDS
    if seconds > 0:
        _local().set(KEY, version, seconds)
    return version


def current():
    version = _local().get(KEY)
    if version is not None:
        return version
    return _remember(counters.read(KEY))


def bump():
    return _remember(counters.bump(KEY))


def bump_on_commit():
    """Bump now, and again once the transaction commits (config.counters.now_and_on_commit)."""
    counters.now_and_on_commit(bump)
