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
    """database -> contentstate: the entity data the editor shows (the quote and its page)."""

    def get_attribute_data(self, attrs):
        try:
            evidence_id = int(attrs["id"])
        except (KeyError, ValueError):
            return {}
        evidence = Evidence.objects.filter(pk=evidence_id).only("quote", "page").first()
        if evidence is None:
            return {"id": evidence_id, "label": "Missing evidence", "missing": True}
        return {"id": evidence.pk, "label": str(evidence), "page": evidence.page}


ContentstateEvidenceConversionRule = {
    "from_database_format": {'a[linktype="evidence"]': EvidenceCitationElementHandler("EVIDENCE")},
    "to_database_format": {"entity_decorators": {"EVIDENCE": evidence_citation_entity}},
}
