"""Fixtures of the PDF tests: a small library of evidence, briefs that cite it, users with page
permissions, and a real Celery worker on Redis (db 8 of the system Redis, or a redis-server of
the test's own)."""

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth.models import Group, Permission
from django.db import connection

BASE_DIR = Path(__file__).resolve().parents[2]
REDIS_URL = os.environ.get("PDFS_TEST_REDIS_URL", "redis://127.0.0.1:6379/8")

PAGES = [
    "Chinese investment in Kazakhstan reached 27 billion dollars in 2018. "
    "Public opinion remained wary of Chinese influence across the country.\n",
    "Survey respondents said Chinese loans lacked transparency and feared debt.\n",
]
QUOTE = "Survey respondents said Chinese loans lacked transparency"


def make_source(title, pages):
    from evidence import testing

    return testing.make_source(
        title, pages, authors=["Nurlanova, Aigerim"], publisher="Steppe Institute"
    )


def make_evidence(source, quote):
    from evidence import testing

    return testing.make_evidence(source, quote)


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


def site_tree():
    """The site tree of briefs/migrations/0002, rebuilt after a transactional test's flush."""
    from wagtail.coreutils import get_supported_content_language_variant
    from wagtail.models import Locale, Page, Site

    from briefs.models import BriefIndexPage, HomePage

    Locale.objects.get_or_create(
        language_code=get_supported_content_language_variant(settings.LANGUAGE_CODE)
    )
    root = Page.get_first_root_node() or Page.add_root(
        instance=Page(title="Root", slug="root", live=True)
    )
    home = root.add_child(instance=HomePage(title="Briefdesk", slug="briefdesk-home"))
    index = home.add_child(instance=BriefIndexPage(title="Briefs", slug="briefs"))
    Site.objects.filter(is_default_site=True).delete()
    Site.objects.create(hostname="localhost", root_page=home, is_default_site=True)
    return index


def make_brief(
    title="Loans and Trust in Kazakhstan", slug=None, *, body=None, publish=True, user=None
):
    from briefs.models import BriefAuthor, BriefIndexPage, BriefPage

    index = BriefIndexPage.objects.first() or site_tree()
    page = BriefPage(
        title=title,
        slug=slug or f"brief-{uuid.uuid4().hex[:8]}",
        standfirst="What Kazakhs think of Chinese loans.",
        kind=BriefPage.Kind.COUNTRY,
        live=False,
    )
    page.body = body if body is not None else []
    index.add_child(instance=page)
    page.authors.set([BriefAuthor(name="Thomas Whitfield", affiliation="China Programme")])
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

    index = BriefIndexPage.objects.first() or site_tree()
    return {
        "editor": user_with_page_permissions("pdf-editor", ["add_page", "change_page"], index),
        "publisher": user_with_page_permissions(
            "pdf-publisher", ["add_page", "change_page", "publish_page"], index
        ),
        "outsider": user_with_page_permissions("pdf-outsider", [], index),
    }


# A real worker on Redis ------------------------------------------------------------------


def database_url_for_subprocess():
    db = connection.settings_dict
    if db["ENGINE"].endswith("sqlite3"):
        return f"sqlite:///{db['NAME']}"
    auth = db["USER"] or ""
    if db["PASSWORD"]:
        auth += f":{db['PASSWORD']}"
    host = f"{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}"
    return f"postgres://{auth}@{host}/{db['NAME']}"


def use_broker(app, url):
    """Point this process's Celery app at ``url`` (the settings were read at import)."""
    app.conf.broker_url = url
    app.conf.broker_transport_options = {"visibility_timeout": 3600}
    app._pool = None
    app.amqp._producer_pool = None


class Worker:
    """A `celery worker` process (prefork, one child) on the given broker."""

    def __init__(self, broker_url, media_root, log_path, extra_env=None):
        self.broker_url = broker_url
        self.log_path = log_path
        self.env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "config.settings.test",
            "DATABASE_URL": database_url_for_subprocess(),
            "MEDIA_ROOT": str(media_root),
            "CELERY_BROKER_URL": broker_url,
            "PYTHONUNBUFFERED": "1",
            **(extra_env or {}),
        }
        self.process = None

    def start(self, timeout=60):
        ready_before = self.log().count("ready.")
        log = self.log_path.open("ab")
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "config",
                "worker",
                "--pool",
                "prefork",
                "--concurrency",
                "1",
                "--loglevel",
                "INFO",
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
                "--hostname",
                f"pdf-test-{uuid.uuid4().hex[:6]}@%h",
            ],
            cwd=BASE_DIR,
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        log.close()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"The worker exited early:\n{self.log()[-3000:]}")
            if self.log().count("ready.") > ready_before:
                return self
            time.sleep(0.2)
        raise RuntimeError(f"The worker did not start:\n{self.log()[-3000:]}")

    def log(self):
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def children(self):
        out = subprocess.run(
            ["ps", "-o", "pid=", "--ppid", str(self.process.pid)], capture_output=True, text=True
        ).stdout
        return [int(pid) for pid in out.split()]

    def stop(self):
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()


@pytest.fixture
def redis_worker(transactional_db, settings, tmp_path):
    """Start a worker on Redis db 8 (call with extra env); the test's own task calls go to the
    same broker instead of running inline."""
    from config.celery import app

    started = []
    previous = (app.conf.broker_url, app.conf.broker_transport_options)
    use_broker(app, REDIS_URL)
    with app.connection_for_write() as conn:
        conn.default_channel.queue_purge("celery")
    app.conf.task_always_eager = False

    def start(extra_env=None, broker_url=REDIS_URL):
        worker = Worker(broker_url, settings.MEDIA_ROOT, tmp_path / "worker.log", extra_env)
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
