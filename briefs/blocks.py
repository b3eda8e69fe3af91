"""The blocks a brief is composed of. Every block that cites evidence gets its note number from
the brief's notes (``notes`` in the template context, see BriefPage.get_context); rendered alone,
as in the admin's block preview, it numbers its own citations."""

import re

from django.core.exceptions import ValidationError
from django.utils.text import slugify
from wagtail import blocks
from wagtail.blocks import StructBlockValidationError
from wagtail.contrib.table_block.blocks import TableBlock

from evidence.blocks import EvidenceChooserBlock
from evidence.models import Evidence

from . import charts
from .citations import richtext_evidence_ids
from .figures import format_figure

RICH_TEXT_FEATURES = ["bold", "italic", "link", "ol", "ul", "evidence"]


def _short(evidence):
    quote = evidence.display_quote
    return f"“{quote[:60]}{'…' if len(quote) > 60 else ''}”"


def citation_errors(evidence_ids) -> list[str]:
    """Why these pieces of evidence may not be cited (empty when they all may)."""
    ids = [int(i) for i in evidence_ids if i]
    if not ids:
        return []
    found = Evidence.objects.only("pk", "quote", "review_status", "anchor_status").in_bulk(ids)
    errors = []
    for evidence_id in dict.fromkeys(ids):
        evidence = found.get(evidence_id)
        if evidence is None:
            errors.append(f"Evidence #{evidence_id} no longer exists; remove the citation.")
        elif problems := evidence.status_problems():
            errors.append(
                f"Evidence #{evidence_id} {_short(evidence)} cannot be cited: "
                f"{'; '.join(problems)}; only accepted evidence can be cited, while its quote "
                "holds in the source. Cite other evidence, or fix this one first."
            )
    return errors


def _evidence_id(value):
    if value is None:
        return None
    return value.pk if isinstance(value, Evidence) else int(value)


def prefetched(evidence, context):
    """The brief's prefetched copy of ``evidence`` (source, authors, figures loaded once for the
    whole brief), so that rendering costs no query per block."""
    notes = (context or {}).get("notes")
    if evidence is None or notes is None:
        return evidence
    note = notes.note_for(evidence.pk)
    return note.evidence if note else evidence


def _sample_evidence(with_figures=False):
    queryset = Evidence.objects.citable()
    if with_figures:
        queryset = queryset.filter(figures__isnull=False)
    return queryset.order_by("pk").first()


class CitingEvidenceChooserBlock(EvidenceChooserBlock):
    """An evidence chooser that refuses evidence that may not be cited."""

    def clean(self, value):
        value = super().clean(value)
        errors = citation_errors([_evidence_id(value)]) if value else []
        if errors:
            raise ValidationError(" ".join(errors))
        return value


class CitedRichTextBlock(blocks.RichTextBlock):
    """Rich text whose inline citations (the "Evidence" button) become numbered notes."""

    def __init__(self, **kwargs):
        kwargs.setdefault("features", RICH_TEXT_FEATURES)
        super().__init__(**kwargs)

    def clean(self, value):
        value = super().clean(value)
        errors = citation_errors(richtext_evidence_ids(value.source))
        if errors:
            raise ValidationError(" ".join(errors))
        return value

    class Meta:
        template = "briefs/blocks/paragraph.html"
        icon = "pilcrow"
        label = "Text"
        description = "Paragraphs of prose; select words and press “Evidence” to cite."
        preview_value = (
            "<p>Chinese investment in Kazakhstan has grown steadily since the mid-1990s.</p>"
        )


class SectionHeadingBlock(blocks.StructBlock):
    heading = blocks.CharBlock(max_length=120)
    anchor = blocks.CharBlock(
        required=False,
        max_length=80,
        help_text="Link target for the table of contents; filled from the heading when blank.",
    )

    def clean(self, value):
        value = super().clean(value)
        if not value["heading"].strip():
            raise StructBlockValidationError(
                {"heading": ValidationError("A section needs a title.")}
            )
        if not value.get("anchor"):
            value["anchor"] = slugify(value["heading"])[:80]
        return value

    class Meta:
        template = "briefs/blocks/section_heading.html"
        icon = "title"
        label = "Section heading"
        description = "Starts a section; listed in the table of contents."
        preview_value = {"heading": "China's economic presence", "anchor": ""}


class EvidenceQuoteBlock(blocks.StructBlock):
    evidence = CitingEvidenceChooserBlock()
    commentary = CitedRichTextBlock(required=False, features=["bold", "italic", "link"])

    def get_context(self, value, parent_context=None):
        context = super().get_context(value, parent_context)
        context["evidence"] = prefetched(value.get("evidence"), parent_context)
        return context

    class Meta:
        template = "briefs/blocks/evidence_quote.html"
        icon = "openquote"
        label = "Evidence quote"
        description = "The exact quote as a blockquote, with its source and page."

    def get_preview_value(self):
        evidence = _sample_evidence()
        return self.normalize({"evidence": evidence, "commentary": None}) if evidence else None


def figure_caption(caption, year):
    """The caption with the figure's year in brackets, unless the caption already names it
    ("Joint projects by early 2018" stays as it is)."""
    if year and not re.search(rf"(?<!\d){year}(?!\d)", caption or ""):
        return f"{caption} ({year})"
    return caption


class KeyFigureBlock(blocks.StructBlock):
    evidence = CitingEvidenceChooserBlock(help_text="A statistic with structured figures.")
    figure = blocks.IntegerBlock(
        min_value=1, default=1, help_text="Which of the evidence's figures, in their order."
    )
    caption = blocks.CharBlock(
        required=False, max_length=200, help_text="Leave blank to use the figure's label."
    )

    def clean(self, value):
        value = super().clean(value)
        evidence = value.get("evidence")
        if evidence is not None:
            figures = list(evidence.figures.all())
            if not figures:
                raise StructBlockValidationError(
                    {"evidence": ValidationError("This evidence carries no figures.")}
                )
            if value["figure"] > len(figures):
                raise StructBlockValidationError(
                    {
                        "figure": ValidationError(
                            f"This evidence has {len(figures)} figure(s); choose 1 to "
                            f"{len(figures)}."
                        )
                    }
                )
        return value

    def get_context(self, value, parent_context=None):
        context = super().get_context(value, parent_context)
        evidence = prefetched(value.get("evidence"), parent_context)
        context["evidence"] = evidence
        figures = list(evidence.figures.all()) if evidence else []
        index = (value.get("figure") or 1) - 1
        figure = figures[index] if 0 <= index < len(figures) else None
        context["figure"] = figure
        if figure is not None:
            context["display"] = format_figure(figure.value, figure.unit)
            context["caption"] = figure_caption(value.get("caption") or figure.label, figure.year)
        return context

    class Meta:
        template = "briefs/blocks/key_figure.html"
        icon = "pick"
        label = "Key figure"
        description = "A large number taken from a statistic's figures."

    def get_preview_value(self):
        evidence = _sample_evidence(with_figures=True)
        return (
            self.normalize({"evidence": evidence, "figure": 1, "caption": ""}) if evidence else None
        )


class ChartBlock(blocks.StructBlock):
    title = blocks.CharBlock(max_length=160)
    chart_type = blocks.ChoiceBlock(choices=[("bar", "Bar chart"), ("line", "Line chart")])
    evidence = blocks.ListBlock(
        CitingEvidenceChooserBlock(),
        min_num=1,
        help_text="Statistics in one unit; each figure label becomes a series.",
    )
    caption = blocks.CharBlock(required=False, max_length=300)

    def clean(self, value):
        value = super().clean(value)
        # A draft (and the editor's autosave) may hold list items not chosen yet: Wagtail
        # defers required-field validation for drafts, so check what is chosen so far.
        chosen = [item for item in value["evidence"] if item]
        if not chosen and self.is_deferred_validation:
            return value
        try:
            charts.build_chart(value["chart_type"], value["title"], chosen)
        except charts.ChartError as error:
            raise StructBlockValidationError({"evidence": ValidationError(str(error))}) from None
        return value

    def get_context(self, value, parent_context=None):
        context = super().get_context(value, parent_context)
        evidence = [
            prefetched(item, parent_context) for item in value.get("evidence") or [] if item
        ]
        try:
            chart = charts.build_chart(value.get("chart_type"), value.get("title"), evidence)
        except charts.ChartError as error:
            context["chart_error"] = str(error)
        else:
            element_id = f"chart-{slugify(value.get('title') or 'chart')[:40]}"
            context["chart"] = chart
            context["svg"] = charts.render_svg(chart, element_id)
            context["svg_narrow"] = charts.render_svg(chart, element_id, charts.NARROW)
            context["element_id"] = element_id
        context["chart_evidence"] = evidence
        return context

    class Meta:
        template = "briefs/blocks/chart.html"
        icon = "table"
        label = "Chart"
        description = "A bar or line chart drawn from the figures of evidence."

    def get_preview_value(self):
        evidence = _sample_evidence(with_figures=True)
        if evidence is None:
            return None
        return self.normalize(
            {"title": "Preview", "chart_type": "bar", "evidence": [evidence], "caption": ""}
        )


class BackedItemBlock(blocks.StructBlock):
    text = blocks.TextBlock(max_length=600)
    evidence = CitingEvidenceChooserBlock(required=False)


class KeyFindingsBlock(blocks.StructBlock):
    title = blocks.CharBlock(default="Key findings", max_length=80)
    items = blocks.ListBlock(BackedItemBlock(label="Finding"), min_num=1)

    class Meta:
        template = "briefs/blocks/key_findings.html"
        icon = "list-ul"
        label = "Key findings"
        description = "The brief's findings in a box, each optionally backed by evidence."
        preview_value = {
            "title": "Key findings",
            "items": [{"text": "China is Kazakhstan's second trading partner.", "evidence": None}],
        }


class RecommendationGroupBlock(blocks.StructBlock):
    addressee = blocks.CharBlock(
        max_length=120, help_text="Who should act, e.g. “For the Government of China”."
    )
    items = blocks.ListBlock(BackedItemBlock(label="Recommendation"), min_num=1)

    def clean(self, value):
        value = super().clean(value)
        if not (value.get("addressee") or "").strip():
            raise StructBlockValidationError(
                {"addressee": ValidationError("Say who each group of recommendations is for.")}
            )
        return value


class RecommendationsBlock(blocks.StructBlock):
    title = blocks.CharBlock(default="Recommendations", max_length=80)
    groups = blocks.ListBlock(RecommendationGroupBlock(label="Addressee"), min_num=1)

    class Meta:
        template = "briefs/blocks/recommendations.html"
        icon = "tick-inverse"
        label = "Recommendations"
        description = "Recommendations grouped by addressee, each optionally backed by evidence."
        preview_value = {
            "title": "Recommendations",
            "groups": [
                {
                    "addressee": "For the Government of Kazakhstan",
                    "items": [{"text": "Publish the terms of Chinese loans.", "evidence": None}],
                }
            ],
        }


class CalloutBlock(blocks.StructBlock):
    title = blocks.CharBlock(max_length=120)
    body = CitedRichTextBlock()
    tone = blocks.ChoiceBlock(
        choices=[("note", "Note"), ("context", "Context"), ("warning", "Caveat")], default="note"
    )

    class Meta:
        template = "briefs/blocks/callout.html"
        icon = "help"
        label = "Callout"
        description = "A boxed aside: context, a definition or a caveat."
        preview_value = {
            "title": "What is RCEP?",
            "body": "<p>A free trade agreement of fifteen Asia-Pacific economies.</p>",
            "tone": "context",
        }


class BriefTableBlock(TableBlock):
    def clean(self, value):
        value = super().clean(value)
        data = (value or {}).get("data") or []
        if not any(cell not in (None, "") for row in data for cell in row):
            raise ValidationError("The table is empty; add some data or remove the block.")
        return value

    class Meta:
        template = "briefs/blocks/table.html"
        icon = "table"
        label = "Table"
        description = "A table of data with an optional caption and header row."


class BriefStreamBlock(blocks.StreamBlock):
    section = SectionHeadingBlock()
    paragraph = CitedRichTextBlock()
    evidence_quote = EvidenceQuoteBlock()
    key_figure = KeyFigureBlock()
    chart = ChartBlock()
    key_findings = KeyFindingsBlock()
    recommendations = RecommendationsBlock()
    table = BriefTableBlock(
        table_options={
            "contextMenu": [
                "row_above",
                "row_below",
                "col_left",
                "col_right",
                "remove_row",
                "remove_col",
                "undo",
                "redo",
            ]
        }
    )
    callout = CalloutBlock()

    def clean(self, value):
        value = super().clean(value)
        errors = {}
        for index, child in enumerate(value):
            if child.block_type == "section":
                following = value[index + 1] if index + 1 < len(value) else None
                if following is None or following.block_type == "section":
                    errors[index] = ValidationError(
                        "This section is empty: add content under it or remove the heading."
                    )
        if errors:
            raise blocks.StreamBlockValidationError(block_errors=errors)
        return value
