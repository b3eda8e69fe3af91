"""A CDN in front is purged on publication: a recording PURGE endpoint on loopback stands in
for it (Wagtail's HTTP purge backend)."""

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from api.tests.api_data import SENTENCES, body_citing, make_brief, make_source, quote, taxonomy
from briefs.models import BriefPage


@pytest.fixture
def purge_endpoint():
    received = []

    class Recorder(BaseHTTPRequestHandler):
        def do_PURGE(self):
            received.append((self.headers["Host"], self.path))
            self.send_response(200)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Recorder)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", received
    server.shutdown()
    server.server_close()


def test_a_publication_purges_the_brief_its_listings_and_the_api(
    db, settings, purge_endpoint, django_capture_on_commit_callbacks
):
    location, received = purge_endpoint
    terms = taxonomy()
    source = make_source("Trade ledger", SENTENCES)
    brief = make_brief("delta-trade", body_citing([quote(source, SENTENCES[0])]), state="draft",
                       countries=[terms["kz"]], topics=[terms["trade"]])  # fmt: skip
    settings.WAGTAILFRONTENDCACHE = {
        "default": {
            "BACKEND": "wagtail.contrib.frontend_cache.backends.HTTPBackend",
            "LOCATION": location,
        }
    }
    with django_capture_on_commit_callbacks(execute=True):
        BriefPage.objects.get(pk=brief.pk).get_latest_revision().publish()
    paths = {path for _, path in received}
    assert {
        "/briefs/delta-trade/",
        "/briefs/",
        "/",
        "/countries/kazakhstan/",
        "/topics/trade/",
        "/api/v1/briefs/",
        "/api/v1/briefs/delta-trade/",
    } <= paths
    assert {host for host, _ in received} == {"localhost"}

    received.clear()
    with django_capture_on_commit_callbacks(execute=True):
        BriefPage.objects.get(pk=brief.pk).unpublish()
    assert {"/briefs/delta-trade/", "/briefs/", "/"} <= {path for _, path in received}
