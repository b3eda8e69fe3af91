"""Shared pytest fixtures: corpus paths, admin users and a real Celery worker process."""

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings

BASE_DIR = Path(__file__).resolve().parent
CORPUS_DIR = BASE_DIR / "demo" / "corpus"
KAZAKHSTAN_PDF = CORPUS_DIR / "chinas-image-in-kazakhstan.pdf"
DIGITAL_TRADE_PDF = CORPUS_DIR / "china-soft-power-digital-trade.pdf"


def pytest_collection_modifyitems(items):
    """Transactional tests (a real worker, a live server) restore what the migrations created.

    pytest-django empties the database after a transactional test, which would also delete
    the data that migrations create (the site tree, the groups, the review workflow) for every
    later test; serialized rollback reloads it before each such test."""
    for item in items:
        marker = item.get_closest_marker("django_db")
        if marker is not None:
            if marker.kwargs.get("transaction") and not marker.kwargs.get("serialized_rollback"):
                kwargs = {**marker.kwargs, "serialized_rollback": True}
                item.add_marker(pytest.mark.django_db(*marker.args, **kwargs), append=False)
            continue
        names = getattr(item, "fixturenames", ())
        transactional = {"transactional_db", "live_server", "celery_worker_process"} & set(names)
        if transactional and "django_db_serialized_rollback" not in names:
            names.append("django_db_serialized_rollback")


@pytest.fixture(autouse=True)
def _fresh_content_type_cache():
    """A transactional test's flush can delete content types created during it while
    ContentType's per-process cache still maps their models to the old ids: start each test
    with an empty cache."""
    from django.contrib.contenttypes.models import ContentType

    ContentType.objects.clear_cache()


@pytest.fixture(autouse=True)
def _isolated_media(settings, tmp_path_factory):
    """Each test writes uploads into its own media folder."""
    settings.MEDIA_ROOT = tmp_path_factory.mktemp("media")
    return settings.MEDIA_ROOT


@pytest.fixture
def kazakhstan_pdf():
    return KAZAKHSTAN_PDF


@pytest.fixture
def digital_trade_pdf():
    return DIGITAL_TRADE_PDF


@pytest.fixture
def superuser(django_user_model):
    return django_user_model.objects.create_superuser("boss", "boss@example.com", "pw-boss-2026")


@pytest.fixture
def admin_client(client, superuser):
    client.force_login(superuser)
    return client


@pytest.fixture
def demo_accounts(db):
    from sources import demo

    ensure_migration_data()
    demo.load_taxonomy()
    demo.load_accounts(log=lambda message: None)


def ensure_migration_data():
    """Re-create what the data migrations made (site tree, groups, workflow) when a
    transactional test's flush removed it and nothing restored it; each step is idempotent."""
    import importlib

    from django.apps import apps
    from django.conf import settings as django_settings
    from django.contrib.auth.management import create_permissions
    from django.contrib.auth.models import Group
    from django.contrib.contenttypes.management import create_contenttypes
    from wagtail.coreutils import get_supported_content_language_variant
    from wagtail.models import Locale, Page

    from briefs.models import HomePage

    if not Group.objects.filter(name="Analysts").exists():
        for app_config in apps.get_app_configs():
            create_contenttypes(app_config, verbosity=0)
            create_permissions(app_config, verbosity=0)
    Locale.objects.get_or_create(
        language_code=get_supported_content_language_variant(django_settings.LANGUAGE_CODE)
    )
    if not Page.objects.filter(depth=1).exists():
        importlib.import_module("wagtail.migrations.0002_initial_data").initial_data(apps, None)
    if not HomePage.objects.exists():
        importlib.import_module("briefs.migrations.0002_site_tree").create_site_tree(apps, None)
    if not Group.objects.filter(name="Analysts").exists():
        importlib.import_module("review.migrations.0002_groups_and_workflow").forwards(apps, None)


def database_url_for_subprocess():
    from django.db import connection

    db = connection.settings_dict
    if db["ENGINE"].endswith("sqlite3"):
        return f"sqlite:///{db['NAME']}"
    auth = db["USER"] or ""
    if db["PASSWORD"]:
        auth += f":{db['PASSWORD']}"
    host = f"{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}"
    return f"postgres://{auth}@{host}/{db['NAME']}"


@pytest.fixture
def celery_worker_process(transactional_db, settings, tmp_path):
    """A real `celery worker` process on the project's broker and the test database.

    Tests using it must commit their data (transactional_db), as the worker sees only what is
    committed. Task calls from the test go to the broker instead of running inline."""
    from config.celery import app

    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "DATABASE_URL": database_url_for_subprocess(),
        "MEDIA_ROOT": str(settings.MEDIA_ROOT),
        "PYTHONUNBUFFERED": "1",
    }
    log_path = tmp_path / "worker.log"
    hostname = f"test-worker-{os.getpid()}@%h"
    _purge(app)
    with log_path.open("wb") as log:
        process = subprocess.Popen(
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
                "--hostname",
                hostname,
            ],
            cwd=BASE_DIR,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    app.conf.task_always_eager = False
    try:
        _wait_for_worker(app, process, log_path)
        process.log_path = log_path
        yield process
    finally:
        app.conf.task_always_eager = True
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()


def _purge(app):
    broker_dir = settings.VAR_DIR / "broker"
    if app.conf.broker_url.startswith("filesystem"):
        shutil.rmtree(broker_dir, ignore_errors=True)
        (broker_dir / "queue").mkdir(parents=True, exist_ok=True)
        (broker_dir / "processed").mkdir(parents=True, exist_ok=True)
    else:
        with app.connection_for_write() as conn:
            conn.default_channel.queue_purge("celery")


def _wait_for_worker(app, process, log_path, timeout=60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"The worker exited early:\n{log_path.read_text()[-3000:]}")
        if b"ready." in log_path.read_bytes():
            return
        time.sleep(0.2)
    raise RuntimeError(f"The worker did not start:\n{log_path.read_text()[-3000:]}")


def wait_for(predicate, timeout=60, interval=0.2, message="condition"):
    """Poll ``predicate`` until it returns a truthy value."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = predicate()
        if result:
            return result
        time.sleep(interval)
    raise AssertionError(f"Timed out after {timeout}s waiting for {message}")


CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
# Chromium flags for a root user on a machine with no network but loopback.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]
ARTIFACTS_DIR = BASE_DIR / "test-artifacts"


@pytest.fixture(scope="session")
def browser():
    """Debian's Chromium driven by Playwright (Playwright cannot download browsers here)."""
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: run `make browsers` (apt-get install chromium).")
    # Playwright's sync API runs an event loop in this thread; the ORM calls the tests make
    # between browser steps are still synchronous.
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        yield instance
        instance.close()


@pytest.fixture
def page(browser, request):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(20_000)
    yield page
    ARTIFACTS_DIR.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS_DIR / f"{request.node.name}.png"), full_page=False)
    context.close()


def admin_login(page, base_url, username, password):
    page.goto(f"{base_url}/admin/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base_url}/admin/")
