"""PDF rendering: seconds per page and peak memory for each demo brief, a synthetic brief of
about 40 pages (the first demo brief's body six times) and a long one of 200 pages (37 times:
body text, headings, cited quotes with their endnotes and bibliography, tables, charts); the
time the PDF signal handler adds to a publication; the time from publication to a ready PDF
with one worker.

Renders run in a fresh subprocess each (`python bench/pdf.py render <revision>`), so that the
peak RSS (VmHWM of that process) is the render's own, including Django,
WeasyPrint and fonts. Uses the development database (run `make demo` first); the synthetic brief
and the publication measurements work on a copy of a demo brief and delete it afterwards.
Each case: one warm-up render, then the median of RENDERS timed ones (one for the long brief);
the CPU-seconds row is the same renders' process CPU time, which the load of other processes on
the machine changes far less than the wall time the target is set on. "Peak memory above the
idle worker" is that peak minus the process's RSS just before its first render, once it is what
an idle worker is: Django set up, WeasyPrint imported, the print stylesheet parsed with its
fonts loaded, startup objects frozen (172-178 MB here).

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
  whose resident memory exceeds CELERY_WORKER_MAX_MEMORY_PER_CHILD (400 MB) after a task.
- The long brief (issue 16: 250 MB above the idle worker, 0.05 s/page): memory met by rendering
  it in parts (pdfs/parts.py, pdfs/merge.py); time not met.
  One WeasyPrint document of 200 pages (December 2026, RSS above the idle worker, CPU seconds
  on a quiet machine): building the HTML +14 MB, 0.3 s; layout +325 MB, 8.5 s (1.6 MB a page:
  tracemalloc puts 58 % of the Python heap in computed-style dicts and 26 % in boxes, every
  page's kept until the PDF is written, see above); writing the tagged PDF +123 MB more (peak
  +448-459 MB), 5.6 s, of which the PDF/UA structure tree (31,800 elements, 21,000 of them
  spans of inline text) is +93 MB and 2.4 s. Both grow linearly with the pages (39 pages:
  +111 MB), so one document stays within 250 MB above the idle worker up to about 100 pages.
  Tried first, without effect: uncompressed streams (-10 MB, a PDF 6x larger), deleting the
  parsed HTML before writing (the boxes hold the styles), other collector thresholds (the
  memory is live objects, not garbage), malloc_trim after the parts (-10 MB of 90: what stays
  is Python's own); MALLOC_ARENA_MAX does not apply (one rendering thread). pydyf's
  PDF.page_references rebuilt the list of all pages for every structure element (quadratic);
  pdfs/rendering.py caches it: 14.7 -> 14.1 CPU s on 200 pages (-4 %), byte-identical PDFs.
  Now a body of more than about 60 pages is laid out and written in parts of about 30 pages,
  one at a time, then the endnotes and bibliography, then the cover and contents (with the
  page numbers of the parts), then one untagged document of blank pages that draws the
  running heads and "Page N of M"; pikepdf merges them (structure tree and its parent tree
  renumbered, named destinations, links between parts, bookmarks, the running heads laid over
  each page as artifacts), one part open at a time. Each part peaks at about +90 MB, the
  merge at +170-180 MB (qpdf's copies of the parts' objects, about 0.4 MB a page). Measured
  with this module's render subprocess, the branch and the code before it interleaved, two
  rounds, on the shared machine (load 1.5-2.3, so CPU seconds are higher than above): 200 pages
  +459 MB -> +179 MB above the idle worker, 0.110-0.118 -> 0.091-0.101 CPU s/page (wall
  0.111-0.119 -> 0.092-0.103); the merge itself 0.8-1.3 CPU s. The PDF holds what one
  document holds (same text, outline, named destinations, links and their targets, metadata,
  attachment, subset fonts, PDF/UA catalog entries; pdfs/tests/test_long_brief.py); it
  differs in that each run of sections starts on a new page and the running heads are
  artifacts rather than untagged spans. Briefs below the threshold (the demo briefs, the
  39-page synthetic one) are rendered as before, to the same bytes.
  In one process the time target was not met: it is 30 % below WeasyPrint's own cost per page
  (layout about 0.042 and writing 0.028 CPU s/page on a quiet machine). So the parts are now
  rendered side by side (pdfs/processes.py): BRIEFDESK_PDF_RENDER_PROCESSES (2) processes forked
  from the worker, each taking the body's parts and the back from a queue (largest first),
  then the cover and contents beside the page numbers; the worker merges. Measured here on 2
  CPUs, the same run's baseline being the same render with one process: 0.084-0.100 ->
  0.051-0.058 s/page wall, for 0.092-0.104 CPU s/page in all (a forked process warms its own
  caches and copies the pages it writes to). The two processes are then busy for the whole body
  phase (about 8 s each), so 0.05 s/page on 2 CPUs needs WeasyPrint's own work per page about 15
  % smaller; HTML parsing (tinyhtml5, pure Python) is about a tenth of it. What stays serial is
  the brief's context and body HTML (about 0.4 s), the cover and running heads (1.2-1.4 s, two
  documents side by side) and the merge (0.7-1.0 s). Forking by hand, processes that render
  several documents each rather than one each: multiprocessing refuses to start processes from
  a Celery pool process, and a process per document loaded fonts and glyphs again each time
  (0.109 CPU s/page). The worker renders the smallest document itself the first time (0.100 ->
  0.098), so that the processes it forks from then on start with its fonts loaded.
  Then (December 7, a host about 1.5x slower, so CPU seconds here are higher): the running
  heads' document of 201 pages took 2.4-3.4 CPU s, more than the cover and contents beside it
  (1.7-2.4 s), two thirds of it in WeasyPrint's margin boxes (16 made per page, the four with
  content sized from their min- and max-content widths). Now the heads but the page number are
  drawn once, on one page rendered in the body phase and laid over every page as one shared
  form (static/pdfs/print-heads.css), and the page numbers alone on blank pages
  (print-page-numbers.css: 1.5 CPU s for 201 pages; pages with no content in their margin boxes
  still cost about 7 ms each to lay out), so the cover and contents bound that phase. The
  processes take documents from a queue instead of fixed shares (the estimate of a part's
  pages from its HTML left one process 3.5 s idle once the parts' HTML had changed), and the
  PDF's HTML leaves out what print.css hid (a chart's phone-width drawing and data table: 18 %
  of a part's elements, parsed and styled for nothing). Interleaved A/B runs of the 200-page
  brief, each the second render of a fresh process: 0.096-0.104 -> 0.074-0.096 s/page.
  Tried and not kept: the contents' leaders as a dotted border in a flex row (the leaders are
  half the cover and contents' time: 1.0 of 1.8 CPU s; WeasyPrint's flex layout took twice as
  long as the leaders); page numbers as positioned blocks instead of margin boxes (the same
  time as a margin box alone).
  Memory with processes: each holds the largest part it takes (about +65 MB above the fork,
  pages it writes to included), the worker the merge. The "render processes included" row
  samples the PSS (proportional set size: a page shared by n processes counts 1/n in each) of
  the worker and its render processes together every 0.1 s during one more render after the
  timed one (the sampling costs CPU time, so it is kept out of the timed renders): 228-243 MB
  above the idle worker, against 176-180 MB with one process. It was 314-428 MB before the
  worker gave the merge's freed memory back to the system after each render (glibc kept about
  80 MB of it, and the processes forked for the next brief wrote into it: pdfs/parts.py,
  release_memory)."""

import contextlib
import json
import os
import resource
import statistics
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
TARGET_SECONDS_PER_PAGE = 0.15
TARGET_PEAK_MB = 250
# The long brief (issue 16): about 200 pages, within 250 MB above the idle worker, 0.05 s/page.
LONG_ROUNDS = 37  # rounds of the demo brief's body: 200 pages
TARGET_LONG_SECONDS_PER_PAGE = 0.05
TARGET_LONG_ABOVE_IDLE_MB = 250
TARGET_PUBLISH_MS = 20
RENDERS = 3  # timed renders per case after the warm-up one; the median is reported


def _render_in_subprocess(
    revision_id, kind="public", renders=RENDERS, processes=None, tree_memory=False
):
    env = {
        **os.environ,
        **({"BRIEFDESK_PDF_RENDER_PROCESSES": str(processes)} if processes else {}),
        "DJANGO_SETTINGS_MODULE": os.environ.get("DJANGO_SETTINGS_MODULE", "config.settings.dev"),
    }
    out = subprocess.run(
        [sys.executable, __file__, "render", str(revision_id), kind, str(renders)]
        + (["tree-memory"] if tree_memory else []),
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    if out.returncode != 0:
        raise RuntimeError(f"render of revision {revision_id} failed:\n{out.stderr[-2000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def _status_mb(field="VmRSS"):
    """A memory figure of this process (Linux), in MB: VmRSS, its resident memory now, or
    VmHWM, the highest it has been. Not ru_maxrss: Linux carries the forking process's size
    over into a child's ru_maxrss, so a child of a large parent reported the parent's."""
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith(f"{field}:"):
                return int(line.split()[1]) / 1024
    raise RuntimeError(f"No {field} in /proc/self/status.")


def _tree_pss_mb():
    """The proportional set size (PSS) of this process and its children, in MB: memory shared
    between them (the pages a forked render process still shares with the worker) counted once
    in all, where adding their RSS would count it once per process."""
    pids = [os.getpid()]
    for task in Path("/proc/self/task").iterdir():
        with contextlib.suppress(OSError):
            pids += (task / "children").read_text().split()
    total = 0
    for pid in pids:
        with contextlib.suppress(OSError), open(f"/proc/{pid}/smaps_rollup") as rollup:
            for line in rollup:
                if line.startswith("Pss:"):
                    total += int(line.split()[1])
                    break
    return total / 1024


class _TreeMemory:
    """The highest _tree_pss_mb while it runs, sampled every SAMPLE_SECONDS by a thread (a
    part's memory grows over seconds, so the sampling misses little of its peak)."""

    SAMPLE_SECONDS = 0.1

    def __enter__(self):
        self.peak = _tree_pss_mb()
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._sample, daemon=True)
        self.thread.start()
        return self

    def _sample(self):
        while not self.stop.wait(self.SAMPLE_SECONDS):
            self.peak = max(self.peak, _tree_pss_mb())

    def __exit__(self, *exc):
        self.stop.set()
        self.thread.join()


def _cpu_seconds():
    """CPU time of this process and of its children that have ended (the render processes of a
    long brief, pdfs/processes.py)."""
    usages = (resource.getrusage(who) for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN))
    return sum(usage.ru_utime + usage.ru_stime for usage in usages)


def _child_render(revision_id, kind, renders, tree_memory=False):
    import django

    sys.path.insert(0, str(BASE_DIR))
    django.setup()
    import gc
    import logging

    logging.disable(logging.WARNING)
    import weasyprint  # noqa: F401  (imported by the worker before its first render too)
    from wagtail.models import Revision

    from pdfs import rendering
    from pdfs.revision import render_revision

    # The worker idle before its first render: Django set up, WeasyPrint imported, the print
    # stylesheet parsed with its fonts loaded, the startup objects frozen.
    rendering.print_resources()
    rendering.freeze_startup_objects()
    gc.collect()
    idle_mb, idle_pss_mb = _status_mb(), _tree_pss_mb()
    revision = Revision.objects.get(pk=revision_id)
    render_revision(revision, kind)  # warm-up: templates, glyph caches
    timings, cpu = [], []
    for _ in range(renders):
        started, started_cpu = time.perf_counter(), _cpu_seconds()
        result = render_revision(revision, kind)
        timings.append(time.perf_counter() - started)
        cpu.append(_cpu_seconds() - started_cpu)
    peak_mb = _status_mb("VmHWM")
    tree_peak_pss_mb = None
    if tree_memory:
        # One more render, its memory sampled (reading the processes' PSS costs CPU time that
        # would slow the timed renders), as a worker renders a long brief after others.
        with _TreeMemory() as tree:
            render_revision(revision, kind)
        tree_peak_pss_mb = tree.peak
    print(
        json.dumps(
            {
                "seconds": statistics.median(timings),
                "cpu_seconds": statistics.median(cpu),
                "pages": result.page_count,
                "idle_mb": idle_mb,
                "peak_mb": peak_mb,
                "idle_pss_mb": idle_pss_mb,
                "tree_peak_pss_mb": tree_peak_pss_mb,
                "size": result.size,
            }
        )
    )


def _synthetic_body(page, rounds):
    """The demo brief's body repeated ``rounds`` times (headings and anchors numbered): its
    text, quotes (more notes and bibliography entries each round), tables and charts."""
    raw = list(page.body.raw_data)
    body = []
    round_ = 0
    while len(body) < len(raw) * rounds:
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
    from bench._common import no_pdf_renders  # here: the render child runs this file alone

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
        with no_pdf_renders():
            without.append(publish_once())
    return statistics.median(with_handler), statistics.median(without)


def _publish_to_ready(source):
    """Seconds from publication to a ready PDF with one worker (a `celery worker` on the
    configured broker, started here and stopped afterwards), once the worker has rendered a
    warm-up copy: whatever was queued before it (the renders and checks that earlier
    publications queued while no worker ran) is done by then, and the worker is warm, as a
    long-lived one is (bench/publish_load.py does the same)."""
    from django.conf import settings

    from config.workers import WorkerProcess

    worker = WorkerProcess(Path(settings.VAR_DIR) / "bench-pdf-worker.log", name="bench-pdf")
    worker.start()
    try:
        if _publish_and_wait(_copy_brief(source)) is None:
            return None
        return _publish_and_wait(_copy_brief(source))
    finally:
        worker.stop()


def _publish_and_wait(page):
    """Publish ``page`` (then delete it): seconds until its PDF is ready, None if it failed."""
    from pdfs.models import BriefPDF

    started = time.perf_counter()
    page.get_latest_revision().publish()
    page.refresh_from_db()
    deadline = time.monotonic() + 300
    pdf = None
    while time.monotonic() < deadline:
        pdf = BriefPDF.objects.filter(revision_id=page.live_revision_id).first()
        if pdf and pdf.status in ("ready", "failed"):
            break
        time.sleep(0.1)
    elapsed = time.perf_counter() - started
    ok = pdf is not None and pdf.status == "ready"
    _delete(page)
    return elapsed if ok else None


def _long_rows(measured, sequential):
    label = f"PDF long synthetic ({measured['pages']} pages)"
    per_page = {
        name: round(figures["seconds"] / figures["pages"], 3)
        for name, figures in (("parallel", measured), ("sequential", sequential))
    }
    processes = _render_processes()
    rows = _render_rows("long synthetic", measured, seconds_target=None, peak_target=None)
    rows[0].update(baseline=per_page["sequential"], target=TARGET_LONG_SECONDS_PER_PAGE)
    rows[0]["name"] += f" ({processes} render processes; baseline: 1)"
    rows[1]["name"] += ", render processes included"
    rows[2]["name"] += " (the one that merges)"
    rows[3]["name"] = rows[3]["name"].replace("peak memory", "peak memory of that process")
    rows.append(
        {
            "name": f"{label}: peak memory above the idle worker, its {processes} render "
            "processes included (PSS, sampled every 0.1 s, baseline: 1)",
            "value": round(measured["tree_peak_pss_mb"] - measured["idle_pss_mb"], 1),
            "unit": "MB",
            "baseline": round(sequential["tree_peak_pss_mb"] - sequential["idle_pss_mb"], 1),
            "target": TARGET_LONG_ABOVE_IDLE_MB,
        }
    )
    return rows


def _render_processes():
    from django.conf import settings

    return settings.BRIEFDESK_PDF_RENDER_PROCESSES


def _render_rows(
    name,
    measured,
    *,
    seconds_target=TARGET_SECONDS_PER_PAGE,
    peak_target=TARGET_PEAK_MB,
    above_idle_target=None,
):
    label = f"PDF {name} ({measured['pages']} pages)"
    return [
        {
            "name": f"{label}: seconds per page",
            "value": round(measured["seconds"] / measured["pages"], 3),
            "unit": "s/page",
            "baseline": None,
            "target": seconds_target,
        },
        {
            "name": f"{label}: CPU seconds per page (load-independent)",
            "value": round(measured["cpu_seconds"] / measured["pages"], 3),
            "unit": "s/page",
            "baseline": None,
            "target": None,
        },
        {
            "name": f"{label}: peak memory of the render process",
            "value": round(measured["peak_mb"], 1),
            "unit": "MB",
            "baseline": None,
            "target": peak_target,
        },
        {
            "name": f"{label}: peak memory above the idle worker ({measured['idle_mb']:.0f} MB)",
            "value": round(measured["peak_mb"] - measured["idle_mb"], 1),
            "unit": "MB",
            "baseline": None,
            "target": above_idle_target,
        },
    ]


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
    synthetic = _copy_brief(demo[0], body=_synthetic_body(demo[0], 6), title="Synthetic brief")
    long = _copy_brief(demo[0], body=_synthetic_body(demo[0], LONG_ROUNDS), title="Long brief")
    try:
        cases = [(page.slug, page.live_revision_id or page.latest_revision_id) for page in demo]
        cases.append(("synthetic", synthetic.latest_revision_id))
        for name, revision_id in cases:
            rows.extend(_render_rows(name, _render_in_subprocess(revision_id)))
        # One timed render after the warm-up: each takes about 15 CPU seconds. As the worker
        # renders it (its parts side by side, pdfs/processes.py), and, as the baseline, with
        # its parts one after the other in the worker's own process.
        measured, sequential = (
            _render_in_subprocess(
                long.latest_revision_id, renders=1, processes=processes, tree_memory=True
            )
            for processes in (None, 1)
        )
        rows.extend(_long_rows(measured, sequential))
    finally:
        _delete(synthetic)
        _delete(long)
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
        kind = sys.argv[3] if len(sys.argv) > 3 else "public"
        renders = int(sys.argv[4]) if len(sys.argv) > 4 else RENDERS
        _child_render(int(sys.argv[2]), kind, renders, tree_memory="tree-memory" in sys.argv[5:])
    else:
        print("Run through bench/run.py: python bench/run.py pdf")
