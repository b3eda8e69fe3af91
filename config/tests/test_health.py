"""/healthz/: 200 when the database and the broker answer, 503 (quickly) when one does not.

The "ok" test runs against whatever DATABASE_URL / CELERY_BROKER_URL the run uses: PostgreSQL
and Redis in CI (.ci/run), SQLite and the filesystem broker locally."""

import socket
import threading
import time
from unittest import mock

import pytest
from django.db import OperationalError

from config import health
from config.celery import app as celery_app

URL = "/healthz/"


@pytest.fixture
def broker_url(monkeypatch):
    """Point the Celery app at another broker for one test, then restore it.

    Celery prefers the CELERY_BROKER_URL environment variable (set in CI) to its
    configuration, so both are switched."""
    keys = ("broker_url", "broker_write_url", "broker_transport_options")
    saved = {key: celery_app.conf.get(key) for key in keys}

    def switch(url):
        monkeypatch.setenv("CELERY_BROKER_URL", url)
        monkeypatch.delenv("CELERY_BROKER_WRITE_URL", raising=False)
        celery_app.conf.broker_url = url
        celery_app.conf.broker_write_url = None
        celery_app.conf.broker_transport_options = {}

    yield switch
    monkeypatch.undo()
    for key, value in saved.items():
        celery_app.conf[key] = value


def _closed_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.mark.django_db
def test_healthz_ok(client, settings):
    response = client.get(URL)

    assert response.status_code == 200, response.content
    assert response["Content-Type"] == "application/json"
    assert "no-cache" in response["Cache-Control"]
    body = response.json()
    assert body["status"] == "ok"
    assert body["database"] == {"ok": True, "vendor": health.connection.vendor}
    assert body["broker"]["ok"] is True
    expected_transport = settings.CELERY_BROKER_URL.split("://", 1)[0]
    assert body["broker"]["transport"] == expected_transport


@pytest.mark.django_db
def test_healthz_head(client):
    assert client.head(URL).status_code == 200


@pytest.mark.django_db
def test_broker_refusing_connections_is_503_fast(client, broker_url):
    broker_url(f"redis://127.0.0.1:{_closed_port()}/0")

    started = time.monotonic()
    response = client.get(URL)
    elapsed = time.monotonic() - started

    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "unavailable"
    assert body["broker"] == {"ok": False, "error": "unavailable"}
    assert "127.0.0.1" not in response.content.decode()
    assert body["database"]["ok"] is True
    assert elapsed < 5, f"the health check took {elapsed:.1f} s"


@pytest.mark.django_db
def test_silent_broker_is_503_within_deadline(client, broker_url):
    """A broker that accepts the connection and never answers must not hang the check."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)
    accepted = []
    stop = threading.Event()

    def accept():
        listener.settimeout(0.2)
        while not stop.is_set():
            try:
                accepted.append(listener.accept()[0])
            except OSError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    try:
        broker_url(f"redis://127.0.0.1:{listener.getsockname()[1]}/0")
        started = time.monotonic()
        response = client.get(URL)
        elapsed = time.monotonic() - started
    finally:
        stop.set()
        thread.join(2)
        for sock in accepted:
            sock.close()
        listener.close()

    assert response.status_code == 503
    assert response.json()["broker"]["ok"] is False
    assert elapsed < 5, f"the health check took {elapsed:.1f} s"


def test_missing_filesystem_broker_folder_is_503(client, broker_url, tmp_path, caplog):
    broker_url("filesystem://")
    missing = tmp_path / "nowhere"
    celery_app.conf.broker_transport_options = {
        "data_folder_in": str(missing),
        "data_folder_out": str(missing),
    }
    with mock.patch.object(health, "_database", return_value={"ok": True, "vendor": "x"}):
        response = client.get(URL)

    assert response.status_code == 503
    assert response.json()["broker"] == {"ok": False, "error": "unavailable"}
    assert str(tmp_path) not in response.content.decode()
    # The cause is in the log, not in the public answer.
    assert "does not exist" in caplog.text


def test_database_unreachable_is_503_without_the_error_text(client, caplog):
    fake_connection = mock.MagicMock(vendor="postgresql")
    fake_connection.cursor.side_effect = OperationalError(
        'connection to server at "127.0.0.1", port 5432 failed: Connection refused\nIs it up?'
    )
    with (
        mock.patch.object(health, "connection", fake_connection),
        mock.patch.object(health, "_broker", return_value={"ok": True, "transport": "redis"}),
    ):
        response = client.get(URL)

    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "unavailable"
    # The public answer names the dependency that is down, never the driver's message
    # (host, port, user names); the message goes to the log.
    assert body["database"] == {"ok": False, "error": "unavailable"}
    assert "127.0.0.1" not in response.content.decode()
    assert "5432" not in response.content.decode()
    assert body["broker"]["ok"] is True
    assert "connection to server at" in caplog.text


@pytest.mark.parametrize("method", ["post", "put", "delete"])
def test_healthz_rejects_unsafe_methods(client, method):
    response = getattr(client, method)(URL)
    assert response.status_code == 405
    assert sorted(response["Allow"].split(", ")) == ["GET", "HEAD"]
