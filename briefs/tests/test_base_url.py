"""BRIEFDESK_BASE_URL: the default Site follows it at migrate, and every absolute URL the site
hands out (sitemap, canonical, og:url, "Cite this brief", the PDF cover, the API) uses it."""

import json
import os
import subprocess
import sys
import urllib.request

import pytest
from bs4 import BeautifulSoup
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from wagtail.models import Site

from briefs.sites import parse_origin, sync_default_site

from .conftest import make_brief, paragraph


def fetch(url):
    with urllib.request.urlopen(url, timeout=30) as response:
        return response.read()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_every_absolute_url_uses_the_base_url_of_a_live_server(live_server, settings):
    """The server runs on a random port, not 80: after `migrate` with BRIEFDESK_BASE_URL set to
    its origin, everything it hands out points back at it."""
    origin = live_server.url  # http://localhost:<port>
    settings.BRIEFDESK_BASE_URL = origin
    call_command("migrate", verbosity=0)  # the post_migrate step moves the default Site
    site = Site.objects.get(is_default_site=True)
    assert site.root_url == origin

    from briefs.models import BriefIndexPage

    brief = make_brief(BriefIndexPage.objects.get(), "Ports and Origins", [paragraph("A fact.")])
    brief_url = f"{origin}/briefs/ports-and-origins/"

    locations = {
        loc.get_text() for loc in BeautifulSoup(fetch(f"{origin}/sitemap.xml"), "xml")("loc")
    }
    assert brief_url in locations
    assert all(loc.startswith(f"{origin}/") for loc in locations), locations

    html = BeautifulSoup(fetch(brief_url), "lxml")
    assert html.select_one("link[rel=canonical]")["href"] == brief_url
    assert html.select_one("meta[property='og:url']")["content"] == brief_url
    assert html.select_one("#cite-as").get_text().strip().endswith(brief_url)

    data = json.loads(fetch(f"{origin}/api/v1/briefs/ports-and-origins/"))
    assert data["url"] == brief_url
    assert data["cite_as"].endswith(brief_url)

    from pdfs.rendering import render_brief_html

    cover = BeautifulSoup(render_brief_html(brief, brief.live_revision), "lxml")
    assert cover.select_one(".cover__url a")["href"] == brief_url


@pytest.mark.django_db
def test_the_default_site_follows_but_an_edited_one_is_kept(settings):
    site = Site.objects.get(is_default_site=True)
    assert (site.hostname, site.port) == ("localhost", 80)  # Wagtail's untouched default

    assert sync_default_site("http://127.0.0.1:8811") is not None
    site.refresh_from_db()
    assert site.root_url == "http://127.0.0.1:8811"
    assert sync_default_site("http://127.0.0.1:8811") is None  # idempotent
    assert sync_default_site("http://localhost:8000") is not None  # `make run PORT=8000` later
    site.refresh_from_db()
    assert site.root_url == "http://localhost:8000"

    site.hostname, site.port = "briefs.example.org", 443  # an administrator's choice
    site.save()
    assert sync_default_site("http://127.0.0.1:9000") is None
    site.refresh_from_db()
    assert site.root_url == "https://briefs.example.org"

    settings.BRIEFDESK_BASE_URL = None
    assert sync_default_site() is None  # unset: nothing to follow


def test_origins_are_parsed_or_refused_with_a_message():
    assert parse_origin("https://briefs.example.org") == ("briefs.example.org", 443)
    assert parse_origin("http://127.0.0.1:8811/") == ("127.0.0.1", 8811)
    assert parse_origin("http://localhost") == ("localhost", 80)
    for bad in ("briefs.example.org", "ftp://x.org", "https://x.org:8443", "http://x.org:abc"):
        with pytest.raises(ImproperlyConfigured, match="BRIEFDESK_BASE_URL"):
            parse_origin(bad)


def test_admin_links_default_to_the_base_url():
    code = "from django.conf import settings; print(settings.WAGTAILADMIN_BASE_URL)"
    env = {
        "BRIEFDESK_BASE_URL": "http://127.0.0.1:8811",
        "DJANGO_SETTINGS_MODULE": "config.settings.dev",
    }
    out = subprocess.run(
        [sys.executable, "-c", f"import django; django.setup(); {code}"],
        env={**os.environ, **env, "WAGTAILADMIN_BASE_URL": ""},
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert out.strip() == "http://127.0.0.1:8811"
