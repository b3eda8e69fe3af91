"""The blocks a brief is composed of. Each block says how it renders (its template and
context), what it lists in the table of contents (``toc_entries``) and how the API represents
it (``get_api_representation``, Wagtail's hook, its shape documented by api.briefs.serializers).
Every block that cites evidence gets its note number from the brief's notes (``notes`` and
``citations`` in the context, see BriefPage.get_context and block_data.api_context); rendered
alone, as in the admin's block preview, it numbers its own citations."""

import copy
import re

from django.core.exceptions import ValidationError
from django.utils.text import slugify
from wagtail import blocks
from wagtail.blocks import StructBlockValidationError
from wagtail.contrib.table_block.blocks import TableBlock

from evidence.blocks import EvidenceChooserBlock

from . import charts
from .block_data import (
    backed_items,
    chart_data,
    citation_ref,
    figure_data,
    noted_evidence,
    notes_of,
    rich_text_data,
    table_data,
    text,
)
from .block_evidence import citation_errors, evidence_id_of, prefetched, sample_evidence
from .citations import richtext_evidence_ids
from .figures import format_figure

RICH_TEXT_FEATURES = ["bold", "italic", "link", "ol", "ul", "evidence"]


def heading_anchor(text, max_length=80) -> str:
    """The one rule for the id of a heading (the target of the table of contents) or of any
    element of a brief named after its title."""
    return slugify(text or "")[:max_length]


def toc_entry(heading, anchor) -> dict:
    return {"heading": heading, "anchor": anchor}


class CitingEvidenceChooserBlock(EvidenceChooserBlock):
    """An evidence chooser that refuses evidence that may not be cited."""

    def bulk_to_python(self, values):
        values = list(values)
        known = noted_evidence()
        if not known:
            return super().bulk_to_python(values)
        ids = [None if v is None else evidence_id_of(v) for v in values]
        missing = [i for i in ids if i is not None and i not in known]
        found = dict(zip(missing, super().bulk_to_python(missing), strict=True))
        result, seen = [], set()
        for evidence_id in ids:
            evidence = known.get(evidence_id) or found.get(evidence_id)
            if evidence is not None and evidence_id in seen:
                evidence = copy.copy(evidence)  # a distinct object per block, as Wagtail's
            seen.add(evidence_id)
            result.append(evidence)
        return result

    def clean(self, value):
        value = super().clean(value)
        errors = citation_errors([evidence_id_of(value)]) if value else []
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

    def get_api_representation(self, value, context=None):
        return rich_text_data(value, context)

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
            value["anchor"] = heading_anchor(value["heading"])
        return value

    def anchor_of(self, value):
        return text(value.get("anchor")) or heading_anchor(text(value.get("heading")))

    def get_context(self, value, parent_context=None):
        context = super().get_context(value, parent_context)
        context["anchor"] = self.anchor_of(value)
        return context

    def toc_entries(self, value):
        return [toc_entry(text(value.get("heading")), self.anchor_of(value))]

    def get_api_representation(self, value, context=None):
        return {"heading": text(value.get("heading")), "anchor": self.anchor_of(value)}

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

    def get_api_representation(self, value, context=None):
        notes = notes_of(context)
        ref = citation_ref(value.get("evidence"), notes)
        note = notes.note_for(ref["evidence_id"]) if ref else None
        commentary = self.child_blocks["commentary"].get_api_representation(
            value.get("commentary"), context
        )
        return {
            "citation": ref,
            "quote": note.quote if note else None,
            "page": note.page if note else None,
            "source_id": note.source.pk if note else None,
            "commentary_html": commentary["html"],
            "commentary_citations": commentary["citations"],
        }

    class Meta:
        template = "briefs/blocks/evidence_quote.html"
        icon = "openquote"
        label = "Evidence quote"
        description = "The exact quote as a blockquote, with its source and page."

    def get_preview_value(self):
        evidence = sample_evidence()
        return self.normalize({"evidence": evidence, "commentary": None}) if evidence else None


def figure_caption(caption, year):
    """The caption with the figure's year in brackets, unless the caption already names it
    ("Joint projects by early 2018" stays as it is)."""
    if year and not re.search(rf"(?<!\d){year}(?!\d)", caption or ""):
        return f"{caption} ({year})"
    return caption


class WholeNumberBlock(blocks.IntegerBlock):
    """An IntegerBlock whose posted value is the number, not the string. Wagtail tells whether
    a StreamField changed by comparing get_prep_value of the saved and the posted value
    (BlockField.has_changed), and 1 != "1": every brief with a key figure looked edited, so a
    reviewer's Approve in the editor was refused for changes nobody made (briefs.admin_forms)
    and each workflow action saved a revision."""

    def value_from_datadict(self, data, files, prefix):
        value = super().value_from_datadict(data, files, prefix)
        try:
            return self.field.to_python(value)
        except ValidationError:
            return value  # clean() reports it

    def deconstruct(self):
        # Stored and migrated as the IntegerBlock it is: only the form value differs.
        return ("wagtail.blocks.IntegerBlock", *super().deconstruct()[1:])


class KeyFigureBlock(blocks.StructBlock):
    reads_figures = True  # its evidence's figures come with the notes (citations.build_notes)
    evidence = CitingEvidenceChooserBlock(help_text="A statistic with structured figures.")
    figure = WholeNumberBlock(
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

    def get_api_representation(self, value, context=None):
        notes = notes_of(context)
        ref = citation_ref(value.get("evidence"), notes)
        note = notes.note_for(ref["evidence_id"]) if ref else None
        figures = list(note.evidence.figures.all()) if note else []
        index = value.get("figure") if isinstance(value.get("figure"), int) else 1
        figure = figures[index - 1] if 0 < index <= len(figures) else None
        return {
            "citation": ref,
            "figure": figure_data(figure) if figure else None,
            "caption": text(value.get("caption")) or (figure.label if figure else ""),
        }

    class Meta:
        template = "briefs/blocks/key_figure.html"
        icon = "pick"
        label = "Key figure"
        description = "A large number taken from a statistic's figures."

    def get_preview_value(self):
        evidence = sample_evidence(with_figures=True)
        return (
            self.normalize({"evidence": evidence, "figure": 1, "caption": ""}) if evidence else None
        )


class ChartBlock(blocks.StructBlock):
    reads_figures = True  # (as KeyFigureBlock)
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
            element_id = self.element_id(value)
            context["chart"] = chart
            context["svg"] = charts.render_svg(chart, element_id)
            if not context.get("for_pdf"):
                context["svg_narrow"] = charts.render_svg(chart, element_id, charts.NARROW)
            context["element_id"] = element_id
        context["chart_evidence"] = evidence
        return context

    def element_id(self, value):
        return f"chart-{heading_anchor(value.get('title') or 'chart', 40)}"

    def get_api_representation(self, value, context=None):
        notes = notes_of(context)
        refs = [citation_ref(item, notes) for item in value.get("evidence") or []]
        refs = [ref for ref in refs if ref]
        chart_type = value.get("chart_type")
        return chart_data(
            title=text(value.get("title")),
            chart_type=chart_type if chart_type in ("bar", "line") else "bar",
            caption=text(value.get("caption")),
            refs=refs,
            evidence=[notes.note_for(ref["evidence_id"]).evidence for ref in refs],
            element_id=self.element_id(value),
        )

    class Meta:
        template = "briefs/blocks/chart.html"
        icon = "table"
        label = "Chart"
        description = "A bar or line chart drawn from the figures of evidence."

    def get_preview_value(self):
        evidence = sample_evidence(with_figures=True)
        if evidence is None:
            return None
        return self.normalize(
            {"title": "Preview", "chart_type": "bar", "evidence": [evidence], "caption": ""}
        )


class BackedItemBlock(blocks.StructBlock):
    text = blocks.TextBlock(max_length=600)
    evidence = CitingEvidenceChooserBlock(required=False)


class ListedInContents:
    """A block titled by its ``title``, listed in the table of contents under it."""

    default_title = ""

    def title_of(self, value):
        return text(value.get("title")) or self.default_title

    def anchor_of(self, value):
        return heading_anchor(self.title_of(value))

    def get_context(self, value, parent_context=None):
        context = super().get_context(value, parent_context)
        context["anchor"] = self.anchor_of(value)
        return context

    def toc_entries(self, value):
        return [toc_entry(self.title_of(value), self.anchor_of(value))]


class KeyFindingsBlock(ListedInContents, blocks.StructBlock):
    default_title = "Key findings"
    title = blocks.CharBlock(default="Key findings", max_length=80)
    items = blocks.ListBlock(BackedItemBlock(label="Finding"), min_num=1)

    def get_api_representation(self, value, context=None):
        return {
            "title": self.title_of(value),
            "anchor": self.anchor_of(value),
            "items": backed_items(value.get("items"), notes_of(context)),
        }

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

    MISSING_ADDRESSEE = "Say who each group of recommendations is for."

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The same message when the form does not defer required fields (a new brief's form,
        # briefs/admin_forms.py) as from clean() when it does (a draft of an existing brief).
        self.child_blocks["addressee"].field.error_messages["required"] = self.MISSING_ADDRESSEE

    def clean(self, value):
        value = super().clean(value)
        if not (value.get("addressee") or "").strip():
            raise StructBlockValidationError({"addressee": ValidationError(self.MISSING_ADDRESSEE)})
        return value


class RecommendationsBlock(ListedInContents, blocks.StructBlock):
    default_title = "Recommendations"
    title = blocks.CharBlock(default="Recommendations", max_length=80)
    groups = blocks.ListBlock(RecommendationGroupBlock(label="Addressee"), min_num=1)

    def get_api_representation(self, value, context=None):
        notes = notes_of(context)
        return {
            "title": self.title_of(value),
            "anchor": self.anchor_of(value),
            "groups": [
                {
                    "addressee": text(group.get("addressee")),
                    "items": backed_items(group.get("items"), notes),
                }
                for group in value.get("groups") or []
                if isinstance(group, dict)
            ],
        }

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

    def get_api_representation(self, value, context=None):
        tone = value.get("tone")
        body = self.child_blocks["body"].get_api_representation(value.get("body"), context)
        return {
            "title": text(value.get("title")),
            "tone": tone if tone in ("note", "context", "warning") else "note",
            **body,
        }

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
    def get_table_options(self, table_options=None):
        options = super().get_table_options(table_options)
        # The editor's Handsontable (6.2.2) ships only its en-US texts: asked for the site's
        # "en-gb", it logs an error in the browser's console and falls back to them anyway.
        options["language"] = "en-US"
        return options

    def clean(self, value):
        value = super().clean(value)
        data = (value or {}).get("data") or []
        if not any(cell not in (None, "") for row in data for cell in row):
            raise ValidationError("The table is empty; add some data or remove the block.")
        return value

    def get_api_representation(self, value, context=None):
        return table_data(value)

    class Meta:
        template = "briefs/blocks/table.html"
        icon = "table"
        label = "Table"
        description = "A table of data with an optional caption and header row."
        preview_value = {
            "data": [
                ["Year", "Chinese FDI (USD million)"],
                ["1999", "500"],
                ["2008", "700"],
            ],
            "first_row_is_table_header": True,
            "first_col_is_header": False,
            "table_header_choice": "row",
            "table_caption": "Chinese investment in Kazakhstan",
        }


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

    def table_of_contents(self, value) -> list[dict]:
        """The table of contents of a body, for the page, the PDF and the API: the entries of
        the blocks that list themselves in it (``toc_entries``), in reading order."""
        return [
            entry
            for child in value
            if hasattr(child.block, "toc_entries")
            for entry in child.block.toc_entries(child.value)
        ]

    def get_api_representation(self, value, context=None, block_types=None):
        """The body in the API: one object per block (of ``block_types`` only, if given), its
        id and type, then what the block represents (see the BodyBlock schema)."""
        return [
            {
                "id": str(child.id) if child.id else None,
                "type": child.block_type,
                **child.block.get_api_representation(child.value, context),
            }
            for child in value or []
            if block_types is None or child.block_type in block_types
        ]
