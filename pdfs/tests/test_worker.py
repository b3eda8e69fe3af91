"""With a real Redis and a real `celery worker` process: publish → PDF ready; the worker's pool
process killed with SIGKILL in the middle of a render → still made, exactly once; Redis stopped
while publishing → the publication succeeds and the sweeper has the PDF made once it is back."""

import os
import signal
import time

import pytest

from conftest import wait_for
from pdfs import services, tasks
from pdfs.models import BriefPDF
from pdfs.tests.conftest import use_broker

pytestmark = pytest.mark.worker


def pdf_of(page):
    return BriefPDF.objects.filter(revision_id=page.live_revision_id, kind="public").first()


def ready(page):
    pdf = pdf_of(page)
    return pdf if pdf is not None and pdf.status in ("ready", "failed") else None


def files_under(root):
    return sorted(p for p in root.rglob("*") if p.is_file())


def test_publish_then_the_worker_makes_the_pdf(redis_worker, brief_factory, settings):
    worker = redis_worker()
    page = brief_factory()
    pdf = wait_for(lambda: ready(page), timeout=90, message="the PDF")
    assert pdf.status == "ready", worker.log()[-3000:]
    assert pdf.attempts == 1 and pdf.page_count >= 3
    status = services.live_pdf_status(page)
    assert status.is_ready and status.url
    assert len(files_under(settings.MEDIA_ROOT)) == 1


def test_sigkill_during_a_render_still_makes_exactly_one_pdf(redis_worker, brief_factory, settings):
    # The test hook makes every render pause 6 s after claiming its row.
    worker = redis_worker({tasks.DELAY_ENV: "6"})
    page = brief_factory()
    wait_for(
        lambda: pdf_of(page) and pdf_of(page).status == "rendering",
        timeout=60,
        message="the render to start",
    )
    children = worker.children()
    assert len(children) == 1
    time.sleep(1)
    os.kill(children[0], signal.SIGKILL)  # the pool process rendering it dies mid-render
    pdf = wait_for(lambda: ready(page), timeout=120, message="the PDF after the kill")
    log = worker.log()
    assert pdf.status == "ready", log[-3000:]
    assert "WorkerLostError" in log or "SIGKILL" in log or "signal 9" in log
    assert pdf.attempts == 2  # the killed attempt, then the redelivered one
    assert BriefPDF.objects.filter(brief=page).count() == 1
    files = files_under(settings.MEDIA_ROOT)
    assert files == [settings.MEDIA_ROOT / "pdfs" / pdf.file.name], files
    # A late duplicate delivery changes nothing.
    tasks.render_brief_pdf.delay(pdf.pk)
    time.sleep(3)
    pdf.refresh_from_db()
    assert pdf.attempts == 2 and files_under(settings.MEDIA_ROOT) == files


def test_redis_down_while_publishing_then_the_sweeper_gets_it_made(
    redis_worker, own_redis, brief_factory, settings, caplog
):
    from config.celery import app

    worker = redis_worker(broker_url=own_redis.url)
    use_broker(app, own_redis.url)
    own_redis.stop()

    started = time.monotonic()
    page = brief_factory()  # publishes; the enqueue after commit fails
    publish_seconds = time.monotonic() - started
    page.refresh_from_db()
    assert page.live
    pdf = pdf_of(page)
    assert pdf.status == "queued" and pdf.enqueued_at is None
    assert "stays queued" in caplog.text
    assert publish_seconds < 15

    own_redis.start()  # same port; empty, as after a restart without persistence
    tasks.sweep_queued_pdfs.delay(grace_seconds=0)  # what beat sends every minute
    pdf = wait_for(lambda: ready(page), timeout=120, message="the PDF after Redis is back")
    assert pdf.status == "ready", worker.log()[-3000:]
    assert pdf.attempts == 1


def test_a_worker_killed_whole_mid_render_is_rendered_again_after_its_heartbeat_stops(
    redis_worker, brief_factory, settings
):
    """The whole worker dies (not just its pool process): its message stays unacknowledged in
    Redis until the visibility timeout (an hour), and only the heartbeat tells the sweeper
    (run here as beat would) that the render is dead, seconds later instead of ~12 minutes."""
    settings.BRIEFDESK_PDF_HEARTBEAT_SECONDS = 1  # this process's sweeper: stale after 4 s
    beat = {"BRIEFDESK_PDF_HEARTBEAT_SECONDS": "1"}
    worker = redis_worker({tasks.DELAY_ENV: "60", **beat})
    page = brief_factory()
    wait_for(
        lambda: pdf_of(page) and pdf_of(page).status == "rendering",
        timeout=60,
        message="the render to start",
    )
    os.killpg(worker.process.pid, signal.SIGKILL)  # the worker we started, and its pool
    worker.process.wait()
    wait_for(
        lambda: tasks.sweep_queued_pdfs()["revived"],
        timeout=60,
        interval=1,
        message="the sweeper to take the dead render back",
    )
    assert pdf_of(page).status == "queued"
    replacement = redis_worker(beat)
    pdf = wait_for(lambda: ready(page), timeout=120, message="the PDF after the worker died")
    assert pdf.status == "ready", replacement.log()[-3000:]
    assert pdf.attempts == 2
    assert files_under(settings.MEDIA_ROOT) == [settings.MEDIA_ROOT / "pdfs" / pdf.file.name]


def test_the_worker_renders_a_long_briefs_parts_side_by_side(redis_worker, brief_factory):
    """In a Celery pool process, as in production: the parts go to processes forked from it."""
    worker = redis_worker(
        {"BRIEFDESK_PDF_SPLIT_ABOVE_PAGES": "0", "BRIEFDESK_PDF_RENDER_PROCESSES": "2"}
    )
    page = brief_factory()
    pdf = wait_for(lambda: ready(page), timeout=90, message="the PDF")
    log = worker.log()
    assert pdf.status == "ready", log[-3000:]
    assert "documents" in log and "in 2 processes side by side" in log, log[-3000:]
    assert pdf.page_count >= 3
    status = services.live_pdf_status(page)
    assert status.is_ready and status.url
