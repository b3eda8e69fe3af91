"""The Site each request is served from, remembered by the process (briefs/routing.py): no Site
query while nothing changed; a change made in this process is seen at once, one made elsewhere
once it has bumped the sites' generation in the shared cache."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from wagtail.models import Site

from briefs import routing

from .conftest import make_brief, paragraph

pytestmark = pytest.mark.django_db


def site_queries(client, url, **headers):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, **headers)
    assert response.status_code == 200
    # Site.find_for_request's query (not Wagtail's site root paths, read from the cache)
    lookups = [q["sql"] for q in queries.captured_queries if 'AS "match"' in q["sql"]]
    return response, lookups


def test_a_second_request_asks_no_site_query(client, brief_index):
    brief = make_brief(brief_index, "Remembered site", [paragraph("Text.")])
    _, first = site_queries(client, brief.url)
    response, again = site_queries(client, brief.url)
    assert len(first) == 1
    assert again == []
    assert b"Remembered site" in response.content


def test_a_site_added_in_this_process_serves_at_once(client, brief_index):
    site_queries(client, "/", HTTP_HOST="127.0.0.1")  # the default site, remembered
    # "127.0.0.1" gets a site of its own whose root is the brief index.
    Site.objects.create(hostname="127.0.0.1", port=80, root_page=brief_index, site_name="Index")
    response, queries = site_queries(client, "/", HTTP_HOST="127.0.0.1")
    assert len(queries) == 1
    assert response.context["page"].pk == brief_index.pk


def test_a_change_made_by_another_process_shows_once_it_bumps_the_generation(client, brief_index):
    home = brief_index.get_parent()
    response, _ = site_queries(client, "/", HTTP_HOST="localhost")
    assert response.context["page"].pk == home.pk
    # As another process would: rows changed there (no signal here), then its bump through the
    # shared cache (its post_save handler: routing.sites_changed).
    default = Site.objects.get(is_default_site=True)
    Site.objects.filter(pk=default.pk).update(hostname="briefs.example.org")
    Site.objects.bulk_create(
        [Site(hostname="localhost", port=80, root_page=brief_index, site_name="Index")]
    )
    response, _ = site_queries(client, "/", HTTP_HOST="localhost")
    assert response.context["page"].pk == home.pk  # this process's copy
    routing._bump()
    response, queries = site_queries(client, "/", HTTP_HOST="localhost")
    assert len(queries) == 1
    assert response.context["page"].pk == brief_index.pk


def test_the_home_page_edited_or_unpublished_shows_at_once(client, brief_index):
    """The remembered Site holds its root page: a save of that page is a change of the sites."""
    home = brief_index.get_parent().specific
    site_queries(client, "/")
    home.title = "Briefdesk, retitled"
    home.save_revision().publish()
    response, _ = site_queries(client, "/")
    assert response.context["page"].title == "Briefdesk, retitled"
    home.unpublish()
    assert client.get("/").status_code == 404
