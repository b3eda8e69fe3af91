"""Shared pytest fixtures: corpus paths, admin users and a real Celery worker process."""

import os
import shutil
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
    transactional_fixtures = {"transactional_db", "live_server", "celery_worker_process"}
    for item in items:
        marker = item.get_closest_marker("django_db")
        kwargs = dict(marker.kwargs) if marker is not None else {}
        # A transactional fixture makes the test transactional even under a module's plain
        # ``django_db`` mark: it needs the serialized rollback all the same.
        if transactional_fixtures & set(getattr(item, "fixturenames", ())):
            kwargs["transaction"] = True
        if kwargs.get("transaction") and not kwargs.get("serialized_rollback"):
            kwargs["serialized_rollback"] = True
            args = marker.args if marker is not None else ()
            item.add_marker(pytest.mark.django_db(*args, **kwargs), append=False)


@pytest.fixture(autouse=True)
def _fresh_content_type_cache():
    """A transactional test's flush can delete content types created during it while
    ContentType's per-process cache still maps their models to the old ids: start each test
    with an empty cache."""
    from django.contrib.contenttypes.models import ContentType

    ContentType.objects.clear_cache()


@pytest.fixture(autouse=True)
def _fresh_site_lookups():
    """A test's rollback can undo a Site change that this process remembered: start each test
    with no remembered Site (briefs/routing.py) and no site root paths in Wagtail's cache (a
    brief's URL would follow a Site that no longer exists)."""
    from wagtail.models import Site

    from briefs.routing import forget_sites

    forget_sites()
    Site.clear_site_root_paths_cache()


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
def brief_index(db):
    """The brief index at /briefs/ that migration briefs 0002 makes (serialized rollback
    restores it for transactional tests)."""
    from briefs.models import BriefIndexPage

    return BriefIndexPage.objects.get()


@pytest.fixture
def demo_accounts(db):
    from demo import sources as demo

    demo.load_taxonomy()
    demo.load_accounts(log=lambda message: None)


def database_url_for_subprocess():
    from django.db import connection

    from config.workers import database_url

    return database_url(connection.settings_dict)


@pytest.fixture
def celery_worker_process(transactional_db, settings, tmp_path):
    """A real `celery worker` process on the project's broker and the test database.

    Tests using it must commit their data (transactional_db), as the worker sees only what is
    committed. Task calls from the test go to the broker instead of running inline."""
    from config.celery import app
    from config.workers import WorkerProcess

    worker = WorkerProcess(
        tmp_path / "worker.log",
        name="test-worker",
        env={
            "DJANGO_SETTINGS_MODULE": "config.settings.test",
            "DATABASE_URL": database_url_for_subprocess(),
            "MEDIA_ROOT": str(settings.MEDIA_ROOT),
        },
    )
    _purge(app)
    app.conf.task_always_eager = False
    try:
        yield worker.start()
    finally:
        app.conf.task_always_eager = True
        worker.stop(timeout=20)


def _purge(app):
    broker_dir = settings.VAR_DIR / "broker"
    if app.conf.broker_url.startswith("filesystem"):
        shutil.rmtree(broker_dir, ignore_errors=True)
        (broker_dir / "queue").mkdir(parents=True, exist_ok=True)
        (broker_dir / "processed").mkdir(parents=True, exist_ok=True)
    else:
        with app.connection_for_write() as conn:
            for queue in ("celery", "ocr"):
                conn.default_channel.queue_purge(queue)


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
    from django.db import connections
    from playwright.sync_api import sync_playwright

    # Playwright's sync API keeps an asyncio loop running in this thread, and from then on
    # Django keeps its connections in context-local storage instead of the thread's: new
    # connection objects, without the serialized test data that transactional tests restore
    # after each flush. Keep using the thread's connection objects.
    thread_connections = {alias: connections[alias] for alias in connections}
    with sync_playwright() as playwright:
        for alias, connection in thread_connections.items():
            connections[alias] = connection
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
