"""How the ranked searches run on PostgreSQL (issue 16): the query parsed once, not once per
ranked row, the vector filtered on but not selected (config.search_backend), and the
best-ranked index entries joined to their rows through the expression indexes of
config.search.index_entry_join_index rather than by reading every row. Timings are
bench/search.py's; these pin the plans. The indexes are declared on the models, so they exist on
SQLite too (where nothing joins through them), which the first test checks."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from wagtail.search.backends import get_search_backend

from briefs import services
from briefs.tests.conftest import make_brief, paragraph
from evidence.models import Evidence
from evidence.tests.factories import EvidenceFactory
from sources.tests.factories import SourceFactory

pytestmark = pytest.mark.django_db

postgresql_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="PostgreSQL's query plans"
)


def _index_names(table):
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, table)
    return {name for name, info in constraints.items() if info["index"]}


def test_the_models_index_their_key_as_the_search_backend_joins_it():
    assert "evidence_id_search_join" in _index_names("evidence_evidence")
    assert "brief_id_search_join" in _index_names("briefs_briefpage")


def _ranked_sql(run):
    with CaptureQueriesContext(connection) as captured:
        results = run()
    (sql,) = [q["sql"] for q in captured.captured_queries if "ts_rank" in q["sql"]]
    return results, sql


def _plan(sql, *settings, params=None):
    with connection.cursor() as cursor:
        for setting in settings:
            cursor.execute(f"SET LOCAL {setting}")
        cursor.execute("EXPLAIN (VERBOSE) " + sql, params)
        return "\n".join(row[0] for row in cursor.fetchall())


@pytest.fixture
def evidence():
    source = SourceFactory(
        title="Dry ports",
        pages=[
            "The Khorgos dry port handles rail freight to Europe. "
            "Freight volumes through Khorgos doubled after the Khorgos gateway opened.\n"
        ],
    )
    once = EvidenceFactory(source=source, quote="The Khorgos dry port handles rail freight")
    twice = EvidenceFactory(
        source=source,
        quote="Freight volumes through Khorgos doubled after the Khorgos gateway opened.",
        claim="Khorgos doubled its freight.",
    )
    return once, twice


def _search_evidence():
    backend = get_search_backend()
    return list(backend.search("Khorgos", Evidence.objects.all(), order_by_relevance=True)[:20])


@postgresql_only
def test_ranked_evidence_search_parses_the_query_once(evidence):
    once, twice = evidence
    results, sql = _ranked_sql(_search_evidence)
    assert results == [twice, once]  # best match first: the term in the claim and twice more
    # A named text search configuration makes to_tsquery immutable: the plan ranks against a
    # constant tsquery, where to_tsquery('...') (the server's configuration) would be called
    # again for every row ranked.
    order = re.search(r"Sort Key: (.*)", _plan(sql)).group(1)
    assert "ts_rank" in order and "'''khorgo'''::tsquery" in order, order
    assert "to_tsquery" not in order, order


@postgresql_only
def test_ranked_searches_filter_on_the_vector_without_selecting_it(evidence, brief_index):
    """config.search_backend: the concatenated vector is filtered on, never computed for the
    select list (and carried through the ranking sort) of the evidence and brief searches."""
    make_brief(brief_index, "Railways", [paragraph("<p>The railway to Khorgos.</p>")])
    for run in (_search_evidence, lambda: list(services.search_briefs("railway"))):
        results, sql = _ranked_sql(run)
        assert results
        select_list = sql.split(" FROM ", 1)[0]
        assert "_vector_" not in select_list and "||" not in select_list, select_list
        assert '"wagtailsearch_indexentry"."body") @@' in sql, sql


def _assert_join_can_use(sql, table, key, index):
    """The backend joins on ``key`` cast to varchar(50), and a lookup of that expression uses
    ``index`` (on tables this small the planner reads them whole unless told not to, and which
    side of the join drives depends on statistics, so the lookup is explained on its own)."""
    cast = f'"wagtailsearch_indexentry"."object_id" = ("{table}"."{key}")::varchar(50)'
    assert cast in sql, sql
    plan = _plan(
        f'SELECT 1 FROM "{table}" WHERE ("{table}"."{key}")::varchar(50) = %s',
        "enable_seqscan = off",
        params=["1"],
    )
    assert f"using {index} on public.{table}" in plan or f"on {index}" in plan, plan


@postgresql_only
def test_ranked_evidence_search_joins_matches_through_the_key_index(evidence):
    _, sql = _ranked_sql(_search_evidence)
    _assert_join_can_use(sql, "evidence_evidence", "id", "evidence_id_search_join")


@postgresql_only
def test_public_brief_search_joins_matches_through_the_key_index(brief_index):
    railway = make_brief(brief_index, "Railways", [paragraph("<p>The railway to Khorgos.</p>")])
    make_brief(brief_index, "Ports", [paragraph("<p>Ports and harbours.</p>")])
    results, sql = _ranked_sql(lambda: list(services.search_briefs("railway")))
    assert results == [railway]
    order = re.search(r"Sort Key: (.*)", _plan(sql)).group(1)
    assert "'''railway'''::tsquery" in order and "to_tsquery" not in order, order
    _assert_join_can_use(sql, "briefs_briefpage", "page_ptr_id", "brief_id_search_join")
