"""Production settings refuse to start without their required environment.

Each case imports the settings in a fresh interpreter with a clean environment, so that the
import-time ImproperlyConfigured is what the process reports (as gunicorn or celery would)."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

BASE_DIR = Path(__file__).resolve().parents[2]

REQUIRED = {
    "SECRET_KEY": "a-long-random-production-secret-key-for-the-settings-test-0123456789",
    "ALLOWED_HOSTS": "briefdesk.example.org",
    "DATABASE_URL": "postgres://briefdesk:secret@db.example.org:5432/briefdesk",
    "CELERY_BROKER_URL": "redis://redis.example.org:6379/0",
}

SETUP = (
    "import django; django.setup(); from django.conf import settings; "
    "print(settings.DEBUG, settings.DATABASES['default']['ENGINE'], settings.CELERY_BROKER_URL)"
)


def _run(env):
    clean = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "PYTHONPATH": str(BASE_DIR),
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "BRIEFDESK_VAR_DIR": os.environ.get("BRIEFDESK_VAR_DIR", str(BASE_DIR / "var")),
        **env,
    }
    return subprocess.run(
        [sys.executable, "-c", SETUP],
        cwd=BASE_DIR,
        env=clean,
        capture_output=True,
        text=True,
        timeout=120,
        stdin=subprocess.DEVNULL,
    )


def test_production_settings_load_with_the_required_environment():
    result = _run(REQUIRED)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "False",
        "django.db.backends.postgresql",
        REQUIRED["CELERY_BROKER_URL"],
    ]


def test_missing_secret_key_is_improperly_configured():
    env = {key: value for key, value in REQUIRED.items() if key != "SECRET_KEY"}
    result = _run(env)
    assert result.returncode != 0
    last_line = result.stderr.strip().splitlines()[-1]
    assert last_line.startswith("django.core.exceptions.ImproperlyConfigured:"), result.stderr
    assert "SECRET_KEY" in last_line


@pytest.mark.parametrize("missing", sorted(REQUIRED))
def test_each_required_variable_is_named_when_missing(missing):
    env = {key: value for key, value in REQUIRED.items() if key != missing}
    env[missing] = ""  # set but empty counts as missing
    result = _run(env)
    assert result.returncode != 0
    last_line = result.stderr.strip().splitlines()[-1]
    assert "ImproperlyConfigured" in last_line, result.stderr
    assert missing in last_line
