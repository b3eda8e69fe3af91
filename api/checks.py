"""`manage.py check --deploy`: the cache must be shared by every process that serves.

The API's rate limits (api.common throttles), its ETags and the rendered fragments of briefs
live in the default cache. A per-process cache (LocMem) gives each gunicorn worker its own
counters, so a client gets WEB_CONCURRENCY times the documented rate, and a change one process
makes (a worker invalidating a fragment) is not seen by the others. Compose and `make stack`
set CACHE_URL to Redis; the `migrate` step of compose (and `python -m config.stack prepare`)
runs `check --deploy --fail-level ERROR` first, so such a deployment does not start."""

import os

from django.conf import settings
from django.core import checks

PROCESS_LOCAL_BACKENDS = (
    "django.core.cache.backends.locmem.LocMemCache",
    "django.core.cache.backends.dummy.DummyCache",
)


def web_processes(environ=None):
    """The gunicorn workers of one web container (config/gunicorn.py: WEB_CONCURRENCY, 2)."""
    value = (environ if environ is not None else os.environ).get("WEB_CONCURRENCY") or "2"
    try:
        return int(value)
    except ValueError:
        return 2


@checks.register(checks.Tags.caches, deploy=True)
def check_shared_cache(app_configs=None, **kwargs):
    backend = settings.CACHES.get("default", {}).get("BACKEND", "")
    if backend not in PROCESS_LOCAL_BACKENDS:
        return []
    hint = (
        "Set CACHE_URL to a Redis database other than the broker's, e.g. redis://redis:6379/1 "
        "(see .env.example and README.md, 'Configuration')."
    )
    workers = web_processes()
    if workers > 1:
        return [
            checks.Error(
                f"The cache is per process ({backend.rsplit('.', 1)[-1]}) but {workers} web "
                "processes would serve (WEB_CONCURRENCY): API rate limits would allow "
                f"{workers}x the documented rate, and ETags and rendered briefs would not be "
                "shared.",
                hint=hint,
                id="briefdesk.E001",
            )
        ]
    return [
        checks.Warning(
            f"The cache is per process ({backend.rsplit('.', 1)[-1]}): the web process and the "
            "Celery worker share no cached fragments, and a second web process would double the "
            "API rate limits.",
            hint=hint,
            id="briefdesk.W001",
        )
    ]
