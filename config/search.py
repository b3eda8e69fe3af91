"""Readers' and editors' search text, made safe for the search backends.

Wagtail's SQLite backend (the embedded default) hands the text to FTS5 as a query, where an
unbalanced double quote is a syntax error, and PostgreSQL refuses NUL characters in any string:
both would be a 500. Neither backend does phrase search with quotes on a plain query string,
so dropping them loses nothing.

Also the Paginator of ranked search results (CountedPaginator) and the index that the search
backend's join needs (index_entry_join_index)."""

import re

from django.core.paginator import EmptyPage, PageNotAnInteger, Paginator

_UNSAFE = re.compile(r'["\x00-\x08\x0b\x0c\x0e-\x1f\x7f]')
MAX_LENGTH = 200


def clean_query(text):
    """``text`` without double quotes and control characters, whitespace collapsed, at most
    MAX_LENGTH characters; "" when nothing searchable is left."""
    return " ".join(_UNSAFE.sub(" ", text or "").split())[:MAX_LENGTH]


class FullTextIndexViewMixin:
    """For a snippet listing (IndexView): full-text search over everything the model indexes,
    not only the title autocomplete that Wagtail's listings use, on cleaned search text."""

    def search_queryset(self, queryset):
        from wagtail.search.backends import get_search_backend

        query = clean_query(self.search_query) if self.is_searching else ""
        if not query:
            return queryset
        return get_search_backend().search(
            query, queryset, order_by_relevance=not self.is_explicitly_ordered
        )


class CountedPaginator(Paginator):
    """Django's Paginator, which for search results that give a page and the number of all
    results in one query (``page_and_count``: config.search_backend on PostgreSQL) asks for
    both at once. Django's asks for the count first, then for the page: for a ranked search that
    is two scans of every match (a COUNT query with the search's joins and filters, then the
    ranking). Numbers, pages and errors are Django's; other object lists are paged by Django's
    own code."""

    def page(self, number):
        if "count" not in self.__dict__ and hasattr(self.object_list, "page_and_count"):
            bottom = (self._number(number) - 1) * self.per_page
            # The page's rows and any orphans that Django would add to the last page.
            rows, count = self.object_list.page_and_count(
                bottom, bottom + self.per_page + self.orphans
            )
            if count is None:  # an empty page: nothing matches, or beyond the last page
                count = 0 if bottom == 0 else self.object_list.count()
            self.count = count  # Django's cached_property, known now
            number = self.validate_number(number)
            top = bottom + self.per_page
            if top + self.orphans >= count:
                top = count
            return self._get_page(rows[: top - bottom], number, self)
        return super().page(number)

    def _number(self, number):
        """``number`` as an int, or the error Django's validate_number gives for its form (not a
        whole number, below 1): checked before the query, which needs the number."""
        try:
            if isinstance(number, float) and not number.is_integer():
                raise ValueError
            number = int(number)
        except (TypeError, ValueError):
            raise PageNotAnInteger(self.error_messages["invalid_page"]) from None
        if number < 1:
            raise EmptyPage(self.error_messages["min_page"])
        return number


def index_entry_join_index(field, name):
    """An index on ``field`` (the primary key) cast to text as the search backend joins it.

    Wagtail's database backend joins a model's rows to its index entries on
    ``index_entry.object_id = model.pk::varchar(50)`` (object_id is a CharField(max_length=50)
    in modelsearch). The primary key's own index does not serve that cast, so PostgreSQL read
    every row of the model to join the few thousand matches of a search (a sequential scan of
    100,000 pieces of evidence per query; issue 16). With this expression index it looks up the
    best-ranked matches instead."""
    from django.db import models
    from django.db.models.functions import Cast

    return models.Index(Cast(field, output_field=models.CharField(max_length=50)), name=name)
