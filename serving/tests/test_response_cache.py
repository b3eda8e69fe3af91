"""The whole-response cache: what it stores, and that every kind of content change reaches
every affected URL at once, in this process and in another one sharing the cache (Redis)."""

import json
import os
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.core.cache import cache, caches
from django.db import connection
from django.test import Client

from api.tests.api_data import SENTENCES, body_citing, make_brief, make_source, quote, taxonomy
from briefs.models import BriefPage
from evidence import services as evidence_services
from evidence.models import Evidence
from serving import middleware, version
from serving.frontend import brief_urls

BASE_DIR = Path(__file__).resolve().parents[2]
REDIS_CACHE_URL = "redis://127.0.0.1:6379/11"


@pytest.fixture
def response_cache(settings):
    settings.RESPONSE_CACHE_SECONDS = 600
    cache.clear()
    caches["serving-local"].clear()
    yield
    cache.clear()
    caches["serving-local"].clear()


@pytest.fixture
def site(db, response_cache):
    terms = taxonomy()
    source = make_source("Trade ledger of Kazakhstan", SENTENCES)
    evidence = [quote(source, SENTENCES[0]), quote(source, SENTENCES[1])]
    brief = make_brief(
        "alpha-trade",
        body_citing(evidence),
        title="Alpha trade brief",
        countries=[terms["kz"]],
        topics=[terms["trade"]],
    )
    return {"brief": brief, "source": source, "evidence": evidence, **terms}


def paths(brief):
    return [urlsplit(url).path for url in brief_urls(brief)]


def fetch(reader, path, **extra):
    response = reader.get(path, **extra)
    return response.status_code, response.content.decode(), response.get("X-Response-Cache")


def assert_everywhere(reader, urls, text, *, present=True):
    for path in urls:
        status, body, _ = fetch(reader, path)
        assert status == 200, path
        assert (text in body) is present, f"{path}: {text!r} {'missing' if present else 'shown'}"


def warm(reader, urls):
    for path in urls:
        fetch(reader, path)
        assert fetch(reader, path)[2] == "hit", path


def test_anonymous_get_is_stored_with_validators(reader, site):
    url = site["brief"].url
    first = reader.get(url)
    assert first["X-Response-Cache"] == "miss"
    again = reader.get(url)
    assert again["X-Response-Cache"] == "hit"
    assert again.content == first.content
    assert "s-maxage=300" in again["Cache-Control"] and "must-revalidate" in again["Cache-Control"]
    assert "public" in again["Cache-Control"]
    not_modified = reader.get(url, HTTP_IF_NONE_MATCH=again["ETag"])
    assert not_modified.status_code == 304 and not_modified.content == b""
    # No Last-Modified made up from the time of storage: the page sets none of its own.
    assert "Last-Modified" not in first and "Last-Modified" not in again


def test_a_hit_runs_no_other_middleware_yet_keeps_their_headers(reader, site):
    first = reader.get(site["brief"].url)
    assert hasattr(first.wsgi_request, "csp_nonce")  # the CSP middleware ran for the miss
    again = reader.get(site["brief"].url)
    # ... and for the hit it did not (nor any other), yet its header is there.
    assert again["X-Response-Cache"] == "hit" and not hasattr(again.wsgi_request, "csp_nonce")
    for header in ("Content-Security-Policy", "X-Frame-Options", "X-Content-Type-Options"):
        assert again[header] == first[header], header


def test_each_process_answers_from_its_own_copy(reader, site):
    url = site["brief"].url
    reader.get(url)
    cache.delete(middleware.cache_key(reader.get(url).wsgi_request, version.current()))
    assert reader.get(url)["X-Response-Cache"] == "hit"  # no shared entry: this process's copy
    caches["serving-local"].clear()
    assert reader.get(url)["X-Response-Cache"] == "miss"


def test_another_process_change_shows_within_the_version_window(reader, site, settings):
    """A bump made elsewhere (straight in the shared cache, as another process does) shows here
    once this process's copy of the version expires, never later."""
    settings.RESPONSE_CACHE_VERSION_SECONDS = 0.3
    caches["serving-local"].clear()
    brief = site["brief"]
    warm(reader, [brief.url])
    BriefPage.objects.filter(pk=brief.pk).update(title="Alpha retitled okapi")
    cache.incr(version.KEY)
    time.sleep(0.35)
    _status, body, state = fetch(reader, brief.url)
    assert state == "miss" and "okapi" in body


@pytest.fixture
def reader():
    """An anonymous client of its own (pytest-django's admin_client signs in ``client``)."""
    return Client()


def test_what_is_never_stored(reader, admin_client, site):
    brief = site["brief"]
    # Signed-in editors, sessions, tokens, errors, search, the admin and previews.
    admin_client.get(brief.url)
    assert reader.get(brief.url)["X-Response-Cache"] == "miss"
    assert admin_client.get(brief.url).get("X-Response-Cache") is None
    reader.cookies["sessionid"] = "anything"
    assert reader.get(brief.url).get("X-Response-Cache") is None
    del reader.cookies["sessionid"]
    assert (
        reader.get("/api/v1/briefs/", HTTP_AUTHORIZATION="Token x").get("X-Response-Cache") is None
    )
    assert reader.get("/briefs/no-such-brief/").status_code == 404
    assert reader.get("/briefs/no-such-brief/").get("X-Response-Cache") is None
    assert reader.get("/search/?q=trade").get("X-Response-Cache") is None
    assert reader.post("/api/v1/briefs/").get("X-Response-Cache") is None


def test_previews_and_drafts_never_reach_anonymous_readers(reader, admin_client, site):
    brief = BriefPage.objects.get(pk=site["brief"].pk)
    brief.title = "Alpha DRAFT zebraword"
    brief.save_revision()
    preview = admin_client.get(f"/admin/pages/{brief.pk}/view_draft/")
    assert preview.status_code == 200 and "zebraword" in preview.content.decode()
    admin_client.get(brief.url)
    for path in paths(brief):
        _status, body, state = fetch(reader, path)
        assert state == "miss", path  # nothing the editor saw was stored
        assert "zebraword" not in body


def test_private_brief_is_not_stored(reader, site):
    private = make_brief("private-one", body_citing(site["evidence"]), state="private")
    for _ in range(2):
        response = reader.get(private.url)
        assert response.get("X-Response-Cache") is None
        assert "public" not in response.get("Cache-Control", "")


def test_publish_new_revision_unpublish(reader, site):
    brief = site["brief"]
    urls = paths(brief)
    warm(reader, urls)
    page = BriefPage.objects.get(pk=brief.pk)
    page.title = "Alpha revised zebraword"
    page.save_revision().publish()
    assert_everywhere(reader, urls, "zebraword")

    new = make_brief("beta-trade", body_citing(site["evidence"]), title="Beta quokka brief",
                     countries=[site["kz"]], topics=[site["trade"]])  # fmt: skip
    new_urls = paths(new)
    assert_everywhere(reader, [u for u in new_urls if u != new.url], "quokka")

    warm(reader, new_urls)
    BriefPage.objects.get(pk=new.pk).unpublish()
    assert reader.get(new.url).status_code == 404
    assert reader.get(f"/api/v1/briefs/{new.slug}/").status_code == 404
    listed = [u for u in new_urls if u not in (new.url, f"/api/v1/briefs/{new.slug}/")]
    assert_everywhere(reader, listed, "quokka", present=False)


def assert_fresh(reader, urls, settings):
    """Each URL answers as it would with no cache at all (and from the cache the next time)."""
    served = {path: fetch(reader, path)[:2] for path in urls}
    assert all(fetch(reader, path)[2] == "hit" for path in urls)
    settings.RESPONSE_CACHE_SECONDS = 0
    try:
        assert served == {path: fetch(reader, path)[:2] for path in urls}
    finally:
        settings.RESPONSE_CACHE_SECONDS = 600
    return served


def test_evidence_taxonomy_and_source_changes(reader, site, settings):
    brief, cited = site["brief"], site["evidence"][1]
    site["kz"].evidence.add(cited)  # counted on the country's page while citable
    urls = [*paths(brief), f"/api/v1/evidence/{cited.pk}/", f"/api/v1/sources/{site['source'].pk}/"]
    before = assert_fresh(reader, urls, settings)

    evidence_services.set_review_status(
        Evidence.objects.filter(pk=cited.pk), Evidence.ReviewStatus.REJECTED
    )
    assert assert_fresh(reader, urls, settings) != before  # the country's evidence count

    kz = site["kz"]
    kz.name = "Qazaqstan"
    kz.save()
    country_urls = [brief.url, f"/api/v1/briefs/{brief.slug}/", f"/countries/{kz.slug}/"]
    assert_everywhere(reader, country_urls, "Qazaqstan")

    source = site["source"]
    source.title = "Renamed ledger wombat"
    source.save()
    assert_everywhere(reader, [brief.url, f"/api/v1/sources/{source.pk}/"], "wombat")


# A second process sharing the cache through Redis ------------------------------------------------

CLIENT_SCRIPT = """
import json, sys
import django
django.setup()
from django.test.utils import setup_test_environment
setup_test_environment()
from django.test import Client
client = Client()
out = {}
for path in sys.argv[1:]:
    r = client.get(path)
    out[path] = [r.status_code, r.content.decode(), r.get("X-Response-Cache")]
print(json.dumps(out))
"""


def _database_url():
    db = connection.settings_dict
    if db["ENGINE"].endswith("sqlite3"):
        return f"sqlite:///{db['NAME']}"
    host = f"{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}"
    return f"postgres://{db['USER']}:{db['PASSWORD']}@{host}/{db['NAME']}"


def other_process(urls):
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "DATABASE_URL": _database_url(),
        "CACHE_URL": REDIS_CACHE_URL,
        "RESPONSE_CACHE_SECONDS": "600",
    }
    result = subprocess.run(
        [sys.executable, "-c", CLIENT_SCRIPT, *urls],
        cwd=BASE_DIR, env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr[-3000:]
    return json.loads(result.stdout.strip().splitlines()[-1])


@pytest.fixture
def redis_cache(settings):
    settings.CACHES = {
        **settings.CACHES,
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_CACHE_URL,
            "KEY_PREFIX": "briefdesk",
        },
    }
    settings.RESPONSE_CACHE_SECONDS = 600
    cache.clear()
    yield
    cache.clear()


@pytest.mark.django_db(transaction=True)
def test_a_publication_reaches_another_process(redis_cache):
    from api.tests.api_data import taxonomy as make_taxonomy

    terms = make_taxonomy()
    source = make_source("Trade ledger of Kazakhstan", SENTENCES)
    evidence = [quote(source, SENTENCES[0])]
    brief = make_brief("gamma-trade", body_citing(evidence), title="Gamma trade brief",
                       countries=[terms["kz"]], topics=[terms["trade"]])  # fmt: skip
    urls = paths(brief)
    first = other_process(urls + urls)  # the second time round, from the shared cache
    assert all(state == "hit" for _, _, state in first.values()), first
    page = BriefPage.objects.get(pk=brief.pk)
    page.title = "Gamma revised okapi"
    page.save_revision().publish()
    after = other_process(urls)
    for path, (status, body, _) in after.items():
        assert status == 200 and "okapi" in body, path


def test_cached_api_answers_still_count_towards_the_rate_limit(reader, site, settings):
    """A client over its limit gets the 429 even for an answer the cache holds."""
    from api.common import AnonymousRateThrottle

    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"anon": "3/minute", "token": "10/minute"},
    }
    AnonymousRateThrottle.THROTTLE_RATES = settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]
    try:
        url = f"/api/v1/briefs/{site['brief'].slug}/"
        answers = [reader.get(url) for _ in range(5)]
    finally:
        from rest_framework.settings import api_settings

        AnonymousRateThrottle.THROTTLE_RATES = api_settings.DEFAULT_THROTTLE_RATES
    assert [a.status_code for a in answers] == [200, 200, 200, 429, 429]
    assert answers[1]["X-Response-Cache"] == "hit"
    assert int(answers[3]["Retry-After"]) > 0
    assert answers[3].json()["error"]["status"] == 429
