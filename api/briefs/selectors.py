"""The read queries of the briefs API: what is public (published briefs and the evidence they
cite), the listing's search and orderings, and the querysets of the listing and the detail.

Everything is read from the page row, which holds the published revision (Wagtail keeps
drafts in revisions), through ``briefs.services.published_briefs()``."""

from django.db.models import Case, IntegerField, Value, When

from briefs.models import BriefPage
from briefs.services import (
    brief_content_modified,
    published_brief_lookup,
    published_briefs,
    search_briefs,
)
from briefs.services import citation_index as live_citation_index
from briefs.versions import withdrawal_in_force
from pdfs.models import BriefPDF
from pdfs.services import UNREAD, public_pdf, version_pdf_url

SEARCH_LIMIT = 1000


# What is public -----------------------------------------------------------------------------------


def citation_index(request=None) -> dict[int, list[int]]:
    """``{evidence id: [ids of the published briefs citing it]}`` (see
    briefs.services.citation_index), kept on the request for the rest of the request."""
    if request is not None and hasattr(request, "_api_citation_index"):
        return request._api_citation_index
    index = live_citation_index()
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


# The relations of a brief, prefetched only when a field asked for reads them.
RELATIONS = {
    "authors": {"authors", "cite_as", "csl"},
    "countries": {"countries", "csl"},
    "topics": {"topics", "csl"},
}


def _with_relations(queryset, fields=None):
    """``fields``: the top-level fields wanted (None: all)."""
    return queryset.prefetch_related(
        *(name for name, users in RELATIONS.items() if fields is None or users & fields)
    )


def listing_queryset(fields=None):
    return _with_relations(published_briefs(), fields)


def detail_queryset(fields=None):
    return _with_relations(published_brief_lookup(), fields)


# Content times (Last-Modified) --------------------------------------------------------------------


def live_pdf(brief):
    """The public PDF row of a published brief's live revision, or None."""
    return public_pdf(brief.live_revision_id)


def brief_modified(brief, pdf=UNREAD):
    """When the API's representation of a published brief last changed: its last publication,
    an edit of the evidence or sources it cites, or a change of its public PDF (``pdf``: its
    live_pdf, when the caller read it)."""
    if pdf is UNREAD:
        pdf = live_pdf(brief)
    pdf_times = (pdf.queued_at, pdf.started_at, pdf.finished_at) if pdf is not None else ()
    times = (brief_content_modified(brief), *pdf_times)
    return max((when for when in times if when), default=None)


# Versions and withdrawals -------------------------------------------------------------------------


def withdrawn_brief(**lookup):
    """``(brief, withdrawal)`` for a brief found by ``lookup`` that is not live because it
    was withdrawn (and has no view restriction); None otherwise (drafts, briefs unpublished
    without a notice, private briefs: those are plain 404s)."""
    brief = BriefPage.objects.not_live().public().filter(**lookup).order_by("pk").first()
    if brief is None:
        return None
    withdrawal = withdrawal_in_force(brief)
    return (brief, withdrawal) if withdrawal is not None else None


def version_pdf_urls(page, versions) -> dict[int, str]:
    """``{version number: path of its PDF}`` for the versions whose public PDF is ready (one
    query); the PDF URL is the one pdfs.views.version_pdf serves."""
    if not versions:
        return {}
    by_revision = {version.revision_id: version for version in versions}
    ready = (
        BriefPDF.objects.filter(
            revision_id__in=by_revision,
            kind=BriefPDF.Kind.PUBLIC,
            status=BriefPDF.Status.READY,
        )
        .exclude(file="")
        .values_list("revision_id", flat=True)
    )
    return {
        by_revision[revision_id].number: version_pdf_url(page, by_revision[revision_id].number)
        for revision_id in ready
    }
