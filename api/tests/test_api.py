"""The public REST API (/api/v1/): what is reachable (published content only, as published),
filters, pagination, the detail's shape against the OpenAPI schema, conditional requests,
rate limits, the error shape and the documentation page."""

import datetime
import json
import re

import pytest
import schemathesis
from django.core import signals
from django.core.cache import cache
from django.core.handlers.wsgi import WSGIHandler
from django.db import close_old_connections, transaction
from django.urls import reverse
from rest_framework.authtoken.models import Token
from rest_framework.renderers import JSONRenderer

from api.briefs import representation
from api.briefs.serializers import NoteSerializer
from briefs.models import BriefPage
from evidence.models import Evidence

from . import api_data

pytestmark = pytest.mark.django_db

JSON = {"HTTP_ACCEPT": "application/json"}


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()
    yield
    cache.clear()


def build_world():
    """Two published briefs, one with a newer draft, and a draft, an unpublished and a
    private brief, each citing evidence that nothing published cites."""
    terms = api_data.taxonomy()
    public = api_data.make_source("Public paper", api_data.SENTENCES[:20])
    hidden = api_data.make_source("Hidden paper", api_data.SENTENCES[20:])
    s = api_data.SENTENCES
    e1 = api_data.quote(public, s[0])
    e2 = api_data.quote(public, s[11])
    e3 = api_data.quote(
        public,
        s[2],
        kind=Evidence.Kind.STATISTIC,
        figures=[("12", "%", 2017, "Exports growth"), ("15.5", "%", 2018, "Exports growth")],
    )
    uncited = api_data.quote(public, s[3])
    e_draft, e_unpub, e_private, e_newdraft, e_withdrawn = (
        api_data.quote(hidden, s[i]) for i in (20, 21, 22, 23, 24)
    )

    alpha = api_data.make_brief(
        "alpha-khorgos",
        api_data.body_citing([e1, e2], figure_evidence=e3, extra_words="Khorgos dry port."),
        title="Alpha: the Khorgos dry port",
        countries=[terms["kz"]],
        topics=[terms["trade"]],
        date=datetime.date(2026, 3, 1),
    )
    echo = api_data.make_brief(
        "echo-soft-power",
        api_data.body_citing([e1]),
        title="Echo: soft power",
        kind=BriefPage.Kind.TOPIC,
        countries=[terms["cn"]],
        topics=[terms["soft"]],
        date=datetime.date(2025, 6, 1),
    )
    # Alpha's second version: the same content, published with a correction notice.
    alpha = api_data.publish_update(alpha, "correction", "The export figures of 2018.")
    withdrawn = api_data.make_brief(
        "foxtrot-withdrawn",
        api_data.body_citing([e_withdrawn], extra_words="zebraword"),
        title="Foxtrot zebraword",
        state="withdrawn",
        countries=[terms["uz"]],
    )
    api_data.new_draft(echo, title="Echo DRAFT zebraword", body=api_data.body_citing([e_newdraft]))
    draft = api_data.make_brief(
        "bravo-draft",
        api_data.body_citing([e_draft], extra_words="zebraword"),
        title="Bravo zebraword",
        state="draft",
        countries=[terms["uz"]],
    )
    unpublished = api_data.make_brief(
        "charlie-unpublished",
        api_data.body_citing([e_unpub], extra_words="zebraword"),
        title="Charlie zebraword",
        state="unpublished",
        countries=[terms["uz"]],
    )
    private = api_data.make_brief(
        "delta-private",
        api_data.body_citing([e_private], extra_words="zebraword"),
        title="Delta zebraword",
        state="private",
        countries=[terms["uz"]],
    )
    return {
        **terms,
        "public": public,
        "hidden": hidden,
        "e1": e1,
        "e2": e2,
        "e3": e3,
        "uncited": uncited,
        "hidden_evidence": [e_draft, e_unpub, e_private, e_newdraft, e_withdrawn],
        "alpha": alpha,
        "echo": echo,
        "unpublished_briefs": [draft, unpublished, private],
        "withdrawn": withdrawn,
    }


@pytest.fixture(scope="module")
def world_data(django_db_setup, django_db_blocker):
    """Built once per module inside a transaction that is rolled back at the end (each test
    runs in a savepoint within it, as in Django's TestCase.setUpTestData)."""
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            yield build_world()
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


@pytest.fixture
def world(world_data, db):
    return world_data


@pytest.fixture
def wsgi_app():
    """The project's WSGI application, called in-process; as Django's test client does, the
    connection is not closed at the end of each request (it holds the test transaction)."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        yield WSGIHandler()
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)


def get(client, url, **extra):
    return client.get(url, **{**JSON, **extra})


def slugs(response):
    assert response.status_code == 200, response.content
    return [brief["slug"] for brief in response.json()["results"]]


def assert_error(response, status, code=None):
    assert response.status_code == status, response.content
    error = response.json()["error"]
    assert error["status"] == status
    assert set(error) == {"status", "code", "message", "details"}
    assert error["message"]
    if code:
        assert error["code"] == code
    return error


# Visibility ---------------------------------------------------------------------------------------


class TestOnlyPublishedContent:
    def test_list_has_only_published_briefs(self, client, world):
        assert slugs(get(client, "/api/v1/briefs/")) == ["alpha-khorgos", "echo-soft-power"]

    def test_unpublished_draft_and_private_briefs_are_404_by_slug_and_id(self, client, world):
        for brief in world["unpublished_briefs"]:
            assert_error(get(client, f"/api/v1/briefs/{brief.slug}/"), 404, "not_found")
            assert_error(get(client, f"/api/v1/briefs/by-id/{brief.pk}/"), 404, "not_found")

    def test_newer_draft_is_not_shown_only_the_published_revision(self, client, world):
        echo = world["echo"]
        assert BriefPage.objects.get(pk=echo.pk).has_unpublished_changes
        data = get(client, f"/api/v1/briefs/{echo.slug}/").json()
        assert data["title"] == "Echo: soft power"
        assert [note["evidence_id"] for note in data["notes"]] == [world["e1"].pk]
        listed = get(client, "/api/v1/briefs/").json()["results"]
        assert "Echo: soft power" in [brief["title"] for brief in listed]
        assert "zebraword" not in get(client, "/api/v1/briefs/").content.decode()

    def test_search_never_finds_unpublished_words(self, client, world):
        assert slugs(get(client, "/api/v1/briefs/?q=zebraword")) == []
        assert slugs(get(client, "/api/v1/briefs/?q=Khorgos")) == ["alpha-khorgos"]

    def test_search_text_with_quotes_is_searched_without_them(self, client, world):
        # An unbalanced double quote is a query syntax error for SQLite's full-text engine.
        assert slugs(get(client, '/api/v1/briefs/?q="Khorgos')) == ["alpha-khorgos"]
        assert slugs(get(client, '/api/v1/briefs/?q="')) == []

    def test_evidence_only_when_a_published_brief_cites_it(self, client, world):
        for key in ("e1", "e2", "e3"):
            response = get(client, f"/api/v1/evidence/{world[key].pk}/")
            assert response.status_code == 200
        cited_by = get(client, f"/api/v1/evidence/{world['e1'].pk}/").json()["cited_by"]
        assert [brief["slug"] for brief in cited_by] == ["alpha-khorgos", "echo-soft-power"]
        for evidence in [world["uncited"], *world["hidden_evidence"]]:
            assert_error(get(client, f"/api/v1/evidence/{evidence.pk}/"), 404, "not_found")

    def test_sources_only_when_a_published_brief_cites_them(self, client, world):
        data = get(client, f"/api/v1/sources/{world['public'].pk}/").json()
        assert {e["id"] for e in data["cited_evidence"]} == {
            world["e1"].pk,
            world["e2"].pk,
            world["e3"].pk,
        }
        assert data["csl"]["id"] == f"source-{world['public'].pk}"
        assert data["csl"]["author"] == [{"family": "Davarinou", "given": "Polyxeni"}]
        assert_error(get(client, f"/api/v1/sources/{world['hidden'].pk}/"), 404)

    def test_unpublishing_hides_the_brief_and_what_only_it_cites(self, client, world):
        assert get(client, f"/api/v1/evidence/{world['e2'].pk}/").status_code == 200
        BriefPage.objects.get(pk=world["alpha"].pk).unpublish()
        assert slugs(get(client, "/api/v1/briefs/")) == ["echo-soft-power"]
        assert_error(get(client, f"/api/v1/evidence/{world['e2'].pk}/"), 404)
        assert get(client, f"/api/v1/evidence/{world['e1'].pk}/").status_code == 200

    def test_taxonomy_counts_published_briefs_only(self, client, world):
        countries = get(client, "/api/v1/countries/").json()["results"]
        assert {c["iso_code"]: c["brief_count"] for c in countries} == {"CN": 1, "KZ": 1}
        topics = get(client, "/api/v1/topics/").json()["results"]
        assert {t["slug"]: t["brief_count"] for t in topics} == {"soft-power": 1, "trade": 1}
        assert topics[0]["briefs_url"].endswith("/api/v1/briefs/?topic=soft-power")


# Filters and pagination ---------------------------------------------------------------------------


class TestFilters:
    @pytest.mark.parametrize(
        ("query", "expected"),
        [
            ("country=KZ", ["alpha-khorgos"]),
            ("country=kz", ["alpha-khorgos"]),
            ("country=china", ["echo-soft-power"]),
            ("country=uz", []),
            ("topic=soft-power", ["echo-soft-power"]),
            ("kind=topic", ["echo-soft-power"]),
            ("kind=country", ["alpha-khorgos"]),
            ("published_from=2026-01-01", ["alpha-khorgos"]),
            ("published_to=2025-12-31", ["echo-soft-power"]),
            (
                "published_from=2025-06-01&published_to=2026-03-01",
                ["alpha-khorgos", "echo-soft-power"],
            ),
            ("ordering=publication_date", ["echo-soft-power", "alpha-khorgos"]),
            ("ordering=title", ["alpha-khorgos", "echo-soft-power"]),
            ("ordering=-title", ["echo-soft-power", "alpha-khorgos"]),
            ("q=soft+power&ordering=relevance", ["echo-soft-power"]),
            ("q=point&ordering=-title", ["echo-soft-power", "alpha-khorgos"]),
            ("country=kz&topic=soft-power", []),
        ],
    )
    def test_filter(self, client, world, query, expected):
        assert slugs(get(client, f"/api/v1/briefs/?{query}")) == expected

    @pytest.mark.parametrize(
        ("query", "parameter"),
        [
            ("country=atlantis", "country"),
            ("topic=nothing", "topic"),
            ("kind=essay", "kind"),
            ("published_from=2026-13-01", "published_from"),
            ("published_to=yesterday", "published_to"),
            ("published_to=12/31/2025", "published_to"),
            ("published_from=2026-02-01&published_to=2026-01-01", "published_to"),
            ("ordering=price", "ordering"),
            ("ordering=relevance", "ordering"),
            ("q=" + "x" * 201, "q"),
            ("q=a%00b", "q"),
            ("page=abc", "page"),
            ("page=0", "page"),
            ("page_size=101", "page_size"),
            ("page_size=-1", "page_size"),
        ],
    )
    def test_bad_values_are_400_naming_the_parameter(self, client, world, query, parameter):
        error = assert_error(get(client, f"/api/v1/briefs/?{query}"), 400, "invalid_parameter")
        assert parameter in error["details"], error
        assert error["details"][parameter][0]

    @pytest.mark.parametrize(
        "parameter", ["country", "topic", "kind", "ordering", "published_from"]
    )
    @pytest.mark.parametrize("value", ["%", "%s", "%(x)s", "100%", "%d%%"])
    def test_percent_signs_are_a_400_quoting_the_value(self, client, world, parameter, value):
        """django-filter %-formatted its messages again: `?country=%25` was a 500."""
        response = client.get("/api/v1/briefs/", {parameter: value}, HTTP_ACCEPT="application/json")
        error = assert_error(response, 400, "invalid_parameter")
        message = error["details"][parameter][0]
        if parameter != "published_from":  # "Enter a valid date." does not quote it
            assert f"“{value}”" in message or f" {value} " in message, message

    def test_percent_signs_in_a_search_are_searched(self, client, world):
        assert get(client, "/api/v1/briefs/?q=%25(x)s").status_code == 200

    @pytest.mark.parametrize(
        "parameter",
        [
            *("country", "topic", "kind", "published_from", "published_to", "q", "ordering"),
            *("page", "page_size"),
        ],
    )
    def test_an_empty_parameter_is_no_filter(self, client, world, parameter):
        """The schema allows every query parameter empty (allowEmptyValue): empty is none."""
        everything = slugs(get(client, "/api/v1/briefs/"))
        response = client.get("/api/v1/briefs/", {parameter: ""}, HTTP_ACCEPT="application/json")
        assert response.status_code == 200, response.content
        assert slugs(response) == everything

    @pytest.mark.parametrize("parameter", ["kind", "published_from", "ordering", "page_size"])
    def test_a_blank_value_that_the_schema_refuses_is_a_400(self, client, world, parameter):
        response = client.get("/api/v1/briefs/", {parameter: " "}, HTTP_ACCEPT="application/json")
        assert parameter in assert_error(response, 400, "invalid_parameter")["details"]

    def test_pagination(self, client, world):
        first = get(client, "/api/v1/briefs/?page_size=1").json()
        assert (first["count"], first["page"], first["pages"]) == (2, 1, 2)
        assert first["previous"] is None
        assert "page=2" in first["next"]
        second = get(client, first["next"]).json()
        assert [b["slug"] for b in second["results"]] == ["echo-soft-power"]
        assert second["next"] is None
        error = assert_error(get(client, "/api/v1/briefs/?page_size=1&page=3"), 404, "not_found")
        assert "2 page(s)" in error["message"]

    def test_list_queries_do_not_grow_with_the_page(
        self, client, world, django_assert_max_num_queries
    ):
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        counts = []
        for size in (1, 2):
            cache.clear()
            with CaptureQueriesContext(connection) as queries:
                assert get(client, f"/api/v1/briefs/?page_size={size}").status_code == 200
            counts.append(len(queries))
        assert counts[0] == counts[1]


# Detail -------------------------------------------------------------------------------------------


@pytest.fixture
def openapi(db, wsgi_app):
    return schemathesis.openapi.from_wsgi("/api/v1/schema/?format=json", wsgi_app)


class TestDetail:
    def test_detail_matches_the_openapi_schema(self, world, openapi):
        for path, params in (
            ("/api/v1/briefs/{slug}/", {"slug": "alpha-khorgos"}),
            ("/api/v1/briefs/by-id/{id}/", {"id": world["alpha"].pk}),
            ("/api/v1/evidence/{id}/", {"id": world["e3"].pk}),
            ("/api/v1/sources/{id}/", {"id": world["public"].pk}),
        ):
            operation = openapi[path]["GET"]
            case = operation.Case(path_parameters=params, headers={"Accept": "application/json"})
            response = case.call()
            assert response.status_code == 200, response.text
            case.validate_response(response)
        for path in ("/api/v1/briefs/", "/api/v1/countries/", "/api/v1/topics/"):
            case = openapi[path]["GET"].Case(headers={"Accept": "application/json"})
            response = case.call()
            assert response.status_code == 200
            case.validate_response(response)

    def test_the_notes_are_what_their_serializer_documents(self, client, world):
        """The notes are served as representation.note_data makes them (NotesField), not
        through NoteSerializer: exactly what NoteSerializer makes of the same notes."""
        served = get(client, "/api/v1/briefs/alpha-khorgos/").json()["notes"]
        page = BriefPage.objects.get(pk=world["alpha"].pk)
        notes = [representation.note_data(note) for note in page.notes.notes]
        documented = NoteSerializer(notes, many=True).data
        assert len(served) == 3
        assert served == json.loads(JSONRenderer().render(documented))

    def test_detail_content(self, client, world):
        data = get(client, "/api/v1/briefs/alpha-khorgos/").json()
        e1, e2, e3 = world["e1"], world["e2"], world["e3"]
        assert data == get(client, f"/api/v1/briefs/by-id/{world['alpha'].pk}/").json()
        assert [n["evidence_id"] for n in data["notes"]] == [e1.pk, e2.pk, e3.pk]
        note = data["notes"][1]
        assert note["number"] == 2
        assert note["quote"] == e2.display_quote
        assert note["page"] == 2
        assert note["claim"] == e2.claim
        assert note["source"]["id"] == world["public"].pk
        assert note["selectors"][0] == {
            "type": "TextQuoteSelector",
            "exact": e2.quote,
            "prefix": e2.prefix,
            "suffix": e2.suffix,
        }
        assert note["selectors"][1] == {
            "type": "TextPositionSelector",
            "start": e2.start,
            "end": e2.end,
        }
        types = [block["type"] for block in data["body"]]
        assert types == [
            "key_findings",
            "section",
            "paragraph",
            "evidence_quote",
            "key_figure",
            "chart",
            "table",
            "callout",
            "recommendations",
        ]
        paragraph = data["body"][2]
        assert "linktype" not in paragraph["html"]
        refs = re.findall(
            r'<a class="note-ref" href="#note-(\d+)" data-note="\1" '
            r'data-evidence="(\d+)"',
            paragraph["html"],
        )
        assert refs == [("1", str(e1.pk)), ("2", str(e2.pk))]
        assert paragraph["citations"] == [
            {"note": 1, "evidence_id": e1.pk},
            {"note": 2, "evidence_id": e2.pk},
        ]
        assert 'href="https://example.org/x"' in paragraph["html"]
        figure = data["body"][4]["figure"]
        assert figure == {
            "value": "12",
            "unit": "%",
            "year": 2017,
            "label": "Exports growth",
            "display": "12%",
        }
        chart = data["body"][5]
        assert chart["categories"] == ["2017", "2018"]
        assert chart["series"][0]["points"][1] == {"category": "2018", "value": "15.5"}
        assert chart["svg"].startswith("<svg")
        assert data["body"][6]["rows"] == [["Year", "Value"], ["2017", "12"], ["2018", None]]
        assert data["key_findings"][0]["items"][0]["citation"] == {"note": 1, "evidence_id": e1.pk}
        assert data["recommendations"][0]["groups"][0]["addressee"] == "For the government"
        assert [entry["source_id"] for entry in data["bibliography"]] == [world["public"].pk]
        assert data["bibliography"][0]["csl"]["title"] == "Public paper"
        assert "Public Paper" in data["bibliography"][0]["text"]
        assert data["csl"]["type"] == "report"
        assert data["table_of_contents"][0] == {"heading": "Key findings", "anchor": "key-findings"}
        # Publication queued the PDF: nothing to download yet.
        assert data["pdf"] == {
            "status": "queued",
            "url": None,
            "sha256": None,
            "pages": None,
            "size": None,
        }

    def test_pdf_of_the_published_revision(self, client, world):
        from pdfs.models import BriefPDF

        page = BriefPage.objects.get(pk=world["alpha"].pk)
        BriefPDF.objects.filter(revision_id=page.live_revision_id).delete()
        assert get(client, "/api/v1/briefs/alpha-khorgos/").json()["pdf"]["status"] == (
            "unavailable"
        )
        BriefPDF.objects.create(
            brief=page,
            revision_id=page.live_revision_id,
            kind=BriefPDF.Kind.PUBLIC,
            status=BriefPDF.Status.READY,
            file="pdfs/alpha.pdf",
            sha256="a" * 64,
            page_count=7,
            size=12345,
        )
        pdf = get(client, "/api/v1/briefs/alpha-khorgos/").json()["pdf"]
        assert pdf["status"] == "ready"
        assert pdf["url"].startswith("http://")
        assert pdf["url"].endswith(".pdf") or "alpha" in pdf["url"]
        assert (pdf["sha256"], pdf["pages"], pdf["size"]) == ("a" * 64, 7, 12345)

    def test_bad_ids_are_json_404s(self, client, world):
        for url in (
            "/api/v1/evidence/abc/",
            "/api/v1/evidence/-1/",
            "/api/v1/evidence/99999999999999999999999/",
            "/api/v1/sources/1.5/",
            "/api/v1/briefs/by-id/4294967296/",
            "/api/v1/no-such-endpoint/",
        ):
            assert_error(get(client, url), 404, "not_found")

    def test_writes_are_refused_in_the_error_shape(self, client, world):
        response = client.post("/api/v1/briefs/", {}, **JSON)
        assert_error(response, 405, "method_not_allowed")


# Conditional requests and caching -----------------------------------------------------------------


class TestConditionalRequests:
    @pytest.mark.parametrize(
        "url", ["/api/v1/briefs/", "/api/v1/briefs/alpha-khorgos/", "/api/v1/countries/"]
    )
    def test_etag_and_last_modified_give_304(self, client, world, url):
        first = get(client, url)
        assert first.status_code == 200
        assert first["Cache-Control"] == "public, max-age=60"
        etag, modified = first["ETag"], first["Last-Modified"]
        again = get(client, url, HTTP_IF_NONE_MATCH=etag)
        assert again.status_code == 304
        assert again.content == b""
        assert again["ETag"] == etag
        assert "max-age=60" in again["Cache-Control"]
        assert get(client, url, HTTP_IF_MODIFIED_SINCE=modified).status_code == 304
        assert get(client, url, HTTP_IF_NONE_MATCH='"something-else"').status_code == 200

    def test_a_publication_changes_the_etag(self, client, world):
        first = get(client, "/api/v1/briefs/echo-soft-power/")
        BriefPage.objects.get(pk=world["echo"].pk).get_latest_revision().publish()
        response = get(client, "/api/v1/briefs/echo-soft-power/", HTTP_IF_NONE_MATCH=first["ETag"])
        assert response.status_code == 200
        assert response.json()["title"] == "Echo DRAFT zebraword"
        assert response["ETag"] != first["ETag"]
        listing = get(client, "/api/v1/briefs/", HTTP_IF_MODIFIED_SINCE=first["Last-Modified"])
        assert listing.status_code in (200, 304)

    def test_errors_are_not_cached(self, client, world):
        response = get(client, "/api/v1/briefs/nope/")
        assert "no-store" in response["Cache-Control"]
        assert "ETag" not in response


# Rate limits --------------------------------------------------------------------------------------


@pytest.fixture
def low_limits(settings):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"anon": "3/minute", "token": "6/minute"},
    }


class TestRateLimits:
    def test_anonymous_clients_get_429_with_retry_after(self, client, world, low_limits):
        for _ in range(3):
            assert get(client, "/api/v1/countries/").status_code == 200
        response = get(client, "/api/v1/briefs/")
        error = assert_error(response, 429, "throttled")
        retry = int(response["Retry-After"])
        assert 1 <= retry <= 60
        assert error["details"] == {"retry_after": retry}
        # Another address has its own allowance.
        assert get(client, "/api/v1/countries/", REMOTE_ADDR="10.0.0.9").status_code == 200

    def test_a_token_gets_the_higher_limit(self, client, world, low_limits, superuser):
        token = Token.objects.create(user=superuser)
        auth = {"HTTP_AUTHORIZATION": f"Token {token.key}"}
        for _ in range(6):
            assert get(client, "/api/v1/countries/", **auth).status_code == 200
        assert_error(get(client, "/api/v1/countries/", **auth), 429, "throttled")

    def test_a_bad_token_is_401_not_silently_anonymous(self, client, world):
        response = get(client, "/api/v1/briefs/", HTTP_AUTHORIZATION="Token nope")
        assert_error(response, 401, "authentication_failed")


# Schema and documentation -------------------------------------------------------------------------


class TestDocumentation:
    def test_schema_is_openapi_3_and_documents_every_endpoint(self, client, db):
        schema = client.get("/api/v1/schema/?format=json").json()
        assert schema["openapi"].startswith("3.")
        assert set(schema["paths"]) == {
            "/api/v1/briefs/",
            "/api/v1/briefs/{slug}/",
            "/api/v1/briefs/by-id/{id}/",
            "/api/v1/briefs/{slug}/citation/",
            "/api/v1/briefs/{slug}/bibliography/",
            "/api/v1/briefs/{slug}/annotations/",
            "/api/v1/briefs/{slug}/versions/{number}/",
            "/api/v1/countries/",
            "/api/v1/topics/",
            "/api/v1/sources/{id}/",
            "/api/v1/evidence/{id}/",
        }
        assert "If-None-Match" in schema["info"]["description"]
        params = {p["name"] for p in schema["paths"]["/api/v1/briefs/"]["get"]["parameters"]}
        assert {
            "country",
            "topic",
            "kind",
            "published_from",
            "published_to",
            "q",
            "ordering",
            "page",
            "page_size",
        } <= params

    def test_docs_page_is_self_hosted(self, client, db):
        page = client.get(reverse("api:docs"))
        assert page.status_code == 200
        html = page.content.decode()
        assert "https://" not in html
        script = re.search(r'<script src="([^"]+)"', html).group(1)
        response = client.get(script)
        assert response.status_code == 200
        assert b"Redoc" in response.content[:200_000]
        # The bundle's only third-party asset, the Redocly logo, is served inline instead.
        assert b"cdn.redoc.ly" not in response.content

    def test_browsable_api(self, client, world):
        response = client.get("/api/v1/briefs/", HTTP_ACCEPT="text/html")
        assert response.status_code == 200
        assert b"alpha-khorgos" in response.content


# Token administration -----------------------------------------------------------------------------


class TestTokenAdmin:
    def test_admin_issues_and_revokes_a_token_that_works(
        self, admin_client, client, superuser, world
    ):
        from django.contrib.auth import get_user_model

        reader = get_user_model().objects.create_user("aggregator", password="pw-aggregator-1")
        url = reverse("api_tokens:index")
        assert admin_client.get(url).status_code == 200
        response = admin_client.post(url, {"user": reader.pk}, follow=True)
        token = Token.objects.get(user=reader)
        assert token.key in response.content.decode()  # shown once, in the message
        assert token.key not in admin_client.get(url).content.decode()
        auth = {"HTTP_AUTHORIZATION": f"Token {token.key}"}
        assert get(client, "/api/v1/briefs/", **auth).status_code == 200
        admin_client.post(reverse("api_tokens:revoke", args=[reader.pk]))
        assert not Token.objects.filter(user=reader).exists()
        assert_error(get(client, "/api/v1/briefs/", **auth), 401)

    def test_only_superusers_manage_tokens(self, client, world):
        from django.contrib.auth import get_user_model
        from django.contrib.auth.models import Permission

        editor = get_user_model().objects.create_user("ed", password="pw-editor-123")
        editor.user_permissions.add(Permission.objects.get(codename="access_admin"))
        client.force_login(editor)
        # Wagtail answers a refused admin view with a redirect to the dashboard and a message.
        for response in (
            client.get(reverse("api_tokens:index")),
            client.post(reverse("api_tokens:index"), {"user": editor.pk}),
        ):
            assert response.status_code in (302, 403)
            assert response.get("Location", "/admin/") == "/admin/"
        assert not Token.objects.exists()
