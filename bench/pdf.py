"""PDF rendering: seconds per page and peak memory for each demo brief and a synthetic brief of
about 40 pages (the first demo brief's body six times); the time the PDF signal handler adds
to a publication; the time from publication to a ready PDF with one worker.

Renders run in a fresh subprocess each (`python bench/pdf.py render <revision>`), so that the
peak RSS (resource.getrusage ru_maxrss of that process) is the render's own, including Django,
WeasyPrint and fonts. Uses the development database (run `make demo` first); the synthetic brief
and the publication measurements work on a copy of a demo brief and delete it afterwards.
Each case: one warm-up render, then the median of RENDERS timed ones; the CPU-seconds row is
the same renders' process CPU time, which the load of other processes on the machine changes
far less than the wall time the target is set on.

Where the time goes and what was done (pdfs/rendering.py, static/pdfs/print.css; figures in
CPU seconds on the 12-page demo brief, 2 shared CPUs): layout about 55 %, drawing and writing
the tagged PDF about 40 %, HTML parsing (tinyhtml5) and the cascade the rest.
- HarfBuzz's subsetter (libharfbuzz-subset0; .ci/run and the Dockerfile install it) instead of
  WeasyPrint's fontTools fallback: 3.5 s -> 2.2 s per render.
- The print stylesheet parsed and its six fonts loaded into one FontConfiguration once per
  process instead of once per render: -0.2 to -0.3 s per render.
- The table of contents' leader is `leader(". . . ")` instead of `leader(".")`: WeasyPrint
  lays out and draws one text box (and one tagged span) per repetition of the leader string,
  about 150 per entry with a single dot; now 25. About -10 % on the demo brief.
- gc.freeze() of the process's startup objects before its first render: the collector no
  longer walks Django and Wagtail during each render (about -7 %; freezing around each render
  instead kept a previous render's garbage alive, +70 MB).
- Tried and not kept: CSS custom properties replaced by literal colours, the visually hidden
  "Note" labels of note references as display: none (a loss for screen readers), no orphans/
  widows or break-inside rules: each within the measurement noise (under 5 %), or a loss.
Before these changes (same machine, interleaved runs): 0.21 CPU s/page on the demo briefs;
after: 0.14-0.19 (the higher figures when other processes load the machine).

Targets that may read "no" in the table, and why:
- Seconds per page (0.15): met in CPU time on the demo briefs, but the wall time includes
  waiting for a CPU; on this shared 2-CPU machine with a load of 4 to 9 the same render takes
  1.3x to 2.5x its CPU time. The 38-page synthetic brief costs more per page (0.17-0.19 CPU
  s/page): its 6x longer endnotes, bibliography and contents have more, smaller boxes per page
  than body text, and WeasyPrint's page breaking rescans a long flow at every page.
- Peak memory (250 MB) of the synthetic brief (about 265 MB): about 165 MB is the process
  before any PDF work (Django with every app of the project: 142 MB after django.setup(),
  WeasyPrint's imports 20 MB), and WeasyPrint keeps the laid-out boxes of every page until the
  PDF is written (about 100 MB for 38 pages; it cannot write pages as it goes). Rendering in a
  process without Django would need a second, Django-free copy of the URL fetcher's security
  checks. Instead the worker bounds its memory over time: config/celery.py replaces a pool child
  whose resident memory exceeds CELERY_WORKER_MAX_MEMORY_PER_CHILD (400 MB) after a task."""

import json
import os
import resource
import statistics
import subprocess
import sys
import time
import uuid
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
TARGET_SECONDS_PER_PAGE = 0.15
TARGET_PEAK_MB = 250
TARGET_PUBLISH_MS = 20
RENDERS = 3  # timed renders per case after the warm-up one; the median is reported


def _render_in_subprocess(revision_id, kind="public"):
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": os.environ.get("DJANGO_SETTINGS_MODULE", "config.settings.dev"),
    }
    out = subprocess.run(
        [sys.executable, __file__, "render", str(revision_id), kind],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    if out.returncode != 0:
        raise RuntimeError(f"render of revision {revision_id} failed:\n{out.stderr[-2000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def _child_render(revision_id, kind):
    import django

    sys.path.insert(0, str(BASE_DIR))
    django.setup()
    import logging

    logging.disable(logging.WARNING)
    from wagtail.models import Revision

    from pdfs import rendering

    revision = Revision.objects.get(pk=revision_id)
    rendering.render_revision(revision, kind)  # warm-up: fonts, stylesheet, templates
    timings, cpu = [], []
    for _ in range(RENDERS):
        started, started_cpu = time.perf_counter(), time.process_time()
        result = rendering.render_revision(revision, kind)
        timings.append(time.perf_counter() - started)
        cpu.append(time.process_time() - started_cpu)
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(
        json.dumps(
            {
                "seconds": statistics.median(timings),
                "cpu_seconds": statistics.median(cpu),
                "pages": result.page_count,
                "peak_mb": peak_kb / 1024,
                "size": result.size,
            }
        )
    )


def _synthetic_body(page, target_pages=40):
    """The demo brief's body repeated until it fills about ``target_pages`` pages."""
    raw = list(page.body.raw_data)
    body = []
    round_ = 0
    while len(body) < len(raw) * 6:
        round_ += 1
        for block in raw:
            block = json.loads(json.dumps(block))
            block["id"] = str(uuid.uuid4())
            if block["type"] == "section":
                block["value"]["heading"] = f"{block['value']['heading']} ({round_})"
                block["value"]["anchor"] = f"{block['value']['anchor']}-{round_}"
            body.append(block)
    return body


def _copy_brief(source, body=None, title=None):
    from bench._common import copy_brief  # not at the top: the render child runs this file

    return copy_brief(source, title=title or f"{source.title} (bench)", body=body)


def _delete(page):
    from pdfs.models import BriefPDF

    for pdf in BriefPDF.objects.filter(brief=page):
        if pdf.file:
            pdf.file.delete(save=False)
    page.delete()


def _publish_timings(source, runs=7):
    """Milliseconds of revision.publish() with and without the pdfs post_save handler."""
    from django.db.models.signals import post_save

    from briefs.models import BriefPage
    from pdfs.services import on_brief_saved

    def publish_once():
        page = _copy_brief(source)
        revision = page.get_latest_revision()
        started = time.perf_counter()
        revision.publish()  # its on_commit enqueue included (autocommit here)
        elapsed = (time.perf_counter() - started) * 1000
        _delete(page)
        return elapsed

    publish_once()  # warm-up
    with_handler, without = [], []
    for _ in range(runs):  # interleaved, so that load changes hit both alike
        with_handler.append(publish_once())
        post_save.disconnect(on_brief_saved, sender=BriefPage, dispatch_uid="pdfs.on_brief_saved")
        try:
            without.append(publish_once())
        finally:
            post_save.connect(on_brief_saved, sender=BriefPage, dispatch_uid="pdfs.on_brief_saved")
    return statistics.median(with_handler), statistics.median(without)


def _publish_to_ready(source):
    """Seconds from publication to a ready PDF with one worker (a `celery worker` on the
    configured broker, started here and stopped afterwards)."""
    from django.conf import settings

    from config.workers import WorkerProcess
    from pdfs.models import BriefPDF

    worker = WorkerProcess(Path(settings.VAR_DIR) / "bench-pdf-worker.log", name="bench-pdf")
    worker.start()
    try:
        time.sleep(3)  # let it drain anything queued before
        page = _copy_brief(source)
        started = time.perf_counter()
        page.get_latest_revision().publish()
        page.refresh_from_db()
        deadline = time.monotonic() + 300
        while time.monotonic() < deadline:
            pdf = BriefPDF.objects.filter(revision_id=page.live_revision_id).first()
            if pdf and pdf.status in ("ready", "failed"):
                break
            time.sleep(0.1)
        elapsed = time.perf_counter() - started
        ok = pdf is not None and pdf.status == "ready"
        _delete(page)
        return elapsed if ok else None
    finally:
        worker.stop()


def run():
    from briefs.models import BriefPage

    rows = []
    demo = list(
        BriefPage.objects.live()
        .filter(slug__in=["china-in-kazakhstan", "china-digital-trade"])
        .order_by("pk")
    )
    if not demo:
        raise RuntimeError("No demo briefs: run `make demo` first.")
    synthetic = _copy_brief(demo[0], body=_synthetic_body(demo[0]), title="Synthetic brief")
    try:
        cases = [(page.slug, page.live_revision_id or page.latest_revision_id) for page in demo]
        cases.append(("synthetic", synthetic.latest_revision_id))
        for name, revision_id in cases:
            measured = _render_in_subprocess(revision_id)
            label = f"{name} ({measured['pages']} pages)"
            rows.append(
                {
                    "name": f"PDF {label}: seconds per page",
                    "value": round(measured["seconds"] / measured["pages"], 3),
                    "unit": "s/page",
                    "baseline": None,
                    "target": TARGET_SECONDS_PER_PAGE,
                }
            )
            rows.append(
                {
                    "name": f"PDF {label}: CPU seconds per page (load-independent)",
                    "value": round(measured["cpu_seconds"] / measured["pages"], 3),
                    "unit": "s/page",
                    "baseline": None,
                    "target": None,
                }
            )
            rows.append(
                {
                    "name": f"PDF {label}: peak memory of the render process",
                    "value": round(measured["peak_mb"], 1),
                    "unit": "MB",
                    "baseline": None,
                    "target": TARGET_PEAK_MB,
                }
            )
    finally:
        _delete(synthetic)
    with_handler, without = _publish_timings(demo[0])
    rows.append(
        {
            "name": "Publish: time the PDF handler adds (median)",
            "value": round(max(with_handler - without, 0.0), 2),
            "unit": "ms",
            "baseline": None,
            "target": TARGET_PUBLISH_MS,
        }
    )
    rows.append(
        {
            "name": "Publish: revision.publish() with the PDF handler (median)",
            "value": round(with_handler, 2),
            "unit": "ms",
            "baseline": round(without, 2),
            "target": None,
        }
    )
    seconds = _publish_to_ready(demo[0])
    rows.append(
        {
            "name": "Publish to PDF ready, one worker",
            "value": round(seconds, 2) if seconds is not None else -1,
            "unit": "s",
            "baseline": None,
            "target": None,
        }
    )
    return rows


if __name__ == "__main__":
    if len(sys.argv) >= 3 and sys.argv[1] == "render":
        _child_render(int(sys.argv[2]), sys.argv[3] if len(sys.argv) > 3 else "public")
    else:
        print("Run through bench/run.py: python bench/run.py pdf")
