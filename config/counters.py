"""Counters in the shared cache that tell every process something changed (serving.version: the
content version of the whole-response cache; briefs.routing: the sites' generation).

A process compares the counter with the value it read before: a bump anywhere makes its copies
stale. A counter that is missing (new, or evicted) starts again from the clock, never from a
number that copies made under an earlier counter could still carry."""

import time

from django.core.cache import cache
from django.db import connection, transaction


def _start(key):
    cache.add(key, time.time_ns() // 1000, timeout=None)
    return cache.get(key)


def read(key):
    """The counter's value, started if it is missing."""
    value = cache.get(key)
    return _start(key) if value is None else value


def bump(key):
    """Add one to the counter (start it if it is missing); its new value."""
    try:
        return cache.incr(key)
    except ValueError:  # no counter yet (or evicted)
        return _start(key)


def now_and_on_commit(func):
    """``func()`` now, and again once the transaction commits (once per transaction, however many
    rows change): a request that read the old rows during the transaction may have kept them
    under the value of the first bump; the second makes them stale."""
    func()
    if connection.in_atomic_block and not any(f == func for _, f, _ in connection.run_on_commit):
        transaction.on_commit(func)
