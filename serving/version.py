"""The content version: one counter in the shared cache, part of every cached response's key.

Bumping it makes every cached response unreachable at once (they then expire on their own), so
that no change can be missed by a list of URLs to invalidate that forgot a page. Content changes
are rare next to reads, so precision per URL is not worth its risk.

Each process keeps its own copy of the counter for ``RESPONSE_CACHE_VERSION_SECONDS`` (in the
``serving-local`` cache): a bump by this process replaces the copy at once, a bump by another
process is seen when the copy expires."""

import time

from django.conf import settings
from django.core.cache import cache, caches
from django.db import connection, transaction

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
    version = cache.get(KEY)
    if version is None:
        # A fresh counter starts from the clock, never from a number already used by entries
        # that outlived an evicted counter.
        cache.add(KEY, time.time_ns() // 1000, timeout=None)
        version = cache.get(KEY)
    return _remember(version)


def bump():
    try:
        return _remember(cache.incr(KEY))
    except ValueError:  # no counter yet (or evicted)
        cache.add(KEY, time.time_ns() // 1000, timeout=None)
        _local().delete(KEY)
        return current()


def _pending():
    return any(func is bump for _, func, _ in connection.run_on_commit)


def bump_on_commit():
    """Bump now, and again once the transaction commits (once per transaction, however many
    rows change): a request that read the old rows during the transaction may have stored
    them under the version of the first bump; the second makes them unreachable."""
    bump()
    if connection.in_atomic_block and not _pending():
        transaction.on_commit(bump)
