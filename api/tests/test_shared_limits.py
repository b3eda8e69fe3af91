"""The API's rate limit is shared by every process through the Redis cache (CACHE_URL), and a
deployment whose cache is per process does not pass `check --deploy`.

Two separate Python processes (as two gunicorn workers would be) each ask for more than the
limit; together they get exactly the documented rate, not twice it. Skipped when Redis is
unreachable (CI runs it)."""

import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

BASE_DIR = Path(__file__).resolve().parents[2]


def redis_url():
    broker = os.environ.get("CELERY_BROKER_URL", "")
    if broker.startswith("redis://"):
        return broker
    return os.environ.get("API_TEST_REDIS_URL", "redis://127.0.0.1:6379/8")


# One "gunicorn worker": Django set up from scratch, five anonymous requests from one address.
CLIENT = """
import django
django.setup()
from django.test import Client
client = Client(REMOTE_ADDR="203.0.113.9", HTTP_HOST="localhost")
print(" ".join(str(client.get("/api/v1/").status_code) for _ in range(5)))
"""


def statuses(tmp_path, cache_url):
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.dev",
        "DEBUG": "false",
        "BRIEFDESK_VAR_DIR": str(tmp_path),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'unused.sqlite3'}",
        "CELERY_BROKER_URL": "memory://",
        "API_ANON_RATE": "6/minute",
        "CACHE_URL": cache_url or "",
        "CACHE_KEY_PREFIX": f"test-{uuid.uuid4().hex}",  # this test's own counters
    }
    codes = []
    for _ in range(2):
        result = subprocess.run(
            [sys.executable, "-c", CLIENT],
            cwd=BASE_DIR,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
            stdin=subprocess.DEVNULL,
        )
        assert result.returncode == 0, result.stderr[-3000:]
        codes += [int(code) for code in result.stdout.split()]
    return codes


def test_two_processes_share_one_rate_limit_through_redis(tmp_path):
    import redis

    url = redis_url()
    try:
        redis.Redis.from_url(url, socket_connect_timeout=3).ping()
    except (redis.RedisError, OSError) as exc:
        pytest.skip(f"Redis is unreachable at {url}: {exc}")
    codes = statuses(tmp_path, url)
    assert codes.count(200) == 6 and codes.count(429) == 4, codes


def test_a_per_process_cache_gives_each_process_the_whole_rate(tmp_path):
    """What the deploy check prevents: without CACHE_URL each process counts on its own."""
    codes = statuses(tmp_path, None)
    assert codes.count(200) == 10, codes


def deploy_check(tmp_path, **overrides):
    from config.tests.test_production import documented_environment

    env = documented_environment(tmp_path, **overrides)
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "ERROR"],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        stdin=subprocess.DEVNULL,
    )


def test_check_deploy_refuses_a_per_process_cache_with_several_web_processes(tmp_path):
    result = deploy_check(tmp_path, CACHE_URL="", WEB_CONCURRENCY="3")
    output = result.stdout + result.stderr
    assert result.returncode != 0, output
    assert "briefdesk.E001" in output and "3x the documented rate" in output
    assert "CACHE_URL" in output


def test_check_deploy_warns_about_a_per_process_cache_with_one_web_process(tmp_path):
    result = deploy_check(tmp_path, CACHE_URL="", WEB_CONCURRENCY="1")
    output = result.stdout + result.stderr
    assert result.returncode == 0, output  # a warning, under --fail-level ERROR
    assert "briefdesk.W001" in output


def test_the_documented_environment_shares_the_cache_through_redis(tmp_path):
    result = deploy_check(tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "briefdesk." not in result.stdout + result.stderr
