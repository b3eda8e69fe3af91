"""Block values as plain data: the pieces the blocks' ``get_api_representation`` (briefs.blocks)
are made of, for the public API, whose shapes api.briefs.serializers documents. The context of
a brief body (``api_context``) carries its notes, so that every citation gets its number."""

import re
from contextlib import contextmanager
from contextvars import ContextVar
from decimal import Decimal

from . import charts
from .citations import CitationMarkup, Notes, richtext_evidence_ids
from .figures import format_figure

_RELATIVE_HREF_RE = re.compile(r'(\s(?:href|src)=")(/[^/"][^"]*|/)"')


def api_context(notes: Notes, request=None) -> dict:
    """The context of ``get_api_representation`` for a brief body: its notes, the request
    (links are made absolute) and the citation markup of the API (with ``data-evidence``)."""
    return {
        "notes": notes,
        "request": request,
        "citations": CitationMarkup(notes, evidence_ids=True),
    }


# The notes whose evidence the body's evidence choosers take instead of querying once per block
# type (Wagtail's ChooserBlock.bulk_to_python runs one query per block type of a stream): a
# provider, called only if a chooser converts its values (a cached rendering never does).
_notes_provider = ContextVar("briefs_notes_provider", default=None)


@contextmanager
def evidence_from_notes(provider):
    """While active, evidence choosers take the evidence of ``provider()``'s notes."""
    token = _notes_provider.set(provider)
    try:
        yield
    finally:
        _notes_provider.reset(token)


def noted_evidence() -> dict:
    """Evidence by id from the active notes (see evidence_from_notes), or {}."""
    provider = _notes_provider.get()
    if provider is None:
        return {}
    return {pk: note.evidence for pk, note in provider().by_evidence.items()}


def notes_of(context) -> Notes:
    notes = (context or {}).get("notes")
    return notes if notes is not None else Notes()


def text(value) -> str:
    return value if isinstance(value, str) else ("" if value is None else str(value))


def decimal_text(value) -> str:
    """A Decimal as a plain decimal string ("27000000000", "58.5"), never in exponent form."""
    return format(Decimal(value).normalize(), "f")


def absolute_links(html: str, request) -> str:
    """Site-relative links of expanded rich text (page and document links) made absolute."""
    if request is None:
        return html
    return _RELATIVE_HREF_RE.sub(
        lambda m: f'{m.group(1)}{request.build_absolute_uri(m.group(2))}"', html
    )


def citation_ref(evidence, notes: Notes):
    """``{"note": N, "evidence_id": ID}`` for chosen evidence (or its id), or None (none or
    gone)."""
    evidence_id = evidence if isinstance(evidence, int) else getattr(evidence, "pk", None)
    note = notes.note_for(evidence_id) if evidence_id else None
    if note is None:
        return None
    return {"note": note.number, "evidence_id": evidence_id}


def richtext_refs(html: str, notes: Notes) -> list[dict]:
    refs, seen = [], set()
    for evidence_id in richtext_evidence_ids(html or ""):
        ref = citation_ref(evidence_id, notes)
        if ref and evidence_id not in seen:
            seen.add(evidence_id)
            refs.append(ref)
    return refs


def rich_text_data(value, context) -> dict:
    """Cited rich text: its HTML, citations in their final markup (see CitationMarkup), links
    absolute; and the citations it holds, in order."""
    source = text(getattr(value, "source", value))
    citations = (context or {}).get("citations") or CitationMarkup(
        notes_of(context), evidence_ids=True
    )
    html = absolute_links(str(citations.rich_text(source)), (context or {}).get("request"))
    return {"html": html, "citations": richtext_refs(source, notes_of(context))}


def figure_data(figure) -> dict:
    return {
        "value": decimal_text(figure.value),
        "unit": figure.unit,
        "year": figure.year,
        "label": figure.label,
        "display": format_figure(figure.value, figure.unit),
    }


def backed_items(items, notes: Notes) -> list[dict]:
    return [
        {"text": text(item.get("text")), "citation": citation_ref(item.get("evidence"), notes)}
        for item in items or []
        if isinstance(item, dict)
    ]


def chart_data(title, chart_type, caption, refs, evidence, element_id) -> dict:
    """A chart as data: its series and categories, its SVG; or why it cannot be drawn."""
    data = {
        "title": title,
        "chart_type": chart_type,
        "caption": caption,
        "citations": refs,
        "unit": None,
        "categories": [],
        "series": [],
        "description": "",
        "svg": None,
        "error": None,
    }
    try:
        chart = charts.build_chart(chart_type, title, evidence)
    except charts.ChartError as error:
        data["error"] = str(error)
        return data
    data.update(
        unit=chart.unit,
        categories=[str(category) for category in chart.categories],
        series=[
            {
                "label": series.label,
                "points": [
                    {"category": str(category), "value": decimal_text(value)}
                    for category, value in series.points
                ],
            }
            for series in chart.series
        ],
        description=chart.description,
        svg=charts.render_svg(chart, element_id),
    )
    return data


def table_data(value) -> dict:
    value = value or {}
    choice = value.get("table_header_choice") or ""
    first_row = (
        choice in ("row", "both") if choice else bool(value.get("first_row_is_table_header"))
    )
    first_col = (
        choice in ("col", "column", "both") if choice else bool(value.get("first_col_is_header"))
    )
    return {
        "caption": text(value.get("table_caption")),
        "first_row_is_header": first_row,
        "first_column_is_header": first_col,
        "rows": [
            [None if cell is None else text(cell) for cell in row]
            for row in value.get("data") or []
            if isinstance(row, list)
        ],
    }
