"""Serializers of the briefs API. They read the plain dicts built by api.briefs.representation and
define the documented shape of every field (the OpenAPI schema is generated from them). The
body blocks represent themselves (briefs.blocks): their serializers here are the schema's
documentation of that shape, used as such by BodyField."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import PolymorphicProxySerializer, extend_schema_field
from rest_framework import serializers

from api.common import SparseFieldsMixin
from briefs.models import BriefPage
from briefs.models.versions import UPDATE_NOTICE_TYPES, NoticeType

# Small pieces -------------------------------------------------------------------------------------


class AuthorSerializer(serializers.Serializer):
    name = serializers.CharField()
    affiliation = serializers.CharField(allow_blank=True)


class CountryRefSerializer(serializers.Serializer):
    iso_code = serializers.CharField(help_text="ISO 3166-1 alpha-2 code, e.g. KZ.")
    slug = serializers.CharField()
    name = serializers.CharField()


class TopicRefSerializer(serializers.Serializer):
    slug = serializers.CharField()
    name = serializers.CharField()


class CitationRefSerializer(serializers.Serializer):
    """Where a block cites evidence: the note number (see ``notes``) and the evidence id."""

    note = serializers.IntegerField(min_value=1, help_text="Number of the note in ``notes``.")
    evidence_id = serializers.IntegerField(help_text="See /api/v1/evidence/{id}/.")


class SelectorSerializer(serializers.Serializer):
    """A W3C Web Annotation selector: TextQuoteSelector (exact, prefix, suffix) or
    TextPositionSelector (start, end: character offsets in the source's normalised text)."""

    type = serializers.ChoiceField(choices=["TextQuoteSelector", "TextPositionSelector"])
    exact = serializers.CharField(required=False)
    prefix = serializers.CharField(required=False, allow_blank=True)
    suffix = serializers.CharField(required=False, allow_blank=True)
    start = serializers.IntegerField(required=False)
    end = serializers.IntegerField(required=False)


class SourceSummarySerializer(serializers.Serializer):
    id = serializers.IntegerField(help_text="See /api/v1/sources/{id}/.")
    title = serializers.CharField()
    publisher = serializers.CharField(allow_blank=True)
    year = serializers.IntegerField(allow_null=True)
    url = serializers.CharField(allow_blank=True, help_text="The source's own web address.")


@extend_schema_field(
    {
        "type": "object",
        "additionalProperties": True,
        "required": ["id", "type", "title"],
        "properties": {
            "id": {"type": "string"},
            "type": {"type": "string"},
            "title": {"type": "string"},
        },
        "description": "A CSL-JSON item (https://citeproc-js.readthedocs.io/en/latest/csl-json/"
        "markup.html), ready for citation managers.",
    }
)
class CSLField(serializers.JSONField):
    pass


class NoteSerializer(serializers.Serializer):
    """A numbered citation: the evidence quoted, where it stands in its source, and the note
    as printed under the brief (text and HTML)."""

    number = serializers.IntegerField(min_value=1)
    evidence_id = serializers.IntegerField()
    quote = serializers.CharField(help_text="The exact quote, line breaks folded into spaces.")
    page = serializers.IntegerField(help_text="Page of the source where the quote starts.")
    claim = serializers.CharField(allow_blank=True, help_text="What the quote shows.")
    kind = serializers.CharField()
    citing = serializers.CharField(
        allow_blank=True, help_text="The source's own footnote the quote carries, in short."
    )
    selectors = SelectorSerializer(many=True)
    source = SourceSummarySerializer()
    text = serializers.CharField(help_text="The note as plain text.")
    html = serializers.CharField(help_text="The note as HTML.")
    ocr = serializers.BooleanField(help_text="Whether the quote was read by OCR from a scan.")
    ocr_confidence = serializers.FloatField(
        allow_null=True,
        min_value=0,
        max_value=100,
        help_text="Mean OCR confidence (0-100) of the quoted words; null when not OCR'd.",
    )


@extend_schema_field(NoteSerializer(many=True))
class NotesField(serializers.Field):
    """The notes as api.briefs.representation.note_data makes them, in the shape NoteSerializer
    documents (a test holds the two together). Given as they are, like the body: a hundred
    notes through NoteSerializer cost some 400 nested serializations, a third of the detail."""

    def __init__(self, **kwargs):
        kwargs["read_only"] = True
        super().__init__(**kwargs)

    def to_representation(self, value):
        return value


class BibliographyEntrySerializer(serializers.Serializer):
    source_id = serializers.IntegerField()
    text = serializers.CharField()
    html = serializers.CharField()
    csl = CSLField()


class PdfSerializer(serializers.Serializer):
    status = serializers.ChoiceField(
        choices=["ready", "queued", "rendering", "failed", "unavailable"],
        help_text="ready: the PDF of the published revision can be downloaded from url; "
        "queued or rendering: it is being made; failed: it could not be made; unavailable: "
        "there is none. url, sha256, pages and size are null unless ready.",
    )
    url = serializers.CharField(allow_null=True)
    sha256 = serializers.CharField(allow_null=True)
    pages = serializers.IntegerField(allow_null=True)
    size = serializers.IntegerField(allow_null=True, help_text="Bytes.")


class VersionSerializer(serializers.Serializer):
    """One publication of the brief. Only what went live is a version: drafts and revisions
    that were never published never appear."""

    number = serializers.IntegerField(min_value=1, help_text="1 for the first publication.")
    published_at = serializers.DateTimeField()
    url = serializers.URLField(
        allow_null=True, help_text="The version's permanent page on the public site."
    )
    pdf_url = serializers.URLField(
        allow_null=True, help_text="The version's PDF; null until it is ready."
    )
    notice_type = serializers.ChoiceField(
        choices=UPDATE_NOTICE_TYPES,
        allow_null=True,
        help_text="The update notice it was published with; null for the first version.",
    )
    notice_text = serializers.CharField(allow_null=True)


class NoticeSerializer(serializers.Serializer):
    """A public notice: an update notice of a version, or a withdrawal."""

    type = serializers.ChoiceField(choices=NoticeType.choices)
    date = serializers.DateTimeField()
    text = serializers.CharField()
    version = serializers.IntegerField(
        allow_null=True, help_text="The version it came with; null for a withdrawal."
    )


class TocEntrySerializer(serializers.Serializer):
    heading = serializers.CharField()
    anchor = serializers.CharField(allow_blank=True)


# Body blocks --------------------------------------------------------------------------------------

HTML_HELP = (
    "Clean HTML (p, a, strong/b, em/i, ol, ul, li). An inline citation reads "
    '<span class="cited">cited words</span><a class="note-ref" href="#note-N" data-note="N" '
    'data-evidence="ID" …>N</a>: N is the number of the note in ``notes``, ID the evidence.'
)


def _type(name):
    return serializers.ChoiceField(choices=[name], help_text="The block type.")


class BlockBase(serializers.Serializer):
    id = serializers.CharField(allow_null=True, help_text="Stable id of the block.")


class SectionBlockSerializer(BlockBase):
    type = _type("section")
    heading = serializers.CharField(allow_blank=True)
    anchor = serializers.CharField(allow_blank=True)


class ParagraphBlockSerializer(BlockBase):
    type = _type("paragraph")
    html = serializers.CharField(allow_blank=True, help_text=HTML_HELP)
    citations = CitationRefSerializer(many=True)


class EvidenceQuoteBlockSerializer(BlockBase):
    type = _type("evidence_quote")
    citation = CitationRefSerializer(allow_null=True)
    quote = serializers.CharField(allow_null=True)
    page = serializers.IntegerField(allow_null=True)
    source_id = serializers.IntegerField(allow_null=True)
    commentary_html = serializers.CharField(allow_blank=True, help_text=HTML_HELP)
    commentary_citations = CitationRefSerializer(many=True)


class FigureSerializer(serializers.Serializer):
    value = serializers.CharField(help_text="A decimal number as a string, e.g. 27000000000.")
    unit = serializers.CharField()
    year = serializers.IntegerField(allow_null=True)
    label = serializers.CharField()
    display = serializers.CharField(help_text="As shown to readers, e.g. $27 billion.")


class KeyFigureBlockSerializer(BlockBase):
    type = _type("key_figure")
    citation = CitationRefSerializer(allow_null=True)
    figure = FigureSerializer(allow_null=True)
    caption = serializers.CharField(allow_blank=True)


class ChartPointSerializer(serializers.Serializer):
    category = serializers.CharField()
    value = serializers.CharField(help_text="A decimal number as a string.")


class ChartSeriesSerializer(serializers.Serializer):
    label = serializers.CharField()
    points = ChartPointSerializer(many=True)


class ChartBlockSerializer(BlockBase):
    type = _type("chart")
    title = serializers.CharField(allow_blank=True)
    chart_type = serializers.ChoiceField(choices=["bar", "line"])
    caption = serializers.CharField(allow_blank=True)
    citations = CitationRefSerializer(many=True)
    unit = serializers.CharField(allow_null=True)
    categories = serializers.ListField(child=serializers.CharField())
    series = ChartSeriesSerializer(many=True)
    description = serializers.CharField(allow_blank=True, help_text="The data in words.")
    svg = serializers.CharField(allow_null=True, help_text="The chart as accessible SVG.")
    error = serializers.CharField(
        allow_null=True, help_text="Why the chart cannot be drawn, when it cannot."
    )


class BackedItemSerializer(serializers.Serializer):
    text = serializers.CharField(allow_blank=True)
    citation = CitationRefSerializer(allow_null=True)


class KeyFindingsBlockSerializer(BlockBase):
    type = _type("key_findings")
    title = serializers.CharField()
    anchor = serializers.CharField(allow_blank=True)
    items = BackedItemSerializer(many=True)


class RecommendationGroupSerializer(serializers.Serializer):
    addressee = serializers.CharField(allow_blank=True)
    items = BackedItemSerializer(many=True)


class RecommendationsBlockSerializer(BlockBase):
    type = _type("recommendations")
    title = serializers.CharField()
    anchor = serializers.CharField(allow_blank=True)
    groups = RecommendationGroupSerializer(many=True)


class TableBlockSerializer(BlockBase):
    type = _type("table")
    caption = serializers.CharField(allow_blank=True)
    first_row_is_header = serializers.BooleanField()
    first_column_is_header = serializers.BooleanField()
    rows = serializers.ListField(
        child=serializers.ListField(child=serializers.CharField(allow_null=True, allow_blank=True))
    )


class CalloutBlockSerializer(BlockBase):
    type = _type("callout")
    title = serializers.CharField(allow_blank=True)
    tone = serializers.ChoiceField(choices=["note", "context", "warning"])
    html = serializers.CharField(allow_blank=True, help_text=HTML_HELP)
    citations = CitationRefSerializer(many=True)


BLOCK_SERIALIZERS = {
    "section": SectionBlockSerializer,
    "paragraph": ParagraphBlockSerializer,
    "evidence_quote": EvidenceQuoteBlockSerializer,
    "key_figure": KeyFigureBlockSerializer,
    "chart": ChartBlockSerializer,
    "key_findings": KeyFindingsBlockSerializer,
    "recommendations": RecommendationsBlockSerializer,
    "table": TableBlockSerializer,
    "callout": CalloutBlockSerializer,
}


@extend_schema_field(
    PolymorphicProxySerializer(
        component_name="BodyBlock",
        serializers=BLOCK_SERIALIZERS,
        resource_type_field_name="type",
        many=True,
    )
)
class BodyField(serializers.Field):
    """The body, in reading order: one object per block, its shape given by ``type``. The
    blocks represent themselves (briefs.blocks, ``get_api_representation``); the block
    serializers above document their shape in the schema."""

    def __init__(self, **kwargs):
        kwargs["read_only"] = True
        super().__init__(**kwargs)

    def to_representation(self, value):
        return value


# Briefs -------------------------------------------------------------------------------------------


class BriefSummarySerializer(SparseFieldsMixin, serializers.Serializer):
    """A published brief. Every field is given, unless ``?fields=`` names the ones wanted
    (``id`` and ``slug`` are always given)."""

    id = serializers.IntegerField()
    slug = serializers.CharField()
    title = serializers.CharField()
    kind = serializers.ChoiceField(choices=BriefPage.Kind.choices)
    kind_label = serializers.CharField()
    standfirst = serializers.CharField()
    publication_date = serializers.DateField(allow_null=True)
    first_published_at = serializers.DateTimeField(allow_null=True)
    last_published_at = serializers.DateTimeField(allow_null=True)
    url = serializers.CharField(allow_null=True, help_text="The brief on the public site.")
    api_url = serializers.SerializerMethodField()
    authors = AuthorSerializer(many=True)
    countries = CountryRefSerializer(many=True)
    topics = TopicRefSerializer(many=True)

    @extend_schema_field(OpenApiTypes.URI)
    def get_api_url(self, data) -> str:
        from django.urls import reverse

        path = reverse("api:brief-detail", args=[data["slug"]])
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request else path


class BriefDetailSerializer(BriefSummarySerializer):
    """A published brief in full. Every field is given, unless ``?fields=`` names the ones
    wanted (``id`` and ``slug`` are always given)."""

    cite_as = serializers.CharField(help_text="“Cite this brief” as plain text.")
    csl = CSLField(help_text="The brief as a CSL-JSON item.")
    table_of_contents = TocEntrySerializer(many=True)
    key_findings = KeyFindingsBlockSerializer(many=True, help_text="The key findings blocks.")
    recommendations = RecommendationsBlockSerializer(
        many=True, help_text="The recommendations blocks."
    )
    body = BodyField()
    notes = NotesField(help_text="The citations, numbered in reading order.")
    bibliography = BibliographyEntrySerializer(many=True)
    pdf = PdfSerializer()
    versions = VersionSerializer(many=True, help_text="Every version, oldest first.")
    notices = NoticeSerializer(many=True, help_text="The brief's notices, newest first.")


class BriefVersionDetailSerializer(BriefDetailSerializer):
    """A version in full: the detail's shape, as that version was published (``url`` is the
    version's page, ``pdf`` its PDF). Every field is given, unless ``?fields=`` names the ones
    wanted (``id`` and ``slug`` are always given)."""

    version = VersionSerializer(help_text="Which version this is.")
