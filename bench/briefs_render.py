"""Rendering a brief page: SQL queries, time right after a publish, and requests per second.

1. SQL queries to render a brief with 10 and with 100 citations (same blocks otherwise),
   through the Django test client right after a publish of the brief (the rendered body and
   the notes are then cold, as the whole-response cache is after a publish): the two must be
   equal (the notes cost a fixed number of queries), target ≤ 10 (issue 16); and again with
   the rendered body cached.
2. Time of the brief page and of its API detail right after a publish, in-process (the test
   client, no HTTP server, DEBUG off as in production): the median over repeated publish-then-
   request cycles of the 100-citation brief, target 25 ms each (issue 16), with CPU time beside
   it (load-independent) and, as the same run's baseline, the median of the same request made
   again at once (the page with its rendered body cached; the API detail as it renders every
   time without the whole-response cache). The API detail's queries after a publish are counted
   too. A publication renders the body, notes and bibliography again, but the rows of the cited
   evidence (briefs.cited_evidence) and the formatted bibliography are kept under the evidence's
   and sources' last edits, not the revision: after the first cycle these come from the cache,
   as they do when a brief is republished with its evidence unchanged. So the page is also timed
   after a publish that follows an edit of one piece of its evidence (its rows loaded again; the
   sources unchanged, so the bibliography is not formatted again), on a brief of its own with
   the same 100 citations, published as often.
3. Requests per second of the 100-citation brief page, uncached and cached, next to a minimal
   Django view ("ok") on the same server in the same run: gunicorn from .venv (2 sync workers,
   the current settings and database) serving this module's WSGI app, which routes /bench/ok/
   to the minimal view and everything else to the project's URLs. "Uncached" requests carry
   X-Bench-Uncached, for which the template fragment cache is swapped for a dummy cache, so
   both measurements hit the same process and code. A pool of HTTP client threads sends
   requests for a few seconds per URL.

The briefs, their evidence and source are created in the database for the run (the
server must see them committed) and deleted at the end, whatever happens.
"""

import contextlib
import os
import statistics
import sys
import tempfile
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from django.http import HttpResponse
from django.urls import include, path

from bench._common import no_pdf_renders

BASE_DIR = Path(__file__).resolve().parent.parent
QUERY_TARGET = 10
COLD_MS_TARGET = 25
PUBLISH_CYCLES = int(os.environ.get("BENCH_PUBLISH_CYCLES", "15"))
SECONDS_PER_URL = float(os.environ.get("BENCH_SECONDS", "5"))
CLIENT_THREADS = 4
SERVER_WORKERS = 2
UNCACHED_HEADER = "X-Bench-Uncached"
LOG_FILE = Path(tempfile.gettempdir()) / f"briefdesk-bench-briefs-render-{os.getpid()}.log"


# The WSGI app the benchmark server runs (gunicorn bench.briefs_render:application) ----------


def ok(request):
    return HttpResponse("ok", content_type="text/plain")


def __getattr__(name):
    # The URLconf of the benchmark server, built on first use (the project's URLs need Django
    # set up, which importing this module for bench/run.py must not require).
    if name == "urlpatterns":
        return [path("bench/ok/", ok), path("", include("config.urls"))]
    raise AttributeError(name)


_app = None


def application(environ, start_response):
    global _app
    if _app is None:
        from django.conf import settings
        from django.core.cache.backends.dummy import DummyCache
        from django.core.cache.backends.locmem import LocMemCache
        from django.core.wsgi import get_wsgi_application

        _app = get_wsgi_application()
        settings.ROOT_URLCONF = __name__
        _app.fragments = LocMemCache("bench-fragments", {"TIMEOUT": 3600})
        _app.dummy = DummyCache("bench-dummy", {})
    from django.core.cache import caches

    # Sync workers serve one request at a time per process, and caches are per thread.
    uncached = environ.get("HTTP_" + UNCACHED_HEADER.upper().replace("-", "_"))
    caches["template_fragments"] = _app.dummy if uncached else _app.fragments
    return _app(environ, start_response)


# Test content -----------------------------------------------------------------------------


def _body(evidence, citations):
    """Ten paragraphs sharing ``citations`` inline citations, three evidence quotes and key
    findings with three backed items: the same blocks whatever the number of citations."""
    from briefs.tests.conftest import block, cite, evidence_quote, item

    cited = evidence[:citations]
    per_paragraph = max(1, citations // 10)
    body = []
    for n in range(10):
        chunk = cited[n * per_paragraph : (n + 1) * per_paragraph]
        html = " ".join(
            f"Claim {n}.{i} rests on {cite('a quote', e)}." for i, e in enumerate(chunk)
        )
        body.append(block("paragraph", f"<p>{html}</p>"))
    body += [evidence_quote(e) for e in cited[:3]]
    findings = [item({"text": f"Finding {i}.", "evidence": e.pk}) for i, e in enumerate(cited[:3])]
    body.append(block("key_findings", {"title": "Key findings", "items": findings}))
    return body


def _create_content(tag):
    from briefs.models import BriefIndexPage
    from briefs.tests.conftest import make_brief, make_evidence, make_source

    index = BriefIndexPage.objects.first()
    if index is None:
        raise RuntimeError("No brief index page: run the migrations first.")
    source = make_source(
        f"Benchmark source {tag}",
        pages=[f"Benchmark statement {tag} number {n} is quoted here." for n in range(100)],
    )
    evidence = [
        make_evidence(source, f"Benchmark statement {tag} number {n} is quoted here")
        for n in range(100)
    ]
    with no_pdf_renders():
        briefs = {
            n: make_brief(
                index,
                f"Benchmark brief {tag} with {n} citations",
                _body(evidence, n),
                slug=f"bench-{tag}-{n}",
            )
            for n in (10, 100)
        }
        # The same 100 citations, republished after evidence edits (its own versions).
        briefs["edited"] = make_brief(
            index,
            f"Benchmark brief {tag} republished after evidence edits",
            _body(evidence, 100),
            slug=f"bench-{tag}-edited",
        )
    return source, evidence, briefs


def _delete_content(source, evidence, briefs):
    from evidence.models import Evidence

    for brief in briefs.values():
        brief.delete()
    Evidence.objects.filter(pk__in=[e.pk for e in evidence]).delete()
    source.texts.all().delete()
    source.delete()


# Measurements ---------------------------------------------------------------------------


@contextlib.contextmanager
def _as_in_production():
    """DEBUG off, as production serves (the development settings' DEBUG logs every SQL query
    and keeps template debug data: about 4 ms of a brief page here; Django rebuilds its template
    engines when DEBUG changes), and the API without its rate limits (the cycles ask more than
    60 times a minute)."""
    from django.conf import settings
    from django.test import override_settings

    rest = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"anon": None, "token": None}}
    with override_settings(REST_FRAMEWORK=rest, DEBUG=False):
        yield


def _publish(brief, title):
    """A new version of ``brief`` goes live (its title changed), as an editor's sign-off
    publishes it; the brief as it now is."""
    from briefs.models import BriefPage

    page = BriefPage.objects.get(pk=brief.pk)
    page.title = title
    with no_pdf_renders():
        page.save_revision().publish()
    return BriefPage.objects.get(pk=brief.pk)


def _client():
    from django.test import Client

    return Client(HTTP_HOST="127.0.0.1", HTTP_ACCEPT="text/html")


def _get(client, url, expect, **headers):
    response = client.get(url, **headers)
    if response.status_code != 200 or expect not in response.content.decode():
        raise RuntimeError(f"{url} answered {response.status_code} without {expect!r}")
    return response


API_HEADERS = {"HTTP_ACCEPT": "application/json"}


def _api_url(brief):
    return f"/api/v1/briefs/{brief.slug}/"


def _query_counts(briefs):
    """{citations: (page after a publish, page again, API detail after a publish)}."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = _client()
    counts = {}
    for n, brief in ((n, briefs[n]) for n in (10, 100)):
        client.get(brief.url)  # per-process caches (content types, site root paths)
        client.get(_api_url(brief), **API_HEADERS)
        brief = _publish(brief, f"Counted brief with {n} citations")
        with CaptureQueriesContext(connection) as cold:
            _get(client, brief.url, f'id="note-{n}"')
        with CaptureQueriesContext(connection) as warm:
            _get(client, brief.url, f'id="note-{n}"')
        brief = _publish(brief, f"Counted brief with {n} citations, again")
        with CaptureQueriesContext(connection) as api:
            _get(client, _api_url(brief), brief.title, **API_HEADERS)
        counts[n] = (len(cold), len(warm), len(api))
    return counts


def _timed(client, url, expect, **headers):
    """(wall ms, CPU ms) of one request."""
    wall, cpu = time.perf_counter(), time.process_time()
    _get(client, url, expect, **headers)
    return (time.perf_counter() - wall) * 1000, (time.process_time() - cpu) * 1000


def _after_publish_times(brief, cycles=PUBLISH_CYCLES):
    """Median (wall ms, CPU ms) of the page and of its API detail right after a publish, and of
    the same request made again at once: {"page": (cold, again), "api": (cold, again)}."""
    client = _client()
    client.get(brief.url)  # per-process caches, as in a server that has served before
    client.get(_api_url(brief), **API_HEADERS)
    samples = {key: [] for key in ("page", "page again", "api", "api again")}
    for cycle in range(cycles):
        brief = _publish(brief, f"Timed brief, cycle {cycle} of the page")
        samples["page"].append(_timed(client, brief.url, brief.title))
        samples["page again"].append(_timed(client, brief.url, brief.title))
        # A publish of its own: the page just rendered warmed what the API shares with it.
        brief = _publish(brief, f"Timed brief, cycle {cycle} of the API")
        samples["api"].append(_timed(client, _api_url(brief), brief.title, **API_HEADERS))
        samples["api again"].append(_timed(client, _api_url(brief), brief.title, **API_HEADERS))

    def median(key):
        return tuple(statistics.median(sample[i] for sample in samples[key]) for i in (0, 1))

    return {
        "page": (median("page"), median("page again")),
        "api": (median("api"), median("api again")),
    }


def _touch(evidence):
    """An edit of ``evidence`` as far as every cache is concerned: a new ``updated_at``."""
    from django.utils import timezone

    from evidence.models import Evidence

    Evidence.objects.filter(pk=evidence.pk).update(updated_at=timezone.now())


def _after_edit_and_publish_times(brief, edited, cycles=PUBLISH_CYCLES):
    """Median (wall ms, CPU ms) of the page right after a publish that follows an edit of the
    cited ``edited`` evidence (one publish per cycle, as many versions as the timed brief)."""
    client = _client()
    client.get(brief.url)
    samples = []
    for cycle in range(cycles):
        _touch(edited)
        brief = _publish(brief, f"Timed brief, cycle {cycle} after an evidence edit")
        samples.append(_timed(client, brief.url, brief.title))
        brief = _publish(brief, f"Timed brief, cycle {cycle}, second publication")
    return tuple(statistics.median(sample[i] for sample in samples) for i in (0, 1))


def _requests_per_second(url, headers=None, seconds=SECONDS_PER_URL):
    """Requests per second that CLIENT_THREADS keep-alive clients get for ``seconds``, counted
    from the moment every client has made its warm-up request."""
    import requests

    ready = threading.Barrier(CLIENT_THREADS + 1)
    stop = threading.Event()
    counts = [0] * CLIENT_THREADS
    errors = []

    def client(index):
        session = requests.Session()
        session.headers.update(headers or {})
        try:
            session.get(url, timeout=60)  # warm-up, not counted
        finally:
            ready.wait()
        while not stop.is_set():
            response = session.get(url, timeout=60)
            if response.status_code != 200:
                errors.append(response.status_code)
                return
            if not stop.is_set():
                counts[index] += 1

    with ThreadPoolExecutor(CLIENT_THREADS) as pool:
        futures = [pool.submit(client, i) for i in range(CLIENT_THREADS)]
        ready.wait()
        started = time.perf_counter()
        time.sleep(seconds)
        stop.set()
        done = sum(counts)
        elapsed = time.perf_counter() - started
        for future in futures:
            future.result()
    if errors:
        raise RuntimeError(f"{url} answered {errors[0]}")
    return done / elapsed


def _throughput(brief):
    from bench._common import gunicorn  # not at the top: this file also runs as a script

    with gunicorn(
        "bench.briefs_render:application",
        LOG_FILE,
        ready_path="/bench/ok/",
        options=["--workers", str(SERVER_WORKERS), "--worker-class", "sync"],
    ) as base:
        brief_url = base + brief.url
        return {
            "ok": _requests_per_second(f"{base}/bench/ok/"),
            "uncached": _requests_per_second(brief_url, {UNCACHED_HEADER: "1"}),
            "cached": _requests_per_second(brief_url),
        }


def row(name, value, unit, baseline=None, target=None):
    return {"name": name, "value": value, "unit": unit, "baseline": baseline, "target": target}


def run():
    tag = uuid.uuid4().hex[:8]
    source, evidence, briefs = _create_content(tag)
    try:
        with _as_in_production():
            counts = _query_counts(briefs)
            times = _after_publish_times(briefs[100])
            edited_ms, edited_cpu = _after_edit_and_publish_times(briefs["edited"], evidence[0])
        rates = _throughput(briefs[100])
    finally:
        _delete_content(source, evidence, briefs)
    if counts[10][0] != counts[100][0] or counts[10][2] != counts[100][2]:
        raise AssertionError(f"Query count grows with citations: {counts}")
    (page_ms, page_cpu), (again_ms, again_cpu) = times["page"]
    (api_ms, api_cpu), (api_again_ms, api_again_cpu) = times["api"]
    cycles = f"median of {PUBLISH_CYCLES} publish cycles"
    return [
        row("SQL queries, brief with 10 citations, after a publish", counts[10][0], "queries",
            target=QUERY_TARGET),
        row("SQL queries, brief with 100 citations, after a publish", counts[100][0], "queries",
            target=QUERY_TARGET),
        row("SQL queries, brief with 100 citations, body cached", counts[100][1], "queries",
            target=QUERY_TARGET),
        row("SQL queries, API detail (100 citations) after a publish", counts[100][2],
            "queries"),
        row(f"brief page (100 citations) after a publish, in-process, {cycles}",
            round(page_ms, 2), "ms", baseline=round(again_ms, 2), target=COLD_MS_TARGET),
        row("brief page (100 citations) after a publish, CPU time", round(page_cpu, 2), "ms",
            baseline=round(again_cpu, 2)),
        row("brief page (100 citations) after an edit of its evidence and a publish, "
            f"in-process, {cycles}", round(edited_ms, 2), "ms", baseline=round(page_ms, 2)),
        row("brief page (100 citations) after an edit of its evidence and a publish, CPU time",
            round(edited_cpu, 2), "ms", baseline=round(page_cpu, 2)),
        row(f"API detail (100 citations) after a publish, in-process, {cycles}",
            round(api_ms, 2), "ms", baseline=round(api_again_ms, 2), target=COLD_MS_TARGET),
        row("API detail (100 citations) after a publish, CPU time", round(api_cpu, 2), "ms",
            baseline=round(api_again_cpu, 2)),
        row("minimal Django view (same server)", round(rates["ok"], 1), "req/s"),
        row("brief page, 100 citations, uncached", round(rates["uncached"], 1), "req/s",
            baseline=round(rates["ok"], 1)),
        row("brief page, 100 citations, cached", round(rates["cached"], 1), "req/s",
            baseline=round(rates["uncached"], 1)),
    ]  # fmt: skip


if __name__ == "__main__":
    sys.path.insert(0, str(BASE_DIR))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")
    import django

    django.setup()
    for result in run():
        print(f"{result['name']:<55} {result['value']:>10} {result['unit']}")
