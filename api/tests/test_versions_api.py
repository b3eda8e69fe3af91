"""Versions, notices and withdrawal in the API: the detail's ``versions`` and ``notices``,
``/api/v1/briefs/<slug>/versions/<n>/`` (each version as published, with its pinned quotes),
410 with the withdrawal notice, and all of it against the OpenAPI schema."""

import pytest

from briefs.models import BriefPage, BriefVersion, RevisionNotice
from evidence.models import Evidence
from pdfs.models import BriefPDF

from . import api_data
from .test_api import (  # noqa: F401  (fixtures)
    _fresh_cache,
    assert_error,
    get,
    openapi,
    world,
    world_data,
    wsgi_app,
)

pytestmark = pytest.mark.django_db


def test_detail_lists_versions_and_notices(client, world):  # noqa: F811
    data = get(client, "/api/v1/briefs/alpha-khorgos/").json()
    v1, v2 = data["versions"]
    assert (v1["number"], v1["notice_type"], v1["notice_text"]) == (1, None, None)
    assert (v2["number"], v2["notice_type"]) == (2, "correction")
    assert v2["notice_text"] == "The export figures of 2018."
    assert v1["url"] == data["url"] + "versions/1/"
    assert v2["url"] == data["url"] + "versions/2/"
    assert v1["url"].startswith("http")
    assert v1["pdf_url"] is None and v2["pdf_url"] is None  # queued, not rendered yet
    assert data["notices"] == [
        {
            "type": "correction",
            "date": v2["published_at"],
            "text": "The export figures of 2018.",
            "version": 2,
        }
    ]
    # The version pages the API names are the site's.
    assert client.get("/briefs/alpha-khorgos/versions/1/").status_code == 200
    # A brief published once has one version and no notice.
    echo = get(client, "/api/v1/briefs/echo-soft-power/").json()
    assert [v["number"] for v in echo["versions"]] == [1]
    assert echo["notices"] == []


def test_version_pdf_urls_once_ready(client, world):  # noqa: F811
    page = BriefPage.objects.get(pk=world["alpha"].pk)
    first = BriefVersion.objects.get(page=page, number=1)
    BriefPDF.objects.filter(revision_id=first.revision_id).delete()
    BriefPDF.objects.create(
        brief=page,
        revision_id=first.revision_id,
        kind=BriefPDF.Kind.PUBLIC,
        status=BriefPDF.Status.READY,
        file="pdfs/alpha-v1.pdf",
        sha256="b" * 64,
        page_count=3,
        size=999,
    )
    detail = get(client, "/api/v1/briefs/alpha-khorgos/").json()
    versions = detail["versions"]
    # On the brief's own host (its Site), as its url, not the host the API was asked on.
    origin = detail["url"].split("/briefs/")[0]
    assert origin != "http://testserver"
    assert versions[0]["pdf_url"] == f"{origin}/pdf/{page.pk}/alpha-khorgos/v1.pdf"
    assert versions[1]["pdf_url"] is None
    version = get(client, "/api/v1/briefs/alpha-khorgos/versions/1/").json()
    assert version["pdf"]["url"] == versions[0]["pdf_url"]
    assert version["pdf"]["sha256"] == "b" * 64


def test_a_version_in_full_as_it_was_published(client, world):  # noqa: F811
    """Version 1 keeps its wording and its pinned quote after version 3 changes both."""
    e1, e2 = world["e1"], world["e2"]
    page = BriefPage.objects.get(pk=world["alpha"].pk)
    page.body = api_data.body_citing([e2], extra_words="Version three wording.")
    page.title = "Alpha, version three"
    revision = page.save_revision()
    RevisionNotice.objects.create(revision=revision, notice_type="update", text="Rewritten.")
    revision.publish()
    # The evidence is edited after version 1 pinned its wording: version 1 keeps it.
    pinned = e1.display_quote
    Evidence.objects.filter(pk=e1.pk).update(quote="Wording edited after version 1.")

    v1 = get(client, "/api/v1/briefs/alpha-khorgos/versions/1/").json()
    v3 = get(client, "/api/v1/briefs/alpha-khorgos/versions/3/").json()
    live = get(client, "/api/v1/briefs/alpha-khorgos/").json()
    assert v1["title"] == "Alpha: the Khorgos dry port"
    assert [n["evidence_id"] for n in v1["notes"]][:2] == [e1.pk, e2.pk]
    assert v1["notes"][0]["quote"] == pinned
    assert v1["version"]["number"] == 1
    assert v1["url"] == live["url"] + "versions/1/"
    assert v3["title"] == live["title"] == "Alpha, version three"
    assert [n["evidence_id"] for n in v3["notes"]] == [e2.pk]
    assert v3["body"] == live["body"]
    assert v3["version"]["notice_type"] == "update"
    # Same shape as the detail, plus ``version``.
    assert set(v1) == set(live) | {"version"}
    assert v1["versions"] == live["versions"]
    assert [n["type"] for n in live["notices"]] == ["update", "correction"]


def test_version_errors_are_json_404s(client, world):  # noqa: F811
    for url in (
        "/api/v1/briefs/alpha-khorgos/versions/3/",
        "/api/v1/briefs/alpha-khorgos/versions/0/",
        "/api/v1/briefs/alpha-khorgos/versions/x/",
        "/api/v1/briefs/alpha-khorgos/versions/99999999999999/",
        "/api/v1/briefs/bravo-draft/versions/1/",
        "/api/v1/briefs/charlie-unpublished/versions/1/",
        "/api/v1/briefs/delta-private/versions/1/",
        "/api/v1/briefs/no-such-brief/versions/1/",
    ):
        assert_error(get(client, url), 404, "not_found")


def test_withdrawn_brief_is_410_with_its_notice(client, world):  # noqa: F811
    withdrawn = world["withdrawn"]
    for url in (
        "/api/v1/briefs/foxtrot-withdrawn/",
        f"/api/v1/briefs/by-id/{withdrawn.pk}/",
        "/api/v1/briefs/foxtrot-withdrawn/versions/1/",
    ):
        response = get(client, url)
        error = assert_error(response, 410, "gone")
        assert "The brief relied on a retracted survey." in error["message"]
        notice = error["details"]["notice"]
        assert notice["type"] == "withdrawal"
        assert notice["text"] == "The brief relied on a retracted survey."
        assert notice["date"]
        assert "no-store" in response["Cache-Control"]
    slugs = [b["slug"] for b in get(client, "/api/v1/briefs/?q=zebraword").json()["results"]]
    assert "foxtrot-withdrawn" not in slugs
    assert "foxtrot-withdrawn" not in str(get(client, "/api/v1/briefs/").json())


def test_responses_match_the_openapi_schema(world, openapi):  # noqa: F811
    for path, params, status in (
        ("/api/v1/briefs/{slug}/", {"slug": "alpha-khorgos"}, 200),
        ("/api/v1/briefs/{slug}/versions/{number}/", {"slug": "alpha-khorgos", "number": 1}, 200),
        ("/api/v1/briefs/{slug}/versions/{number}/", {"slug": "alpha-khorgos", "number": 2}, 200),
        ("/api/v1/briefs/{slug}/versions/{number}/", {"slug": "alpha-khorgos", "number": 9}, 404),
        ("/api/v1/briefs/{slug}/", {"slug": "foxtrot-withdrawn"}, 410),
        ("/api/v1/briefs/by-id/{id}/", {"id": world["withdrawn"].pk}, 410),
        (
            "/api/v1/briefs/{slug}/versions/{number}/",
            {"slug": "foxtrot-withdrawn", "number": 1},
            410,
        ),
    ):
        operation = openapi[path]["GET"]
        case = operation.Case(path_parameters=params, headers={"Accept": "application/json"})
        response = case.call()
        assert response.status_code == status, response.text
        case.validate_response(response)
