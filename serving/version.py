"""The content version: one counter in the shared cache, part of every cached response's key.

Bumping it makes every cached response unreachable at once (they then expire on their own), so
that no change can be missed by a list of URLs to invalidate that forgot a page. Content changes
are rare next to reads, so precision per URL is not worth its risk."""

import time

from django.core.cache import cache
from django.db import connection, transaction

KEY = "serving:content-version"


def current():
    version = cache.get(KEY)
    if version is None:
        # A fresh counter starts from the clock, never from a number already used by entries
        # that outlived an evicted counter.
        cache.add(KEY, time.time_ns() // 1000, timeout=None)
        version = cache.get(KEY)
    return version


def bump():
    try:
        return cache.incr(KEY)
    except ValueError:  # no counter yet (or evicted)
        cache.add(KEY, time.time_ns() // 1000, timeout=None)
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
