"""Full-text search of evidence can use the index that migration evidence 0002 adds on
PostgreSQL (Wagtail's own indexes cover ``title`` and ``body`` apart, not the concatenation
its queries filter on)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from wagtail.search.backends import get_search_backend

from evidence.models import Evidence
from evidence.tests.factories import EvidenceFactory
from sources.tests.factories import SourceFactory

pytestmark = pytest.mark.django_db

INDEX = "wagtailsearch_indexentry_title_body_gin"


@pytest.mark.skipif(connection.vendor != "postgresql", reason="an index of PostgreSQL's")
def test_ranked_evidence_search_filters_on_what_the_title_body_index_covers():
    source = SourceFactory(
        title="Dry ports", pages=["The Khorgos dry port handles rail freight to Europe.\n"]
    )
    evidence = EvidenceFactory(source=source, quote="The Khorgos dry port handles rail freight")
    backend = get_search_backend()
    with CaptureQueriesContext(connection) as captured:
        hits = list(backend.search("Khorgos", Evidence.objects.all(), order_by_relevance=True))
    assert hits == [evidence]
    (sql,) = [q["sql"] for q in captured.captured_queries if "@@" in q["sql"]]
    # The query filters on the concatenated vector...
    assert '("wagtailsearch_indexentry"."title" || "wagtailsearch_indexentry"."body") @@' in sql
    # ...which is what the index covers. (Whether the planner uses it depends on the table's
    # size; bench/search.py checks the plans over 100,000 pieces of evidence.)
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_get_indexdef(%s::regclass)", [INDEX])
        (definition,) = cursor.fetchone()
    assert "USING gin (((title || body)))" in definition, definition
