"""A page of ranked search results and their count in one query (issue 16):
config.search.CountedPaginator, and on PostgreSQL the results' page_and_count()
(config.search_backend), which gives a page with COUNT(*) OVER ()."""

import pytest
from django.core.paginator import EmptyPage, PageNotAnInteger, Paginator
from django.db import connection
from django.test.utils import CaptureQueriesContext

from briefs import services
from briefs.tests.conftest import make_brief, paragraph
from config.search import CountedPaginator

postgresql_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="config.search_backend's PostgreSQL results"
)


class Results:
    """Ranked results as the search backend gives them: ``page_and_count`` for a page and the
    number of all results (None for an empty page), ``count`` and slices as fallbacks; every
    call recorded."""

    def __init__(self, total):
        self.items = list(range(total))
        self.calls = []

    def page_and_count(self, start, stop):
        self.calls.append(("page_and_count", start, stop))
        page = self.items[start:stop]
        return page, (len(self.items) if page else None)

    def count(self):
        self.calls.append(("count",))
        return len(self.items)

    def __getitem__(self, key):
        self.calls.append(("slice", key.start, key.stop))
        return self.items[key]


def test_a_page_and_the_count_come_from_one_call():
    results = Results(23)
    page = CountedPaginator(results, 10).page("2")
    assert list(page) == list(range(10, 20))
    assert (page.paginator.count, page.paginator.num_pages) == (23, 3)
    assert page.has_next() and page.has_previous()
    assert results.calls == [("page_and_count", 10, 20)]


def test_the_last_page_and_its_orphans_are_django_s():
    for total, per_page, orphans, number in [(23, 10, 0, 3), (23, 10, 3, 2), (20, 10, 0, 2)]:
        expected = Paginator(list(range(total)), per_page, orphans=orphans).page(number)
        results = Results(total)
        page = CountedPaginator(results, per_page, orphans=orphans).page(number)
        assert list(page) == list(expected), (total, orphans, number)
        assert page.paginator.num_pages == expected.paginator.num_pages
        assert not page.has_next()
        assert results.calls == [
            ("page_and_count", (number - 1) * per_page, number * per_page + orphans)
        ]


def test_nothing_matches_is_an_empty_first_page_without_a_count_query():
    results = Results(0)
    page = CountedPaginator(results, 10).page(1)
    assert list(page) == [] and page.paginator.count == 0
    assert results.calls == [("page_and_count", 0, 10)]


def test_beyond_the_last_page_is_an_empty_page_error():
    results = Results(12)
    with pytest.raises(EmptyPage):
        CountedPaginator(results, 10).page(3)
    # The empty page does not say how many there are: one count, for the paginator's answer.
    assert results.calls == [("page_and_count", 20, 30), ("count",)]


def test_a_malformed_page_number_is_refused_before_any_query():
    malformed = [("abc", PageNotAnInteger), ("1.5", PageNotAnInteger), (None, PageNotAnInteger),
                 (1.5, PageNotAnInteger), ("0", EmptyPage), ("-1", EmptyPage)]  # fmt: skip
    for number, error in malformed:
        results = Results(30)
        with pytest.raises(error):
            CountedPaginator(results, 10).page(number)
        assert results.calls == [], number


def test_other_object_lists_are_paged_by_django():
    page = CountedPaginator(list(range(15)), 10).page(2)
    assert list(page) == [10, 11, 12, 13, 14] and page.paginator.count == 15


# On PostgreSQL, against real search results -------------------------------------------------


@pytest.fixture
def railway_briefs(brief_index):
    """Twelve briefs that match "railway" (some more than others) and one that does not."""
    for n in range(12):
        words = " ".join(["railway"] * (1 + n % 4))
        make_brief(brief_index, f"Brief {n:02}", [paragraph(f"<p>The {words} to Khorgos.</p>")])
    make_brief(brief_index, "Harbours", [paragraph("<p>Ports and harbours.</p>")])


@postgresql_only
@pytest.mark.django_db
def test_page_and_count_match_the_ranked_results_and_their_count(railway_briefs):
    ranked = [brief.pk for brief in services.search_briefs("railway")]
    assert len(ranked) == 12
    for query, start, stop, expected, total in [
        ("railway", 0, 10, ranked[:10], 12),
        ("railway", 10, 20, ranked[10:], 12),  # page 2
        ("railway", 20, 30, [], None),  # beyond the last page
        ("Khorgos harbours", 0, 10, [], None),  # matches nothing
        ("brief", 0, 13, None, 13),  # matches every brief (the title)
    ]:
        results = services.search_briefs(query)
        with CaptureQueriesContext(connection) as queries:
            page, count = results.page_and_count(start, stop)
        assert len(queries) == 1, query
        assert "COUNT(*) OVER ()" in queries[0]["sql"] and "ts_rank" in queries[0]["sql"]
        if expected is None:
            expected = [brief.pk for brief in services.search_briefs(query)][start:stop]
        assert [brief.pk for brief in page] == expected, (query, start)
        assert count == total, (query, start)
        assert total is None or total == services.search_briefs(query).count()


@postgresql_only
@pytest.mark.django_db
def test_page_and_count_pages_whole_results_only(railway_briefs):
    with pytest.raises(ValueError):
        services.search_briefs("railway")[5:].page_and_count(0, 10)
