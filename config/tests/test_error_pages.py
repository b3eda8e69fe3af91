"""The public error pages with DEBUG off: a failing page gets the site's own 500 page even when
the database is what failed, and the API keeps its JSON error shape."""

import json

import pytest
from bs4 import BeautifulSoup
from django.db import DatabaseError
from django.test import Client
from django.urls import include, path


def database_down(request):
    raise DatabaseError("could not connect to server")


urlpatterns = [
    path("boom/", database_down),
    path("api/v1/", include("api.urls", namespace="api")),
    path("", include("wagtail.urls")),
]


@pytest.mark.urls(__name__)
@pytest.mark.django_db
def test_a_failing_page_gets_the_site_500_page_without_debug(settings, django_assert_num_queries):
    settings.DEBUG = False
    client = Client(raise_request_exception=False)
    with django_assert_num_queries(0):  # the 500 page itself needs no database
        response = client.get("/boom/")
    assert response.status_code == 500
    html = BeautifulSoup(response.content, "lxml")
    assert html.h1.get_text() == "Something went wrong on our side"
    assert html.select_one("header.site-header a.site-name")["href"] == "/"
    assert html.select_one("link[rel=stylesheet]")["href"].endswith("briefs/css/site.css")
    assert "could not connect" not in response.content.decode()  # nothing leaks


@pytest.mark.urls(__name__)
@pytest.mark.django_db
def test_missing_pages_are_the_site_404_and_api_errors_stay_json(settings, brief_index):
    settings.DEBUG = False
    client = Client()
    page = client.get("/no-such-page/")
    assert page.status_code == 404
    html = BeautifulSoup(page.content, "lxml")
    assert html.h1.get_text() == "Page not found"
    assert html.select_one("header.site-header form.site-search")  # the site's own header
    api = client.get("/api/v1/briefs/no-such-brief/")
    assert api.status_code == 404 and api["Content-Type"] == "application/json"
    assert json.loads(api.content)["error"]["code"] == "not_found"
