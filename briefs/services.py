"""Queries every public surface shares: only live, public briefs, ever."""

import hashlib

from django.core.cache import cache
from django.core.paginator import InvalidPage
from django.db.models import Count, Max, Q, QuerySet, prefetch_related_objects
from django.http import Http404
from wagtail.models import PageLogEntry

from config.search import CountedPaginator, clean_query
from taxonomy.models import Country, Topic

from .citations import cited_evidence_ids
from .models.pages import BriefPage, view_restricted

PER_PAGE = 10
INDEX_SECONDS = 24 * 3600


def published_briefs():
    """Live briefs without view restrictions, newest first: the only briefs the public sees.

    A brief with a newer draft is listed with its published fields (Wagtail keeps the live
    content in the page row; drafts live in revisions)."""
    return (
        BriefPage.objects.live()
        .public()
        .order_by("-publication_date", "-first_published_at", "-pk")
    )


def published_brief_lookup():
    """published_briefs() for looking up one brief (by slug or id): whether it or an ancestor
    is private is a subquery of the same query (as routing does, BriefPage.routing_queryset)
    rather than Wagtail's public(), which reads every view restriction in a query of its own.
    Not for listings: the subquery runs for each brief."""
    return BriefPage.objects.live().filter(~view_restricted())


def citation_index() -> dict[int, list[int]]:
    """``{evidence id: [ids of the published briefs citing it]}``: what evidence is public.

    Built from the published bodies once per set of published revisions: the key is a hash
    of every published brief's id and last publication time (one small query), so that a
    publication, an unpublication or a change of privacy gives a new index. Kept in the
    shared cache."""
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
    return index


# Content times (Last-Modified) --------------------------------------------------------------------

# Wagtail page log actions that change which briefs the public sees without publishing one.
PUBLICATION_CHANGES = (
    "wagtail.unpublish",
    "wagtail.delete",
    "wagtail.move",
    "wagtail.view_restriction.create",
    "wagtail.view_restriction.edit",
    "wagtail.view_restriction.delete",
)


def last_publication_change():
    """When the set of published briefs last changed: the newest publication of a published
    brief, or a later unpublication, deletion, move or privacy change of any brief (from
    Wagtail's page log, which keeps entries of deleted pages). None before any publication."""

    published = published_briefs().order_by().aggregate(when=Max("last_published_at"))["when"]
    removed = PageLogEntry.objects.filter(
        content_type__app_label=BriefPage._meta.app_label,
        content_type__model=BriefPage._meta.model_name,
        action__in=PUBLICATION_CHANGES,
    ).aggregate(when=Max("timestamp"))["when"]
    return max((when for when in (published, removed) if when), default=None)


def brief_content_modified(page):
    """When what the public sees of a published brief last changed: its last publication, or a
    later edit of the evidence it cites or of their sources (its evidence stamp: one aggregate,
    shared with the key of its cached evidence rows)."""
    stamp = page.evidence_stamp
    times = (page.last_published_at, stamp.evidence, stamp.source)
    return max((when for when in times if when), default=None)


def with_listing_data(queryset):
    return queryset.prefetch_related("countries", "topics", "authors")


def countries_with_briefs():
    live = published_briefs().values("pk")
    return Country.objects.annotate(
        brief_count=Count("briefs", filter=Q(briefs__in=live), distinct=True)
    ).filter(brief_count__gt=0)


def topics_with_briefs():
    live = published_briefs().values("pk")
    return Topic.objects.annotate(
        brief_count=Count("briefs", filter=Q(briefs__in=live), distinct=True)
    ).filter(brief_count__gt=0)


def search_briefs(query):
    """Full-text search over published briefs (PostgreSQL full text on PostgreSQL), most
    relevant first. The results are listed (search page, API ids), so a brief's body and
    pinned quotes, JSON of several KB that no listing shows, are loaded only if asked for."""
    query = clean_query(query)
    if not query:
        return BriefPage.objects.none()
    briefs = published_briefs().defer("body", "cited_quotes")
    return briefs.search(query, order_by_relevance=True)


def paginate(request, queryset, per_page=PER_PAGE):
    """A page of results. A page number beyond the last page, below 1 or not a number is a 404
    (as in the API), so that a wrong link never silently shows page 1 under its address.
    Search results give their count with the page, in one query (CountedPaginator)."""
    paginator = CountedPaginator(queryset, per_page)
    try:
        page = paginator.page(request.GET.get("page") or 1)
    except InvalidPage as exc:
        raise Http404(f"There is no page {request.GET.get('page')!r} of these results.") from exc
    if isinstance(page.object_list, QuerySet):
        page.object_list = with_listing_data(page.object_list)
    else:  # search results are no queryset: prefetch on the page's objects
        page.object_list = list(page.object_list)
        prefetch_related_objects(page.object_list, "countries", "topics", "authors")
    return page
