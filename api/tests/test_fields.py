"""Sparse fieldsets (``?fields=``) on the briefs' list, detail and versions: only the fields asked
for (with ``id`` and ``slug``), a 400 naming the fields for an unknown one, an empty one as none,
what is not asked for not computed (fewer queries, builders not called), the schema, and the
whole-response cache keeping each set of fields apart."""

import datetime
from unittest import mock

import pytest
from django.core.cache import caches
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils.http import parse_http_date

from api.briefs import representation, views
from briefs.blocks import ChartBlock
from evidence.models import Evidence

from .test_api import (  # noqa: F401  (fixtures)
    _fresh_cache,
    assert_error,
    get,
    world,
    world_data,
)

pytestmark = pytest.mark.django_db

DETAIL = "/api/v1/briefs/alpha-khorgos/"
SUMMARY_FIELDS = [
    *("id", "slug", "title", "kind", "kind_label", "standfirst", "publication_date"),
    *("first_published_at", "last_published_at", "url", "api_url", "authors", "countries"),
    "topics",
]
DETAIL_FIELDS = [
    *SUMMARY_FIELDS,
    *("cite_as", "csl", "table_of_contents", "key_findings", "recommendations", "body"),
    *("notes", "bibliography", "pdf", "versions", "notices"),
]


def queries(client, url):
    with CaptureQueriesContext(connection) as captured:
        response = get(client, url)
    assert response.status_code == 200, response.content
    return response.json(), len(captured)


# What is returned ---------------------------------------------------------------------------------


@pytest.mark.parametrize("path", [DETAIL, "by-id"])
def test_detail_gives_the_fields_asked_for_and_id_and_slug(client, world, path):  # noqa: F811
    url = f"/api/v1/briefs/by-id/{world['alpha'].pk}/" if path == "by-id" else DETAIL
    full = get(client, url).json()
    data = get(client, f"{url}?fields=title,versions,notices").json()
    assert list(data) == ["id", "slug", "title", "versions", "notices"]
    assert data == {name: full[name] for name in data}
    assert len(data["versions"]) == 2 and data["notices"][0]["type"] == "correction"


def test_detail_key_findings_without_the_body(client, world):  # noqa: F811
    full = get(client, DETAIL).json()
    data = get(client, f"{DETAIL}?fields=key_findings,recommendations,url").json()
    assert list(data) == ["id", "slug", "url", "key_findings", "recommendations"]
    assert data["key_findings"] == full["key_findings"]
    assert data["recommendations"] == full["recommendations"]


def test_list_gives_the_fields_asked_for(client, world):  # noqa: F811
    full = get(client, "/api/v1/briefs/?ordering=title").json()["results"]
    results = get(client, "/api/v1/briefs/?ordering=title&fields=title,api_url").json()["results"]
    assert [list(brief) for brief in results] == [["id", "slug", "title", "api_url"]] * 2
    assert results == [
        {name: brief[name] for name in ("id", "slug", "title", "api_url")} for brief in full
    ]


def test_version_gives_the_fields_asked_for(client, world):  # noqa: F811
    full = get(client, f"{DETAIL}versions/1/").json()
    data = get(client, f"{DETAIL}versions/1/?fields=url,version").json()
    assert list(data) == ["id", "slug", "url", "version"]
    assert data["url"] == full["url"] == full["version"]["url"]
    assert data["version"] == full["version"]
    assert list(get(client, f"{DETAIL}versions/1/?fields=title").json()) == ["id", "slug", "title"]


def test_absent_or_empty_fields_is_every_field(client, world):  # noqa: F811
    full = get(client, DETAIL).json()
    assert list(full) == DETAIL_FIELDS
    assert get(client, f"{DETAIL}?fields=").json() == full
    assert list(get(client, f"{DETAIL}?fields=&fields=title").json()) == ["id", "slug", "title"]
    for query in ("", "?fields="):
        assert list(get(client, f"/api/v1/briefs/{query}").json()["results"][0]) == SUMMARY_FIELDS


def test_repeated_fields_add_up(client, world):  # noqa: F811
    data = get(client, f"{DETAIL}?fields=title&fields=pdf").json()
    assert list(data) == ["id", "slug", "title", "pdf"]


# Unknown fields -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "value", "named"),
    [
        (DETAIL, "title,summary", "“summary”"),
        (DETAIL, "Title", "“Title”"),
        (DETAIL, "title, url", "“ url”"),
        (DETAIL, "title,", "“”"),
        (f"{DETAIL}versions/1/", "nope", "“nope”"),
        ("/api/v1/briefs/", "notes", "“notes”"),  # a detail field, not one of the list
    ],
)
def test_an_unknown_field_is_a_400_naming_the_fields(client, world, url, value, named):  # noqa: F811
    response = client.get(url, {"fields": value}, HTTP_ACCEPT="application/json")
    error = assert_error(response, 400, "invalid_parameter")
    message = error["details"]["fields"][0]
    assert named in message and named in error["message"]
    allowed = SUMMARY_FIELDS if url == "/api/v1/briefs/" else DETAIL_FIELDS
    assert ", ".join(allowed) in message


def test_several_unknown_fields_are_named_together(client, world):  # noqa: F811
    error = assert_error(get(client, f"{DETAIL}?fields=a,title,b"), 400, "invalid_parameter")
    assert error["details"]["fields"][0].startswith("Unknown fields “a”, “b”: the fields are id,")


# What is not asked for is not computed ------------------------------------------------------------


def test_detail_computes_only_what_is_asked_for(client, world):  # noqa: F811
    get(client, DETAIL)  # the site's root paths, cached from then on
    full, full_queries = queries(client, DETAIL)
    builders = ("note_data", "bibliography_data", "pdf_data")
    with (
        mock.patch.multiple(representation, **{name: mock.DEFAULT for name in builders}) as mocks,
        mock.patch.object(representation.metadata, "brief_csl") as csl,
        mock.patch("briefs.blocks.BriefStreamBlock.get_api_representation") as body,
        mock.patch("briefs.models.pages.cited_evidence") as evidence_rows,
    ):
        data, few_queries = queries(client, f"{DETAIL}?fields=title,versions")
    assert data["versions"] == full["versions"]
    for name, builder in {**mocks, "csl": csl, "body": body, "rows": evidence_rows}.items():
        assert not builder.called, name
    # No authors, countries, topics, PDF status; no notes either (their evidence rows, which
    # the full detail takes from the cache since the first request, are not even asked for).
    assert few_queries <= full_queries - 4, (few_queries, full_queries)


def evidence_queries(client, url):
    with CaptureQueriesContext(connection) as captured:
        assert get(client, url).status_code == 200
    return sum('FROM "evidence_evidence"' in query["sql"] for query in captured)


def test_the_evidence_is_read_once_whatever_reads_it_first(client, world):  # noqa: F811
    """The table of contents reads the body before the body is represented: both take the
    evidence of the notes, not a query per block type."""
    get(client, DETAIL)  # the site's root paths, cached from then on
    once = evidence_queries(client, f"{DETAIL}?fields=notes")
    assert evidence_queries(client, DETAIL) == once
    assert evidence_queries(client, f"{DETAIL}?fields=table_of_contents,body") == once
    data = get(client, f"{DETAIL}?fields=table_of_contents,body").json()
    assert list(data) == ["id", "slug", "table_of_contents", "body"]


def test_last_modified_is_the_same_without_the_notes(client, world):  # noqa: F811
    """Without the notes, the cited evidence's last edit is one aggregate, not its rows."""
    full = get(client, DETAIL)
    few = get(client, f"{DETAIL}?fields=title")
    assert few["Last-Modified"] == full["Last-Modified"]
    later = Evidence.objects.get(pk=world["e2"].pk).updated_at + datetime.timedelta(days=400)
    Evidence.objects.filter(pk=world["e2"].pk).update(updated_at=later)
    assert parse_http_date(get(client, f"{DETAIL}?fields=title")["Last-Modified"]) == int(
        later.timestamp()
    )
    assert (
        get(client, DETAIL)["Last-Modified"]
        == get(client, f"{DETAIL}?fields=title")["Last-Modified"]
    )


def test_the_history_is_not_read_unless_versions_or_notices_are_asked_for(client, world):  # noqa: F811
    with mock.patch.object(views, "history", wraps=views.history) as history:
        get(client, f"{DETAIL}?fields=title,pdf")
        assert not history.called
        get(client, f"{DETAIL}?fields=notices")
        assert history.call_count == 1


def test_key_findings_alone_do_not_represent_the_rest_of_the_body(client, world):  # noqa: F811
    with mock.patch.object(
        ChartBlock,
        "get_api_representation",
        autospec=True,
        side_effect=ChartBlock.get_api_representation,
    ) as chart:
        get(client, f"{DETAIL}?fields=key_findings")
        assert not chart.called
        get(client, f"{DETAIL}?fields=body")
        assert chart.called


def test_list_prefetches_only_the_relations_asked_for(client, world):  # noqa: F811
    get(client, "/api/v1/briefs/")  # the site's root paths, cached from then on
    _, full_queries = queries(client, "/api/v1/briefs/")
    data, few_queries = queries(client, "/api/v1/briefs/?fields=title,url")
    assert list(data["results"][0]) == ["id", "slug", "title", "url"]
    assert few_queries == full_queries - 3  # authors, countries, topics
    _, with_authors = queries(client, "/api/v1/briefs/?fields=authors")
    assert with_authors == full_queries - 2


# Schema and cache ---------------------------------------------------------------------------------


def test_schema_documents_fields(client, db):
    schema = client.get("/api/v1/schema/?format=json").json()
    for path, names in (
        ("/api/v1/briefs/", SUMMARY_FIELDS),
        ("/api/v1/briefs/{slug}/", DETAIL_FIELDS),
        ("/api/v1/briefs/by-id/{id}/", DETAIL_FIELDS),
        ("/api/v1/briefs/{slug}/versions/{number}/", [*DETAIL_FIELDS, "version"]),
    ):
        operation = schema["paths"][path]["get"]
        (parameter,) = [p for p in operation["parameters"] if p["name"] == "fields"]
        assert parameter["in"] == "query" and (parameter["style"], parameter["explode"]) == (
            "form",
            False,
        )
        assert parameter["schema"]["items"]["enum"] == names
        assert "400" in operation["responses"]
    components = schema["components"]["schemas"]
    for name in ("BriefSummary", "BriefDetail", "BriefVersionDetail"):
        assert components[name]["required"] == ["id", "slug"], name


def test_the_response_cache_keeps_each_set_of_fields_apart(world, settings):  # noqa: F811
    settings.RESPONSE_CACHE_SECONDS = 600
    caches["serving-local"].clear()
    reader = Client()
    try:
        full = reader.get(DETAIL, HTTP_ACCEPT="application/json")
        assert reader.get(DETAIL, HTTP_ACCEPT="application/json")["X-Response-Cache"] == "hit"
        few = reader.get(f"{DETAIL}?fields=title", HTTP_ACCEPT="application/json")
        assert few["X-Response-Cache"] == "miss"
        assert list(few.json()) == ["id", "slug", "title"] and "notes" in full.json()
        again = reader.get(f"{DETAIL}?fields=title", HTTP_ACCEPT="application/json")
        assert again["X-Response-Cache"] == "hit" and again.content == few.content
    finally:
        caches["serving-local"].clear()
