"""Serving throughput with wrk against gunicorn with the production settings (2 workers, the
shared Redis cache, the response cache on), on loopback, 16 connections, a few seconds each.

Baseline: a static file served by the same gunicorn in the same run (the floor). Each public
page and API answer is measured warm (its content unchanged since the last request: served from
the response cache, after one unmeasured second that lets every worker keep its own copy) and
cold (the cache disabled: RESPONSE_CACHE_SECONDS=0 in a second server), as requests/s, p50 and
p99. Targets: warm at least 0.5 times the floor in requests/s and p99 ≤ 50 ms. The API's
anonymous rate limit is off (API_ANON_RATE=off: one client at 16 connections would get 429s);
with it on, each hit adds one rate-limit check against Redis."""

import os
import re
import secrets
import shutil
import subprocess
import sys
from pathlib import Path

from ._common import BASE_DIR, gunicorn

CONNECTIONS = 16
SECONDS = int(os.environ.get("BENCH_SERVING_SECONDS", "5"))
WARM_UP_SECONDS = 1
CACHE_URL = os.environ.get("BENCH_CACHE_URL", "redis://127.0.0.1:6379/12")


def _paths():
    from briefs.models import BriefPage
    from taxonomy.models import Country, Topic

    brief = BriefPage.objects.live().public().order_by("pk").first()
    country = Country.objects.filter(briefs__live=True).first()
    topic = Topic.objects.filter(briefs__live=True).first()
    paths = {"home": "/", "brief index": "/briefs/", "brief page": brief.url}
    if country:
        paths["country page"] = f"/countries/{country.slug}/"
    if topic:
        paths["topic page"] = f"/topics/{topic.slug}/"
    paths["API list"] = "/api/v1/briefs/"
    paths["API detail"] = f"/api/v1/briefs/{brief.slug}/"
    return paths


def _wrk(url, seconds=SECONDS):
    out = subprocess.run(
        ["wrk", "-t2", f"-c{CONNECTIONS}", f"-d{seconds}s", "--latency", url],
        capture_output=True, text=True, check=True, timeout=seconds + 60,
    ).stdout  # fmt: skip
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))

    def latency(pct):
        value, unit = re.search(rf"\s{pct}%\s+([\d.]+)(us|ms|s)\b", out).groups()
        return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]

    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    if errors:
        raise RuntimeError(f"{url}: {errors.group(1)} error responses:\n{out}")
    return rps, latency(50), latency(99)


def _static_path(static_root):
    import json

    manifest = json.loads((static_root / "staticfiles.json").read_text())
    return "/static/" + manifest["paths"]["briefs/css/site.css"]


def _env(static_root, response_cache_seconds):
    return {
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SECURE_SSL_REDIRECT": "false",
        "CACHE_URL": CACHE_URL,
        "STATIC_ROOT": str(static_root),
        "RESPONSE_CACHE_SECONDS": str(response_cache_seconds),
        "API_ANON_RATE": "off",
        "LOG_FORMAT": os.environ.get("BENCH_LOG_FORMAT", "json"),
    }


def _serve(static_root, cache_seconds, log_name):
    from django.conf import settings

    return gunicorn(
        "config.wsgi:application",
        Path(settings.VAR_DIR) / log_name,
        ready_path="/healthz/",
        options=["-c", "config/gunicorn.py", "--access-logfile", "/dev/null"],
        env=_env(static_root, cache_seconds),
    )


def run():
    from django.conf import settings

    if not shutil.which("wrk"):
        raise RuntimeError("wrk is missing: `make bench` installs it (Debian package wrk)")
    static_root = Path(settings.VAR_DIR) / "bench-static"
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
        cwd=BASE_DIR, env={**os.environ, **_env(static_root, 0)}, check=True,
    )  # fmt: skip
    paths = _paths()
    rows = []
    with _serve(static_root, 600, "bench-serving-warm.log") as base:
        # Each URL is first requested for a second unmeasured, so that every worker has it
        # (warm: nothing changed since the last request; the cold rows below have no cache).
        _wrk(base + _static_path(static_root), WARM_UP_SECONDS)
        floor, floor_p50, floor_p99 = _wrk(base + _static_path(static_root))
        rows += [
            {"name": "static file (floor)", "value": floor, "unit": "req/s",
             "baseline": None, "target": None},
            {"name": "static file p99", "value": floor_p99, "unit": "ms",
             "baseline": None, "target": 50.0},
        ]  # fmt: skip
        for name, path in paths.items():
            _wrk(base + path, WARM_UP_SECONDS)
            rps, p50, p99 = _wrk(base + path)
            rows += [
                {"name": f"{name} warm", "value": round(rps / floor, 2), "unit": "ratio",
                 "baseline": 1.0, "target": 0.5},
                {"name": f"{name} warm req/s", "value": rps, "unit": "req/s",
                 "baseline": floor, "target": None},
                {"name": f"{name} warm p50", "value": p50, "unit": "ms",
                 "baseline": floor_p50, "target": None},
                {"name": f"{name} warm p99", "value": p99, "unit": "ms",
                 "baseline": floor_p99, "target": 50.0},
            ]  # fmt: skip
    with _serve(static_root, 0, "bench-serving-cold.log") as base:
        for name, path in paths.items():
            rps, p50, p99 = _wrk(base + path)
            rows += [
                {"name": f"{name} cold req/s", "value": rps, "unit": "req/s",
                 "baseline": floor, "target": None},
                {"name": f"{name} cold p50", "value": p50, "unit": "ms",
                 "baseline": floor_p50, "target": None},
                {"name": f"{name} cold p99", "value": p99, "unit": "ms",
                 "baseline": floor_p99, "target": None},
            ]  # fmt: skip
    return rows
