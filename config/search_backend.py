"""The search backend: Wagtail's database backend (modelsearch), with two changes on PostgreSQL.

modelsearch's PostgreSQL query compiler filters on the concatenated vector (``title || body``)
through ``annotate()``, so every matching index entry's concatenated vector is also computed and
selected, and carried through the ranking sort: for a brief, a 7 KB vector fetched from TOAST
and copied for each of up to 2,000 matches, about half the time of a ranked brief search
(issue 16). ``alias()`` filters on the same expression without selecting it. Ranking, filters
and results are modelsearch's own; other databases get modelsearch's backend unchanged.

The results also give a page and the number of all results in one query
(``page_and_count``, for config.search.CountedPaginator): a ranked search is one scan of its
matches, where a Paginator's ``count()`` first is a second scan of them (a COUNT query with the
same joins and filters): about a fifth of the database time of a broad search of the public
briefs (issue 16).

Settings: WAGTAILSEARCH_BACKENDS["default"]["BACKEND"] = "config.search_backend"."""

from django.db import ProgrammingError, connection
from django.db.models import Count, Window
from modelsearch.backends.database import SearchBackend as DatabaseSearchBackend
from modelsearch.backends.database.postgres import postgres
from modelsearch.query import Fuzzy, MatchAll, Not


class PostgresSearchQueryCompiler(postgres.PostgresSearchQueryCompiler):
    def search(self, config, start, stop, score_field=None, backend=None):
        query = self.query
        if isinstance(query, MatchAll | Fuzzy) or (
            isinstance(query, Not) and isinstance(query.subquery, MatchAll)
        ):
            return super().search(config, start, stop, score_field, backend)
        # As modelsearch's search() from here on, but alias() where it has annotate().
        search_query = self.build_tsquery(query, config=config)
        vectors = self.get_search_vectors(search_query)
        rank_expression = self._build_rank_expression(vectors, config)
        combined_vector = vectors[0][0]
        for vector, _boost in vectors[1:]:
            combined_vector = combined_vector._combine(vector, "||", False)
        queryset = self.queryset.alias(_vector_=combined_vector).filter(_vector_=search_query)
        return self._apply_ordering_and_scoring(queryset, rank_expression, start, stop, score_field)


class PostgresSearchResults(postgres.PostgresSearchResults):
    def page_and_count(self, start, stop):
        """``(results[start:stop], the number of all results)`` in one query: the count is
        ``COUNT(*) OVER ()`` on each row of the page, which PostgreSQL computes over every match
        before it sorts and cuts the page. The count is None when the page is empty (beyond the
        last result, or no result at all)."""
        if self.start or self.stop is not None:
            raise ValueError("page_and_count() pages whole results, not a slice of them")
        compiler = self.query_compiler
        queryset = compiler.search(
            compiler.get_config(self.backend), None, None, self._score_field, self.backend
        )
        try:
            page = list(queryset.annotate(_matches_=Window(Count("*")))[start:stop])
        except ProgrammingError as error:  # as modelsearch's own queries (a missing extension)
            self._handle_missing_postgres_extension(error)
        return page, (page[0]._matches_ if page else None)


class PostgresAutocompleteQueryCompiler(
    PostgresSearchQueryCompiler, postgres.PostgresAutocompleteQueryCompiler
):
    pass


class PostgresSearchBackend(postgres.PostgresSearchBackend):
    query_compiler_class = PostgresSearchQueryCompiler
    autocomplete_query_compiler_class = PostgresAutocompleteQueryCompiler
    results_class = PostgresSearchResults


def SearchBackend(params):  # the name modelsearch looks up in a backend module
    if connection.vendor == "postgresql":
        return PostgresSearchBackend(params)
    return DatabaseSearchBackend(params)
