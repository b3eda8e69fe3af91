"""The read queries of the briefs API: what is public (published briefs and the evidence they
cite), the listing's search and orderings, and the querysets of the listing and the detail.

Everything is read from the page row, which holds the published revision (Wagtail keeps
drafts in revisions), through ``briefs.services.published_briefs()``."""

import hashlib

from django.core.cache import cache
from django.db.models import Case, IntegerField, Value, When

from briefs.citations import cited_evidence_ids
from briefs.models import BriefPage
from briefs.services import published_briefs, search_briefs

SEARCH_LIMIT = 1000
INDEX_SECONDS = 24 * 3600


# What is public -----------------------------------------------------------------------------------


def citation_index(request=None) -> dict[int, list[int]]:
    """``{evidence id: [ids of the published briefs citing it]}``.

    Built from the published bodies once per set of published revisions: the key is a hash
    of every published brief's id and last publication time (one small query), so that a
    publication, an unpublication or a change of privacy gives a new index. Kept in the
    shared cache, and on the request for the rest of the request."""
    if request is not None and hasattr(request, "_api_citation_index"):
        return request._api_citation_index
    rows = sorted(
        published_briefs().order_by().values_list("pk", "last_published_at"),
        key=lambda row: row[0],
    )
    fingerprint = hashlib.sha256(
        "|".join(f"{pk}:{when.isoformat() if when else ''}" for pk, when in rows).encode()
    ).hexdigest()
    key = f"api:citation-index:{fingerprint}"
    index = cache.get(key)
    if index is None:
        index = {}
        pages = BriefPage.objects.filter(pk__in=[pk for pk, _ in rows]).only("pk", "body")
        for page in pages.order_by("pk"):
            for evidence_id in cited_evidence_ids(page.body):
                index.setdefault(evidence_id, []).append(page.pk)
        cache.set(key, index, INDEX_SECONDS)
    if request is not None:
        request._api_citation_index = index
    return index


# Listing ------------------------------------------------------------------------------------------

ORDERINGS = {
    "publication_date": ("publication_date", "first_published_at", "pk"),
    "-publication_date": ("-publication_date", "-first_published_at", "-pk"),
    "title": ("title", "pk"),
    "-title": ("-title", "-pk"),
    "updated": ("last_published_at", "pk"),
    "-updated": ("-last_published_at", "-pk"),
}


def search_ids(query: str) -> list[int]:
    """Ids of the published briefs matching ``query``, most relevant first."""
    results = search_briefs(query)[:SEARCH_LIMIT]
    return [page.pk for page in results]


def order_by_ids(queryset, ids):
    """``queryset`` restricted to ``ids``, in their order (relevance)."""
    if not ids:
        return queryset.none()
    rank = Case(
        *[When(pk=pk, then=Value(position)) for position, pk in enumerate(ids)],
        output_field=IntegerField(),
    )
    return queryset.filter(pk__in=ids).annotate(_rank=rank).order_by("_rank")


def listing_queryset():
    return published_briefs().prefetch_related("authors", "countries", "topics")


def detail_queryset():
    return published_briefs().prefetch_related("authors", "countries", "topics")
