"""Production hardening: the deploy checks, start-up errors, JSON logs, sign-in lock-out and the
request size limit.

The settings-level tests run the production settings in a fresh interpreter with the documented
environment (.env.example), as gunicorn or celery would load them."""

import json
import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import RequestFactory
from django.urls import reverse

BASE_DIR = Path(__file__).resolve().parents[2]
ENV_EXAMPLE = BASE_DIR / ".env.example"


def read_env_example():
    values = {}
    for line in ENV_EXAMPLE.read_text().splitlines():
        match = re.match(r"^([A-Z][A-Z0-9_]*)=(.*)$", line.strip())
        if match:
            values[match.group(1)] = match.group(2)
    return values


def documented_environment(tmp_path, **overrides):
    """.env.example as a deployer fills it in: its placeholders ("change-me…") replaced by
    generated secrets, as its comments ask; nothing else changed."""
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "PYTHONPATH": str(BASE_DIR),
        "BRIEFDESK_VAR_DIR": str(tmp_path),
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
    }
    for name, value in read_env_example().items():
        env[name] = value
    generated = secrets.token_urlsafe(50)
    password = secrets.token_urlsafe(16)
    env["SECRET_KEY"] = generated
    env["POSTGRES_PASSWORD"] = password
    env["DATABASE_URL"] = env["DATABASE_URL"].replace("change-me-db-password", password)
    # Paths of the container image; here, inside the test's own folder.
    env["MEDIA_ROOT"] = str(tmp_path / "media")
    env["STATIC_ROOT"] = str(tmp_path / "static")
    env.update(overrides)
    return env


def run_python(code, env, timeout=180):
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        stdin=subprocess.DEVNULL,
    )


# --- Deploy checks and start-up -------------------------------------------------------------


def test_check_deploy_reports_nothing_with_the_documented_environment(tmp_path):
    env = documented_environment(tmp_path)
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        stdin=subprocess.DEVNULL,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "System check identified no issues" in output, output


def test_check_deploy_fails_on_an_insecure_override(tmp_path):
    """The deploy check is live: turning a protection off is reported (and fails the run)."""
    env = documented_environment(tmp_path, SECURE_SSL_REDIRECT="false")
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        stdin=subprocess.DEVNULL,
    )
    assert result.returncode != 0
    assert "security.W008" in result.stdout + result.stderr


def test_every_missing_required_variable_is_named_in_one_message(tmp_path):
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "PYTHONPATH": str(BASE_DIR),
        "BRIEFDESK_VAR_DIR": str(tmp_path),
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "ALLOWED_HOSTS": "briefdesk.example.org",
    }
    result = run_python("import django; django.setup()", env)
    assert result.returncode != 0
    last = result.stderr.strip().splitlines()[-1]
    assert last.startswith("django.core.exceptions.ImproperlyConfigured:"), result.stderr
    assert "missing required environment variables: SECRET_KEY, DATABASE_URL, " in last
    assert "CELERY_BROKER_URL" in last
    assert "ALLOWED_HOSTS" not in last  # it is set
    assert ".env.example" in last


def test_placeholder_secret_key_is_refused(tmp_path):
    env = documented_environment(tmp_path, SECRET_KEY=read_env_example()["SECRET_KEY"])
    result = run_python("import django; django.setup()", env)
    assert result.returncode != 0
    last = result.stderr.strip().splitlines()[-1]
    assert "SECRET_KEY is still the placeholder" in last, result.stderr


def test_s3_media_without_a_bucket_is_named(tmp_path):
    env = documented_environment(tmp_path, MEDIA_STORAGE="s3")
    result = run_python("import django; django.setup()", env)
    assert result.returncode != 0
    assert "AWS_STORAGE_BUCKET_NAME" in result.stderr.strip().splitlines()[-1]


def test_database_connections_persist_and_are_health_checked(tmp_path):
    env = documented_environment(tmp_path)
    code = (
        "import django; django.setup(); from django.conf import settings; "
        "db = settings.DATABASES['default']; print(db['CONN_MAX_AGE'], db['CONN_HEALTH_CHECKS'])"
    )
    del env["DB_CONN_MAX_AGE"]
    result = run_python(code, env)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["60", "True"]
    result = run_python(code, {**env, "DB_CONN_MAX_AGE": "0"})
    assert result.stdout.split() == ["0", "True"]


def test_gunicorn_recycles_workers_rarely(tmp_path):
    code = "import runpy; c = runpy.run_path('config/gunicorn.py'); print(c['max_requests'])"
    env = documented_environment(tmp_path)
    assert int(run_python(code, env).stdout) >= 50_000
    assert run_python(code, {**env, "WEB_MAX_REQUESTS": "0"}).stdout.strip() == "0"


def test_production_logs_are_json_lines(tmp_path):
    code = (
        "import django, logging; django.setup(); "
        "logging.getLogger('briefdesk.test').warning('hello %s', 'there', "
        "extra={'source_id': 7})"
    )
    result = run_python(code, documented_environment(tmp_path))
    assert result.returncode == 0, result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    record = json.loads(lines[-1])
    assert record["message"] == "hello there"
    assert record["level"] == "WARNING"
    assert record["logger"] == "briefdesk.test"
    assert record["source_id"] == 7
    assert "time" in record


def test_gunicorn_access_log_fields():
    import logging

    from config.logs import AccessJsonFormatter

    formatter = AccessJsonFormatter("%(message)s")
    record = logging.LogRecord(
        "gunicorn.access", logging.INFO, __file__, 1, "%(r)s",
        ({"r": "GET /healthz/ HTTP/1.1", "m": "GET", "U": "/healthz/", "q": "", "s": "200",
          "B": "52", "D": "2500", "h": "10.0.0.1", "a": "curl/8", "f": "-"},),
        None,
    )  # fmt: skip
    data = json.loads(formatter.format(record))
    assert data["message"] == "GET /healthz/ HTTP/1.1"
    assert data["status"] == 200 and data["bytes"] == 52 and data["duration_ms"] == 2.5
    assert data["path"] == "/healthz/" and data["remote_addr"] == "10.0.0.1"
    assert "referer" not in data


# --- Sign-in lock-out (django-axes) --------------------------------------------------------------


@pytest.mark.django_db
def test_admin_sign_in_is_locked_after_repeated_failures(client, django_user_model, settings):
    django_user_model.objects.create_superuser("editor1", "e@example.org", "right-pass-2026")
    login = reverse("wagtailadmin_login")
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        response = client.post(login, {"username": "editor1", "password": "wrong"})
        assert response.status_code == 200  # the form again, with its error
        assert "data-lockout-message" not in response.content.decode()
    response = client.post(login, {"username": "editor1", "password": "wrong"})
    assert response.status_code == 429
    html = response.content.decode()
    assert "Too many failed sign-in attempts" in html
    assert "Signing in as “editor1” from this address is locked after 5 failed attempts." in html
    assert "Try again in 15 minutes." in html

    # Even the right password is refused now, with the same page.
    response = client.post(login, {"username": "editor1", "password": "right-pass-2026"})
    assert response.status_code == 429
    assert "Too many failed sign-in attempts" in response.content.decode()
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_lock_out_is_per_username_and_address(client, django_user_model, settings):
    django_user_model.objects.create_superuser("editor2", "e@example.org", "right-pass-2026")
    login = reverse("wagtailadmin_login")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(login, {"username": "someone-else", "password": "wrong"})
    # Another username from the same address still signs in…
    response = client.post(login, {"username": "editor2", "password": "right-pass-2026"})
    assert response.status_code == 302
    # …and so does the locked username from another address.
    client.logout()
    response = client.post(
        login, {"username": "someone-else", "password": "x"}, REMOTE_ADDR="10.1.2.3"
    )
    assert response.status_code == 200


@pytest.mark.django_db
def test_lock_out_ends_after_the_cool_off(client, django_user_model, settings):
    from axes.models import AccessAttempt
    from django.utils import timezone

    django_user_model.objects.create_superuser("editor3", "e@example.org", "right-pass-2026")
    login = reverse("wagtailadmin_login")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(login, {"username": "editor3", "password": "wrong"})
    assert client.post(login, {"username": "editor3", "password": "x"}).status_code == 429
    # Age the attempts past the cool-off period.
    AccessAttempt.objects.update(attempt_time=timezone.now() - settings.AXES_COOLOFF_TIME * 2)
    response = client.post(login, {"username": "editor3", "password": "right-pass-2026"})
    assert response.status_code == 302


def test_client_ip_trusts_only_the_configured_proxies(rf, settings):
    from config.security import client_ip

    request = rf.get("/", REMOTE_ADDR="10.0.0.9", HTTP_X_FORWARDED_FOR="6.6.6.6, 1.2.3.4")
    settings.TRUSTED_PROXY_COUNT = 0
    assert client_ip(request) == "10.0.0.9"  # a forged header changes nothing
    settings.TRUSTED_PROXY_COUNT = 1
    assert client_ip(request) == "1.2.3.4"  # what our one proxy saw
    settings.TRUSTED_PROXY_COUNT = 2
    assert client_ip(request) == "6.6.6.6"


# --- Request size limit ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_oversize_upload_gets_a_413_page_and_saves_nothing(admin_client, settings, tmp_path):
    from sources.models import Source

    settings.MAX_REQUEST_BYTES = 1024 * 1024
    big = tmp_path / "huge.txt"
    big.write_bytes(b"A long report.\n" * 100_000)  # 1.5 MB
    with big.open("rb") as fileobj:
        response = admin_client.post(
            reverse("wagtailsnippets_sources_source:add"),
            {"title": "Huge", "file": fileobj},
            HTTP_ACCEPT="text/html",
        )
    assert response.status_code == 413
    html = response.content.decode()
    assert "This upload is too large" in html
    assert "Briefdesk accepts at most 1 MB at once" in html
    assert "Nothing was saved." in html
    assert response["Connection"] == "close"
    assert Source.objects.count() == 0


@pytest.mark.parametrize(
    ("length", "limit", "shown"),
    [
        # The page said "The request was 60 MB; … at most 60 MB".
        (int(60.4 * 2**20), 60 * 2**20, ("60.4 MB", "60 MB")),
        (60 * 2**20 + 20_000, 60 * 2**20, ("60.02 MB", "60 MB")),
        (60 * 2**20 + 1, 60 * 2**20, ("62,914,561 bytes", "62,914,560 bytes")),
        (75 * 2**20, 60 * 2**20, ("75 MB", "60 MB")),
        (500, 100, ("500 bytes", "100 bytes")),
    ],
)
def test_413_sizes_differ(client, settings, length, limit, shown):
    from config.security import request_too_large

    settings.MAX_REQUEST_BYTES = limit
    request = RequestFactory().post("/admin/snippets/", HTTP_ACCEPT="text/html")
    html = request_too_large(request, length).content.decode()
    assert f"The request was {shown[0]}; Briefdesk accepts at most {shown[1]} at once" in " ".join(
        html.split()
    )


def test_oversize_api_request_gets_json(client, settings):
    settings.MAX_REQUEST_BYTES = 100
    response = client.post("/api/v1/briefs/", data="x" * 500, content_type="application/json")
    assert response.status_code == 413
    assert response.json()["limit_bytes"] == 100
    assert "too large" in response.json()["detail"]


def test_form_data_limit_is_set(settings):
    # Posted StreamFields of long briefs fit; Django's 2.5 MB default would refuse them.
    assert settings.DATA_UPLOAD_MAX_MEMORY_SIZE == 10 * 1024 * 1024
    assert settings.MAX_REQUEST_BYTES > settings.SOURCE_MAX_UPLOAD_MB * 1024 * 1024
