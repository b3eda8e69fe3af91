"""Gunicorn settings of the `web` process (docker-compose.yml, Procfile.stack):

    gunicorn -c config/gunicorn.py config.wsgi:application --bind HOST:PORT

Workers: WEB_CONCURRENCY (gunicorn reads it itself; default 2 here). Logs: JSON lines unless
LOG_FORMAT=plain, like the Django and Celery logs of the production settings."""

import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from config.logs import gunicorn_logconfig

workers = int(os.environ.get("WEB_CONCURRENCY") or 2)
# Requests wait on the database or a large upload, rarely on the CPU.
timeout = 60
graceful_timeout = 30
keepalive = 5
# Recycle workers now and then, so that a slow leak never grows unbounded. Rarely: at 2000 a
# loaded worker restarted every few seconds (each restart reloads Django, and its requests
# wait); WEB_MAX_REQUESTS=0 turns recycling off. Each worker recycles after max_requests +
# randint(0, max_requests_jitter) requests: a jitter of half max_requests spreads the workers'
# restarts, so that they do not all reload Django at once and leave nobody to answer.
max_requests = int(os.environ.get("WEB_MAX_REQUESTS") or 100_000)
max_requests_jitter = max_requests // 2
accesslog = "-"
errorlog = "-"
# Heartbeat files in memory, not on a container's overlay filesystem.
if os.path.isdir("/dev/shm"):
    worker_tmp_dir = "/dev/shm"
if (os.environ.get("LOG_FORMAT") or "json") == "json":
    logconfig_dict = gunicorn_logconfig()
