"""Publication under load: 20 briefs published at once, rendered by 1 and then 2 real Celery
workers (`celery worker`, prefork, concurrency 1 each) on the configured broker and database.

For each worker count: the time from the first publication until all 20 PDFs are ready, and the
median and 95th percentile of each brief's own latency (from the start of its publish() to the
finished_at of its PDF row, both stamped by this machine's clock).

What it publishes: copies of a demo brief (`make demo` first), created as drafts before the
clock starts and published one after another in a loop (a publication takes about 0.1-0.3 s, so
the workers start rendering while the later ones are still being published, as when an editor
team publishes a batch). The copies, their PDF rows and files are deleted at the end, whatever
happens; demo content is only read. Each round starts its workers and lets each render one
warm-up brief first (a long-lived worker has imported WeasyPrint and loaded the fonts already),
and stops them afterwards.

Runs on what DATABASE_URL and CELERY_BROKER_URL name (`make bench`: PostgreSQL and Redis db 11);
with the defaults (SQLite, filesystem broker) it works too, but SQLite serialises the writes of
the workers and of the publishing loop."""

import contextlib
import statistics
import time
from pathlib import Path

from bench._common import copy_brief
from config.workers import WorkerProcess

BRIEFS = 20
WORKER_COUNTS = (1, 2)
DEMO_SLUG = "china-in-kazakhstan"
WORKER_START_TIMEOUT = 90
RENDER_TIMEOUT = 900


def _percentile(values, fraction):
    """Nearest-rank percentile (values sorted ascending)."""
    ordered = sorted(values)
    rank = max(1, int(-(-fraction * len(ordered) // 1)))  # ceil(fraction * n), at least 1
    return ordered[min(rank, len(ordered)) - 1]


def _copy_brief(source, label):
    return copy_brief(
        source, title=f"{source.title} (load bench {label})", slug_prefix="bench-load"
    )


def _delete(pages):
    """The bench's pages with their PDF rows and files (and the rows' now empty folders)."""
    from briefs.models import BriefPage
    from pdfs.models import BriefPDF

    ids = [page.pk for page in pages if page.pk]
    for pdf in BriefPDF.objects.filter(brief_id__in=ids):
        if pdf.file:
            path = Path(pdf.file.path) if hasattr(pdf.file, "path") else None
            pdf.file.delete(save=False)
            if path is not None:
                with contextlib.suppress(OSError):  # not empty or already gone
                    path.parent.rmdir()
    for page in BriefPage.objects.filter(pk__in=ids):
        page.delete()  # its PDF rows go with it (on_delete=CASCADE)


def _worker(index):
    """One `celery worker` process with one pool child, on this process's environment."""
    from django.conf import settings

    log_path = Path(settings.VAR_DIR) / f"bench-publish-load-worker-{index}.log"
    log_path.unlink(missing_ok=True)
    return WorkerProcess(log_path, name=f"bench-load-{index}")


def _wait_for_pdfs(pages, timeout):
    """{page pk: BriefPDF} once every page's live PDF is ready or failed."""
    from pdfs.models import BriefPDF

    revisions = {page.live_revision_id: page.pk for page in pages}
    deadline = time.monotonic() + timeout
    while True:
        rows = {
            revisions[pdf.revision_id]: pdf
            for pdf in BriefPDF.objects.filter(
                revision_id__in=list(revisions), kind=BriefPDF.Kind.PUBLIC
            )
        }
        done = [pdf for pdf in rows.values() if pdf.status in ("ready", "failed")]
        if len(done) == len(revisions):
            return rows
        if time.monotonic() > deadline:
            raise RuntimeError(f"Only {len(done)} of {len(revisions)} PDFs done in {timeout} s.")
        time.sleep(0.1)


def _publish(page):
    from django.utils import timezone

    started = timezone.now()
    page.get_latest_revision().publish()
    page.refresh_from_db()
    return started


def _round(source, workers_count, created):
    """Seconds until all BRIEFS PDFs are ready, and the per-brief latencies."""
    warm_up = [_copy_brief(source, "warm-up") for _ in range(workers_count)]
    created.extend(warm_up)
    briefs = [_copy_brief(source, str(i + 1)) for i in range(BRIEFS)]
    created.extend(briefs)
    workers = [_worker(i) for i in range(workers_count)]
    try:
        for worker in workers:
            worker.start(WORKER_START_TIMEOUT)
        # One render per worker before the clock starts (prefetch is 1 and each worker has one
        # pool child, so idle workers take one message each).
        for page in warm_up:
            _publish(page)
        _wait_for_pdfs(warm_up, RENDER_TIMEOUT)

        published = {}
        for page in briefs:
            published[page.pk] = _publish(page)
        rows = _wait_for_pdfs(briefs, RENDER_TIMEOUT)
    finally:
        for worker in workers:
            worker.stop()
    failed = [pdf for pdf in rows.values() if pdf.status != "ready"]
    if failed:
        raise RuntimeError(
            f"{len(failed)} PDF(s) failed with {workers_count} worker(s): {failed[0].last_error}"
        )
    first = min(published.values())
    last_ready = max(pdf.finished_at for pdf in rows.values())
    latencies = [
        (rows[pk].finished_at - started).total_seconds() for pk, started in published.items()
    ]
    pages = rows[briefs[0].pk].page_count
    return (last_ready - first).total_seconds(), latencies, pages


def run():
    from briefs.models import BriefPage

    source = BriefPage.objects.live().filter(slug=DEMO_SLUG).first()
    if source is None:
        raise RuntimeError(f"No demo brief {DEMO_SLUG!r}: run `make demo` first.")
    rows = []
    totals = {}
    for count in WORKER_COUNTS:
        created = []
        try:
            total, latencies, pages = _round(source, count, created)
        finally:
            _delete(created)
        totals[count] = total
        label = f"{BRIEFS} briefs of {pages} pages published at once, {count} worker(s)"
        baseline = totals.get(1) if count != 1 else None
        rows += [
            {
                "name": f"{label}: time until all PDFs are ready",
                "value": round(total, 2),
                "unit": "s",
                "baseline": round(baseline, 2) if baseline is not None else None,
                "target": None,
            },
            {
                "name": f"{label}: publish to ready per brief, median",
                "value": round(statistics.median(latencies), 2),
                "unit": "s",
                "baseline": None,
                "target": None,
            },
            {
                "name": f"{label}: publish to ready per brief, p95",
                "value": round(_percentile(latencies, 0.95), 2),
                "unit": "s",
                "baseline": None,
                "target": None,
            },
        ]
    return rows


if __name__ == "__main__":
    print("Run through bench/run.py: python bench/run.py publish_load")
