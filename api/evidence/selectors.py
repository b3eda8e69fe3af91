"""Evidence cited by published briefs and the briefs citing it, and its public
representation."""

from django.urls import reverse

from api.briefs.representation import country_data, source_summary, topic_data
from api.ocr import ocr_data
from briefs.block_data import figure_data
from briefs.citations import short_reference
from briefs.services import last_publication_change, published_briefs
from evidence.models import Evidence


def public_evidence(evidence_id):
    return (
        Evidence.objects.select_related("source", "footnote__repeats")
        .prefetch_related("figures", "countries", "topics")
        .filter(pk=evidence_id)
        .first()
    )


def citing_briefs(brief_ids, request):
    """The published briefs among ``brief_ids``, as short references, in id order."""
    briefs = published_briefs().filter(pk__in=brief_ids).order_by("pk")
    return [
        {
            "id": brief.pk,
            "slug": brief.slug,
            "title": brief.title,
            "url": brief.get_full_url(request),
            "api_url": request.build_absolute_uri(reverse("api:brief-detail", args=[brief.slug])),
        }
        for brief in briefs
    ]


def content_modified(*times):
    """The newest of ``times`` (edits of evidence and sources) and of the last change of the
    published briefs (which cite it, and how: ``cited_by`` follows every publication and
    unpublication, which leave no time on the other briefs)."""
    return max((when for when in (*times, last_publication_change()) if when), default=None)


def footnote_data(evidence):
    reference = evidence.footnote
    if reference is None:
        return None
    resolved = reference.resolved or reference
    return {
        "number": reference.number,
        "label": reference.label,
        "content": resolved.content,
        "url": resolved.url,
        "short": short_reference(resolved.content),
    }


def evidence_data(evidence, brief_ids, request):
    return {
        "id": evidence.pk,
        "quote": evidence.quote,
        "display_quote": evidence.display_quote,
        "page": evidence.page,
        "claim": evidence.claim,
        "kind": evidence.kind,
        "selectors": evidence.selectors(),
        "anchor_status": evidence.anchor_status,
        "text_sha256": evidence.text_sha256,
        "footnote": footnote_data(evidence),
        "figures": [figure_data(figure) for figure in evidence.figures.all()],
        "source": source_summary(evidence.source),
        "countries": [country_data(country) for country in evidence.countries.all()],
        "topics": [topic_data(topic) for topic in evidence.topics.all()],
        "cited_by": citing_briefs(brief_ids, request),
        **ocr_data(evidence),
    }
