"""The public API (/api/v1/): SQL queries per request, and throughput under load.

1. Queries for the brief list at page sizes 10 and 100 (must be equal), and for a brief's
   detail with 10 and with 100 citations (must be equal): counted in-process with the test
   client.
2. Requests per second and p95 latency of the list and a detail under load on loopback, next
   to a minimal Django view in the same server: a real gunicorn subprocess on the same
   database, and threads of HTTP clients (keep-alive), a few seconds per URL.

The bench content (102 published briefs, 100 pieces of evidence) is committed for the
server to see, under slugs starting with ``bench-api-``, and deleted at the end. Its briefs are
live pages without a published revision, so that no PDF render is queued for them.
"""

import datetime
import http.client
import statistics
import threading
import time
from pathlib import Path

from django.http import HttpResponse
from django.urls import include, path

from bench._common import gunicorn, no_pdf_renders

BASE_DIR = Path(__file__).resolve().parent.parent
PREFIX = "bench-api-"
LIST_BRIEFS = 100
CLIENT_THREADS = 8
SECONDS = 3.0
GUNICORN_WORKERS = 2
GUNICORN_THREADS = 4


# The server's URLs: the project's, plus a minimal view as the yardstick. --------------------------


def minimal(request):
    return HttpResponse(b"ok", content_type="text/plain")


def __getattr__(name):
    # The URLconf of the server (ROOT_URLCONF = "bench.api"), built on first use: include()
    # imports config.urls, which needs Django set up, and bench/run.py imports this module
    # before any request.
    if name == "urlpatterns":
        global urlpatterns
        urlpatterns = [path("bench/minimal/", minimal), path("", include("config.urls"))]
        return urlpatterns
    raise AttributeError(name)


def application():
    """gunicorn app factory (``bench.api:application()``): the project with the URLs above."""
    import django
    from django.conf import settings

    django.setup()
    settings.ROOT_URLCONF = "bench.api"
    from django.core.handlers.wsgi import WSGIHandler

    return WSGIHandler()


# Content ------------------------------------------------------------------------------------------


def _populate():
    from api.tests import api_data
    from briefs.models import BriefAuthor, BriefIndexPage, BriefPage

    sentences = [f"Bench sentence {n} notes that trade rose by {n} percent." for n in range(100)]
    source = api_data.make_source(f"{PREFIX}source", sentences)
    evidence = [api_data.quote(source, sentence) for sentence in sentences]
    index = BriefIndexPage.objects.first()

    def brief(slug, cited, day):
        # Published as an editor's sign-off does (a brief saved live would be kept a draft).
        page = BriefPage(
            slug=slug,
            title=slug.replace("-", " ").capitalize(),
            standfirst="A brief made for the API benchmark.",
            publication_date=datetime.date(2020, 1, 1) + datetime.timedelta(days=day),
            live=False,
        )
        page.body = api_data.body_citing(cited)
        index.add_child(instance=page)
        page.authors.set([BriefAuthor(name="Bench Author")])
        with no_pdf_renders():
            page.save_revision().publish()
        return page

    for number in range(LIST_BRIEFS):
        brief(f"{PREFIX}list-{number}", evidence[number : number + 1], number)
    brief(f"{PREFIX}ten", evidence[:10], 0)
    brief(f"{PREFIX}hundred", evidence, 0)
    return source


def _cleanup():
    from briefs.models import BriefPage
    from evidence.models import Evidence
    from sources.models import Source

    for page in BriefPage.objects.filter(slug__startswith=PREFIX):
        page.delete()
    sources = Source.objects.filter(title__startswith=PREFIX)
    Evidence.objects.filter(source__in=sources).delete()
    sources.delete()


# Query counts -------------------------------------------------------------------------------------


def _queries(client, url):
    from django.core.cache import cache
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    cache.clear()
    client.get(url, HTTP_ACCEPT="application/json")  # warm per-process caches (site root)
    cache.clear()
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, HTTP_ACCEPT="application/json")
    if response.status_code != 200:
        raise RuntimeError(f"{url} answered {response.status_code}: {response.content[:300]!r}")
    return len(captured), response


def query_counts():
    from django.conf import settings
    from django.test import Client, override_settings
    from django.test.utils import setup_test_environment, teardown_test_environment

    rest = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"anon": None, "token": None}}
    setup_test_environment()
    try:
        with override_settings(REST_FRAMEWORK=rest, ALLOWED_HOSTS=["*"]):
            client = Client(HTTP_HOST="localhost")
            list_10, r10 = _queries(client, "/api/v1/briefs/?page_size=10")
            list_100, r100 = _queries(client, "/api/v1/briefs/?page_size=100")
            if len(r10.json()["results"]) != 10 or len(r100.json()["results"]) != 100:
                raise RuntimeError("the list pages do not hold 10 and 100 briefs")
            ten, d10 = _queries(client, f"/api/v1/briefs/{PREFIX}ten/")
            hundred, d100 = _queries(client, f"/api/v1/briefs/{PREFIX}hundred/")
            if (len(d10.json()["notes"]), len(d100.json()["notes"])) != (10, 100):
                raise RuntimeError("the details do not carry 10 and 100 citations")
    finally:
        teardown_test_environment()
    return list_10, list_100, ten, hundred


# Load ---------------------------------------------------------------------------------------------


def _server_env():
    from django.conf import settings
    from django.db import connection

    db = connection.settings_dict
    env = {
        "API_ANON_RATE": "off",
        "API_TOKEN_RATE": "off",
        "LOG_LEVEL": "WARNING",
        "BRIEFDESK_VAR_DIR": str(settings.VAR_DIR),
    }
    if db["ENGINE"].endswith("sqlite3"):
        env["DATABASE_URL"] = f"sqlite:///{db['NAME']}"
    return env


def _get(connection, url):
    connection.request("GET", url, headers={"Accept": "application/json", "Host": "localhost"})
    response = connection.getresponse()
    response.read()
    return response.status


def load(port, url):
    """(requests per second, p95 latency in ms) of ``url`` with CLIENT_THREADS clients."""
    latencies, errors = [], []
    lock = threading.Lock()
    stop = time.monotonic() + SECONDS

    def worker():
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        mine = []
        while time.monotonic() < stop:
            started = time.perf_counter()
            try:
                status = _get(connection, url)
            except (OSError, http.client.HTTPException) as error:
                errors.append(repr(error))
                connection.close()
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
                continue
            if status != 200:
                errors.append(status)
            mine.append(time.perf_counter() - started)
        connection.close()
        with lock:
            latencies.extend(mine)

    for _ in range(2):  # warm-up: imports, the citation index, connections
        _get(http.client.HTTPConnection("127.0.0.1", port, timeout=30), url)
    began = time.perf_counter()
    threads = [threading.Thread(target=worker) for _ in range(CLIENT_THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - began
    if errors:
        raise RuntimeError(f"{url}: {len(errors)} failed requests, e.g. {errors[:3]}")
    p95 = statistics.quantiles(latencies, n=20)[-1] * 1000 if len(latencies) > 1 else 0.0
    return len(latencies) / elapsed, p95


def run():
    _cleanup()
    try:
        _populate()
        list_10, list_100, detail_10, detail_100 = query_counts()
        if list_10 != list_100:
            raise AssertionError(f"list queries grow with the page: {list_10} vs {list_100}")
        if detail_10 != detail_100:
            raise AssertionError(f"detail queries grow with citations: {detail_10} vs {detail_100}")
        from django.conf import settings

        with gunicorn(
            "bench.api:application()",
            settings.VAR_DIR / "bench-api-gunicorn.log",
            ready_path="/bench/minimal/",
            options=[
                "--workers",
                str(GUNICORN_WORKERS),
                "--threads",
                str(GUNICORN_THREADS),
                "--worker-class",
                "gthread",
            ],
            env=_server_env(),
        ) as base:
            port = int(base.rsplit(":", 1)[1])
            results = {
                "minimal view": load(port, "/bench/minimal/"),
                "list (20 briefs)": load(port, "/api/v1/briefs/"),
                "detail (100 citations)": load(port, f"/api/v1/briefs/{PREFIX}hundred/"),
            }
    finally:
        _cleanup()
    rows = [
        {"name": "list SQL queries, page size 10", "value": list_10, "unit": "queries",
         "baseline": None, "target": list_100},
        {"name": "list SQL queries, page size 100", "value": list_100, "unit": "queries",
         "baseline": None, "target": list_10},
        {"name": "detail SQL queries, 10 citations", "value": detail_10, "unit": "queries",
         "baseline": None, "target": detail_100},
        {"name": "detail SQL queries, 100 citations", "value": detail_100, "unit": "queries",
         "baseline": None, "target": detail_10},
    ]  # fmt: skip
    minimal_rps, minimal_p95 = results["minimal view"]
    for name, (rps, p95) in results.items():
        baseline = None if name == "minimal view" else minimal_rps
        rows.append(
            {
                "name": f"{name}: throughput",
                "value": round(rps, 1),
                "unit": "req/s",
                "baseline": baseline and round(baseline, 1),
                "target": None,
            }
        )
        rows.append({"name": f"{name}: p95 latency", "value": round(p95, 2), "unit": "ms",
                     "baseline": None if name == "minimal view" else round(minimal_p95, 2),
                     "target": None})  # fmt: skip
    return rows
