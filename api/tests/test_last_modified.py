"""The API's Last-Modified is the time of the content (a brief's last publication, an edit of
what it cites, the last publication change for lists), never the time of the first request;
the whole-response cache replays it unchanged, and If-Modified-Since with it is a 304."""

import datetime

import pytest
from django.core.cache import cache
from django.utils.http import http_date, parse_http_date

from briefs.models import BriefPage
from evidence.models import Evidence
from pdfs.models import BriefPDF
from sources.models import Source

from .api_data import SENTENCES, body_citing, make_brief, make_source, quote

pytestmark = pytest.mark.django_db

JSON = {"HTTP_ACCEPT": "application/json"}
PUBLISHED = datetime.datetime(2024, 1, 2, 10, 30, tzinfo=datetime.UTC)
EDITED = datetime.datetime(2023, 6, 1, 8, 0, tzinfo=datetime.UTC)


@pytest.fixture
def response_cache(settings):
    settings.RESPONSE_CACHE_SECONDS = 600
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def brief(db):
    """A brief published on PUBLISHED, citing evidence (and a source) last edited on EDITED."""
    source = make_source("Ledger of trade", SENTENCES)
    evidence = [quote(source, SENTENCES[0]), quote(source, SENTENCES[1])]
    page = make_brief("alpha-trade", body_citing(evidence))
    BriefPage.objects.filter(pk=page.pk).update(
        first_published_at=PUBLISHED, last_published_at=PUBLISHED
    )
    Evidence.objects.filter(source=source).update(updated_at=EDITED)
    Source.objects.filter(pk=source.pk).update(updated_at=EDITED)
    BriefPDF.objects.all().update(queued_at=EDITED, started_at=None, finished_at=None)
    page.refresh_from_db()
    return {"page": page, "source": source, "evidence": evidence}


def get(client, url, **extra):
    return client.get(url, **{**JSON, **extra})


def test_a_briefs_last_modified_is_its_last_publication_also_from_the_cache(
    client, brief, response_cache
):
    url = "/api/v1/briefs/alpha-trade/"
    published = http_date(PUBLISHED.timestamp())
    first = get(client, url)
    assert first["X-Response-Cache"] == "miss"
    assert first["Last-Modified"] == published
    again = get(client, url)
    assert again["X-Response-Cache"] == "hit"
    assert again["Last-Modified"] == published
    not_modified = get(client, url, HTTP_IF_MODIFIED_SINCE=published)
    assert not_modified.status_code == 304
    assert not_modified["Last-Modified"] == published
    earlier = http_date((PUBLISHED - datetime.timedelta(days=1)).timestamp())
    assert get(client, url, HTTP_IF_MODIFIED_SINCE=earlier).status_code == 200


def test_without_the_response_cache_too(client, brief):
    url = f"/api/v1/briefs/by-id/{brief['page'].pk}/"
    published = http_date(PUBLISHED.timestamp())
    assert get(client, url)["Last-Modified"] == published
    assert get(client, url, HTTP_IF_MODIFIED_SINCE=published).status_code == 304
    citation = get(client, "/api/v1/briefs/alpha-trade/citation/?format=json")
    assert citation["Last-Modified"] == published


def test_an_edit_of_cited_evidence_moves_the_briefs_last_modified(client, brief):
    later = PUBLISHED + datetime.timedelta(days=3)
    Evidence.objects.filter(pk=brief["evidence"][0].pk).update(updated_at=later)
    response = get(client, "/api/v1/briefs/alpha-trade/")
    assert response["Last-Modified"] == http_date(later.timestamp())


def test_lists_follow_the_last_publication_change(client, brief):
    published = http_date(PUBLISHED.timestamp())
    assert get(client, "/api/v1/briefs/")["Last-Modified"] == published
    assert get(client, "/api/v1/countries/")["Last-Modified"] == published
    # An unpublication leaves no time on the briefs still listed: the page log has it.
    other = make_brief("beta-trade", body_citing(brief["evidence"]))
    BriefPage.objects.filter(pk=other.pk).update(last_published_at=PUBLISHED)
    before = datetime.datetime.now(datetime.UTC).replace(microsecond=0)
    BriefPage.objects.get(pk=other.pk).unpublish()
    modified = get(client, "/api/v1/briefs/")["Last-Modified"]
    assert modified != published
    assert parse_http_date(modified) >= before.timestamp()


def test_evidence_and_sources_take_their_edits_and_publications(client, brief):
    published = http_date(PUBLISHED.timestamp())
    evidence = brief["evidence"][0]
    assert get(client, f"/api/v1/evidence/{evidence.pk}/")["Last-Modified"] == published
    assert get(client, f"/api/v1/sources/{brief['source'].pk}/")["Last-Modified"] == published
    later = PUBLISHED + datetime.timedelta(days=5)
    Source.objects.filter(pk=brief["source"].pk).update(updated_at=later)
    assert get(client, f"/api/v1/evidence/{evidence.pk}/")["Last-Modified"] == http_date(
        later.timestamp()
    )
    assert get(client, f"/api/v1/sources/{brief['source'].pk}/")["Last-Modified"] == http_date(
        later.timestamp()
    )
