"""Fixtures of the PDF tests: a small library of evidence, briefs that cite it, users with page
permissions, and a real Celery worker on Redis (db 8 of the system Redis, or a redis-server of
the test's own)."""

import os
import shutil
import socket
import subprocess
import time
import uuid

import pytest
from django.contrib.auth.models import Group, Permission
from django.db import connection

from config.workers import WorkerProcess, database_url

REDIS_URL = os.environ.get("PDFS_TEST_REDIS_URL", "redis://127.0.0.1:6379/8")

PAGES = [
    "Chinese investment in Kazakhstan reached 27 billion dollars in 2018. "
    "Public opinion remained wary of Chinese influence across the country.\n",
    "Survey respondents said Chinese loans lacked transparency and feared debt.\n",
]
QUOTE = "Survey respondents said Chinese loans lacked transparency"


def make_source(title, pages):
    from sources.tests.factories import SourceFactory

    return SourceFactory(
        title=title, pages=pages, authors=["Nurlanova, Aigerim"], publisher="Steppe Institute"
    )


def make_evidence(source, quote):
    from evidence.tests.factories import EvidenceFactory

    return EvidenceFactory(source=source, quote=quote)


def brief_body(evidence, extra=()):
    """StreamField raw data: key findings, a section, a cited paragraph, the quote, more."""

    def block(kind, value):
        return {"type": kind, "value": value, "id": str(uuid.uuid4())}

    return [
        block(
            "key_findings",
            {
                "title": "Key findings",
                "items": [
                    {
                        "type": "item",
                        "value": {"text": "Loans worry the public.", "evidence": evidence.pk},
                        "id": str(uuid.uuid4()),
                    }
                ],
            },
        ),
        block("section", {"heading": "Debt and doubt", "anchor": "debt-and-doubt"}),
        block(
            "paragraph",
            f'<p>Polls show that <a linktype="evidence" id="{evidence.pk}">loans are '
            "distrusted</a> across the country.</p>",
        ),
        block("evidence_quote", {"evidence": evidence.pk, "commentary": ""}),
        *extra,
    ]


def make_brief(
    title="Loans and Trust in Kazakhstan", slug=None, *, body=None, publish=True, user=None
):
    from briefs.models import BriefPage
    from briefs.tests.factories import BriefPageFactory

    page = BriefPageFactory(
        title=title,
        slug=slug or f"brief-{uuid.uuid4().hex[:8]}",
        standfirst="What Kazakhs think of Chinese loans.",
        kind=BriefPage.Kind.COUNTRY,
        body=body if body is not None else [],
        authors=[("Thomas Whitfield", "China Programme")],
    )
    revision = page.save_revision(user=user)
    if publish:
        revision.publish(user=user)
        page.refresh_from_db()
    return page


@pytest.fixture
def library(db):
    source = make_source("Steppe Economics", PAGES)
    return {"source": source, "evidence": make_evidence(source, QUOTE)}


@pytest.fixture
def brief_factory(library):
    def factory(**kwargs):
        kwargs.setdefault("body", brief_body(library["evidence"], kwargs.pop("extra", ())))
        return make_brief(**kwargs)

    return factory


# Users -----------------------------------------------------------------------------------


def user_with_page_permissions(username, codenames, page):
    from django.contrib.auth import get_user_model
    from wagtail.models import GroupPagePermission

    group = Group.objects.create(name=f"group-{username}")
    group.permissions.add(Permission.objects.get(codename="access_admin"))
    for codename in codenames:
        GroupPagePermission.objects.create(
            group=group, page=page, permission=Permission.objects.get(codename=codename)
        )
    user = get_user_model().objects.create_user(username, f"{username}@example.com", "pw-2026")
    user.groups.add(group)
    return user


@pytest.fixture
def users(db):
    from briefs.models import BriefIndexPage

    index = BriefIndexPage.objects.get()
    return {
        "editor": user_with_page_permissions("pdf-editor", ["add_page", "change_page"], index),
        "publisher": user_with_page_permissions(
            "pdf-publisher", ["add_page", "change_page", "publish_page"], index
        ),
        "outsider": user_with_page_permissions("pdf-outsider", [], index),
    }


# A real worker on Redis ------------------------------------------------------------------


def use_broker(app, url):
    """Point this process's Celery app at ``url``. Celery reads CELERY_BROKER_URL from the
    environment before its configuration, so that variable changes too (redis_worker puts
    it back)."""
    os.environ["CELERY_BROKER_URL"] = url
    app.conf.broker_url = url
    app.conf.broker_transport_options = {"visibility_timeout": 3600}
    app._pool = None
    app.amqp._producer_pool = None


@pytest.fixture
def redis_worker(transactional_db, settings, tmp_path):
    """Start a worker on Redis db 8 (call with extra env); the test's own task calls go to the
    same broker instead of running inline."""
    from config.celery import app

    started = []
    previous = (app.conf.broker_url, app.conf.broker_transport_options)
    previous_env = os.environ.get("CELERY_BROKER_URL")
    use_broker(app, REDIS_URL)
    with app.connection_for_write() as conn:
        conn.default_channel.queue_purge("celery")
    app.conf.task_always_eager = False

    def start(extra_env=None, broker_url=REDIS_URL):
        worker = WorkerProcess(
            tmp_path / "worker.log",
            name="pdf-test",
            env={
                "DJANGO_SETTINGS_MODULE": "config.settings.test",
                "DATABASE_URL": database_url(connection.settings_dict),
                "MEDIA_ROOT": str(settings.MEDIA_ROOT),
                "CELERY_BROKER_URL": broker_url,
                **(extra_env or {}),
            },
        )
        started.append(worker)
        return worker.start()

    try:
        yield start
    finally:
        for worker in started:
            worker.stop()
        app.conf.task_always_eager = True
        use_broker(app, previous[0])
        app.conf.broker_transport_options = previous[1]
        if previous_env is None:
            os.environ.pop("CELERY_BROKER_URL", None)


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class RedisServer:
    """A redis-server of the test's own, on a spare loopback port, without persistence."""

    def __init__(self, tmp_path):
        self.port = free_port()
        self.dir = tmp_path / "redis"
        self.dir.mkdir()
        self.process = None

    @property
    def url(self):
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self):
        binary = shutil.which("redis-server")
        assert binary, "redis-server is not installed"
        self.process = subprocess.Popen(
            [
                binary,
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(self.dir),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.2):
                    return self
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("redis-server did not start")

    def stop(self):
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)
        self.process = None


@pytest.fixture
def own_redis(tmp_path):
    server = RedisServer(tmp_path).start()
    try:
        yield server
    finally:
        server.stop()
