"""The inline citation of rich text: stored as <a linktype="evidence" id="12">words</a>."""

from wagtail.rich_text import LinkHandler

from evidence.models import Evidence


class EvidenceLinkHandler(LinkHandler):
    identifier = "evidence"

    @staticmethod
    def get_model():
        return Evidence

    @classmethod
    def expand_db_attributes(cls, attrs):
        # Brief rich text never gets here: briefs.citations.CitationMarkup rewrites its citations
        # before expanding the other links. This is the plain link of rich text shown elsewhere.
        evidence_id = int(attrs["id"]) if str(attrs.get("id", "")).isdigit() else 0
        return f'<a class="citation" data-evidence="{evidence_id}" href="#evidence-{evidence_id}">'

    @classmethod
    def extract_references(cls, attrs):
        # Lets Wagtail's reference index list, on each piece of evidence, the briefs citing it.
        if str(attrs.get("id", "")).isdigit():
            yield cls.get_model(), attrs["id"], "", ""
