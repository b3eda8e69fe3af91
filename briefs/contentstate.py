"""Draftail (contentstate) conversion of the inline citation entity, EVIDENCE."""

from draftjs_exporter import DOM
from wagtail.admin.rich_text.converters.html_to_contentstate import LinkElementHandler

from evidence.models import Evidence


def evidence_citation_entity(props):
    """contentstate -> database: <a linktype="evidence" id="12">cited words</a>."""
    return DOM.create_element(
        "a", {"linktype": "evidence", "id": props.get("id")}, props["children"]
    )


class EvidenceCitationElementHandler(LinkElementHandler):
    """database -> contentstate: the entity data the editor shows (the quote, its page, a link to
    the evidence, and why it may not be cited any more, when it may not)."""

    def get_attribute_data(self, attrs):
        try:
            evidence_id = int(attrs["id"])
        except (KeyError, TypeError, ValueError):
            return {"label": "Missing evidence", "missing": True}
        evidence = (
            Evidence.objects.filter(pk=evidence_id)
            .only(
                "quote",
                "page",
                "source_id",
                "review_status",
                "anchor_status",
                "ocr_needs_confirmation",
            )
            .first()
        )
        if evidence is None:
            return {"id": evidence_id, "label": "Missing evidence", "missing": True}
        data = {
            "id": evidence.pk,
            "label": str(evidence),
            "page": evidence.page,
            "source": evidence.source_id,
            "url": evidence.get_admin_url(),
        }
        problem = evidence.blocked_reason()
        if problem:
            data["problem"] = f"{problem}. Saving will be refused until it is replaced."
        return data


ContentstateEvidenceConversionRule = {
    "from_database_format": {'a[linktype="evidence"]': EvidenceCitationElementHandler("EVIDENCE")},
    "to_database_format": {"entity_decorators": {"EVIDENCE": evidence_citation_entity}},
}
