"""What of a source is public (its evidence that published briefs cite), and its public
representation."""

from django.urls import reverse

from api.briefs.representation import country_data, topic_data
from api.evidence.selectors import citing_briefs, content_modified
from briefs.citations import source_csl
from evidence.models import Evidence
from sources.models import Source


def public_source(source_id, index):
    """The source, with its evidence that published briefs cite, or (None, [])."""
    # A source holds hundreds of quotes at most: filter them here rather than sending every
    # cited id to the database.
    cited = [
        evidence
        for evidence in Evidence.objects.filter(source_id=source_id)
        .only("pk", "quote", "page", "source_id", "updated_at")
        .order_by("start", "pk")
        if evidence.pk in index
    ]
    if not cited:
        return None, []
    source = (
        Source.objects.prefetch_related("authors", "countries", "topics")
        .filter(pk=source_id)
        .first()
    )
    return source, cited


def source_data(source, cited, index, request):
    brief_ids = sorted({pk for evidence in cited for pk in index.get(evidence.pk, [])})
    return {
        "id": source.pk,
        "title": source.title,
        "subtitle": source.subtitle,
        "authors": [
            {"name": author.name, "kind": author.kind, "role": author.role}
            for author in source.authors.all()
        ],
        "publisher": source.publisher,
        "publication_date": source.publication_date,
        "date_precision": source.date_precision,
        "document_type": source.document_type,
        "language": source.language,
        "url": source.url,
        "abstract": source.abstract,
        "page_count": source.page_count,
        "countries": [country_data(country) for country in source.countries.all()],
        "topics": [topic_data(topic) for topic in source.topics.all()],
        "csl": source_csl(source),
        "cited_evidence": [
            {
                "id": evidence.pk,
                "quote": evidence.display_quote,
                "page": evidence.page,
                "api_url": request.build_absolute_uri(
                    reverse("api:evidence-detail", args=[evidence.pk])
                ),
            }
            for evidence in cited
        ],
        "cited_by": citing_briefs(brief_ids, request),
    }


def source_modified(source, cited):
    """When the public representation of ``source`` last changed (see content_modified)."""
    return content_modified(source.updated_at, *(evidence.updated_at for evidence in cited))
