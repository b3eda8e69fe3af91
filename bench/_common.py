"""What several benchmarks share: copies of a demo brief to publish, and a gunicorn server on
a spare loopback port for the load measurements."""

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path

import requests

BASE_DIR = Path(__file__).resolve().parent.parent


def copy_brief(source, *, title, slug_prefix="bench", body=None):
    """A draft copy of the brief ``source`` (unpublished, one revision) beside it, with its
    taxonomy and authors; ``body`` (StreamField raw data) replaces its body."""
    from briefs.models import BriefAuthor, BriefPage

    page = BriefPage(
        title=title,
        slug=f"{slug_prefix}-{uuid.uuid4().hex[:10]}",
        standfirst=source.standfirst,
        kind=source.kind,
        live=False,
    )
    page.body = body if body is not None else list(source.body.raw_data)
    source.get_parent().add_child(instance=page)
    page.countries.set(source.countries.all())
    page.topics.set(source.topics.all())
    page.authors.set(
        [BriefAuthor(name=a.name, affiliation=a.affiliation) for a in source.authors.all()]
    )
    page.save_revision()
    return page


@contextlib.contextmanager
def no_pdf_renders():
    """No PDF render for the briefs a benchmark publishes (pdfs queues one on every
    publication)."""
    from django.db.models.signals import post_save

    from briefs.models import BriefPage
    from pdfs.services import on_brief_saved

    post_save.disconnect(on_brief_saved, sender=BriefPage, dispatch_uid="pdfs.on_brief_saved")
    try:
        yield
    finally:
        post_save.connect(on_brief_saved, sender=BriefPage, dispatch_uid="pdfs.on_brief_saved")


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def gunicorn(app, log_path, *, ready_path, options=(), env=None, timeout=60):
    """Serve the WSGI ``app`` ("module:callable") with gunicorn on a spare loopback port, with
    DEBUG off, until the block ends; yields the base URL once ``ready_path`` answers 200."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    environment = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": os.environ.get("DJANGO_SETTINGS_MODULE", "config.settings.dev"),
        "DEBUG": "false",
        "PYTHONUNBUFFERED": "1",
        **(env or {}),
    }
    log_path = Path(log_path)
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                app,
                "--bind",
                f"127.0.0.1:{port}",
                "--log-level",
                "warning",
                *options,
            ],
            cwd=BASE_DIR,
            env=environment,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        _wait_until_up(base + ready_path, process, log_path, timeout)
        yield base
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def _wait_until_up(url, process, log_path, timeout):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"gunicorn exited early:\n{_tail(log_path)}")
        try:
            if requests.get(url, timeout=10).status_code == 200:
                return
        except requests.RequestException:  # not listening yet, or still loading Django
            pass
        time.sleep(0.3)
    raise RuntimeError(f"gunicorn did not answer within {timeout} s:\n{_tail(log_path)}")


def _tail(log_path):
    return log_path.read_text(errors="replace")[-3000:] if log_path.exists() else ""
