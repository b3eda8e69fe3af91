"""GET /healthz/: is the database reachable, and is the Celery broker?

Answers 200 with {"status": "ok", ...} when both are, 503 otherwise, naming the dependency that
is down but never its error text (which can hold host names, ports and user names): the details
go to the log (logger "config.health"). Used by the container
health check (docker-compose.yml) and by load balancers, so it must answer quickly even when
a dependency hangs: the broker check has its own socket timeouts and an overall deadline.
"""

import logging
import os
import threading

from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from config.celery import app as celery_app

# Seconds: each broker socket operation, and the whole broker check.
BROKER_TIMEOUT = 2.0
BROKER_DEADLINE = 3.5

# Passed to the transport on top of CELERY_BROKER_TRANSPORT_OPTIONS, so that a broker that
# accepts the connection but never answers cannot block the check (redis, amqp).
_TIMEOUT_OPTIONS = {
    "socket_timeout": BROKER_TIMEOUT,
    "socket_connect_timeout": BROKER_TIMEOUT,
    "read_timeout": BROKER_TIMEOUT,
    "write_timeout": BROKER_TIMEOUT,
}


logger = logging.getLogger(__name__)

# What the public answer says about a dependency that is down; the cause goes to the log.
PUBLIC_ERROR = "unavailable"


def _failed(dependency, exc=None, detail=None):
    """Logs why `dependency` is down and returns the public answer, which says only that."""
    if exc is not None:
        logger.error("healthz: the %s check failed: %s", dependency, exc, exc_info=exc)
    else:
        logger.error("healthz: the %s check failed: %s", dependency, detail)
    return {"ok": False, "error": PUBLIC_ERROR}


def _database():
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:
        return _failed("database", exc)
    return {"ok": True, "vendor": connection.vendor}


def _filesystem_folders(conn):
    """kombu's filesystem transport 'connects' without touching the disk: check its folders."""
    options = conn.transport_options or {}
    folders = {options.get("data_folder_in", "data_in"), options.get("data_folder_out", "data_out")}
    for folder in sorted(folders):
        if not os.path.isdir(folder):
            raise OSError(f"broker folder {folder} does not exist")
        if not os.access(folder, os.W_OK | os.X_OK):
            raise OSError(f"broker folder {folder} is not writable")


def _check_broker():
    with celery_app.connection_for_write(
        connect_timeout=BROKER_TIMEOUT, transport_options=_TIMEOUT_OPTIONS
    ) as conn:
        conn.ensure_connection(
            max_retries=1, interval_start=0, interval_step=0, timeout=BROKER_TIMEOUT
        )
        transport = str(conn.transport_cls)
        if conn.transport.driver_type == "filesystem":
            _filesystem_folders(conn)
    return {"ok": True, "transport": transport}


def _broker():
    result = {}

    def target():
        try:
            result.update(_check_broker())
        except Exception as exc:
            result.update(_failed("broker", exc))

    # A daemon thread with a deadline: whatever the transport does, the view answers in time.
    thread = threading.Thread(target=target, name="healthz-broker", daemon=True)
    thread.start()
    thread.join(BROKER_DEADLINE)
    if thread.is_alive() or not result:
        return _failed("broker", detail=f"no answer within {BROKER_DEADLINE:g} s")
    return result


@never_cache
@require_safe
def healthz(request):
    checks = {"database": _database(), "broker": _broker()}
    healthy = all(check["ok"] for check in checks.values())
    return JsonResponse(
        {"status": "ok" if healthy else "unavailable", **checks}, status=200 if healthy else 503
    )
