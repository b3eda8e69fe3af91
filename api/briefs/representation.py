"""The structured representation of a brief in the public API: its body as typed JSON blocks,
its numbered citations, bibliography, CSL-JSON and PDF, as the plain dicts that the
serializers of api.briefs.serializers read."""

import re
from decimal import Decimal

from django.apps import apps
from django.conf import settings
from django.utils.text import slugify

from api.ocr import ocr_data
from briefs import charts
from briefs.citations import Notes, render_cited_html, richtext_evidence_ids
from briefs.figures import format_figure

# Representation helpers ---------------------------------------------------------------------------


_RELATIVE_HREF_RE = re.compile(r'(\s(?:href|src)=")(/[^/"][^"]*|/)"')
_NOTE_REF_RE = re.compile(r'data-note="(\d+)"')


def absolute_links(html: str, request) -> str:
    """Site-relative links of expanded rich text (page and document links) made absolute."""
    if request is None:
        return html
    return _RELATIVE_HREF_RE.sub(
        lambda m: f'{m.group(1)}{request.build_absolute_uri(m.group(2))}"', html
    )


def cited_html(html: str, notes: Notes, request) -> str:
    """Stored rich text as clean HTML: links expanded, each inline citation turned into
    ``<span class="cited">words</span><a class="note-ref" href="#note-N" data-note="N"
    data-evidence="ID" …>N</a>``."""
    rendered = render_cited_html(html or "", notes, tooltips=False)

    def add_evidence(match):
        note = (
            notes.notes[int(match.group(1)) - 1]
            if 0 < int(match.group(1)) <= len(notes.notes)
            else None
        )
        extra = f' data-evidence="{note.evidence.pk}"' if note else ""
        return match.group(0) + extra

    return absolute_links(_NOTE_REF_RE.sub(add_evidence, str(rendered)), request)


def _evidence_id(raw):
    if isinstance(raw, bool):
        return None
    if isinstance(raw, int):
        return raw
    if isinstance(raw, str) and raw.isdigit():
        return int(raw)
    if isinstance(raw, dict) and "id" in raw:  # older chooser data
        return _evidence_id(raw["id"])
    return None


def citation_ref(raw, notes: Notes):
    """``{"note": N, "evidence_id": ID}`` for a chooser value, or None (none or gone)."""
    evidence_id = _evidence_id(raw)
    note = notes.note_for(evidence_id) if evidence_id else None
    if note is None:
        return None
    return {"note": note.number, "evidence_id": evidence_id}


def richtext_refs(html: str, notes: Notes):
    refs, seen = [], set()
    for evidence_id in richtext_evidence_ids(html or ""):
        ref = citation_ref(evidence_id, notes)
        if ref and evidence_id not in seen:
            seen.add(evidence_id)
            refs.append(ref)
    return refs


def _items(raw):
    for item in raw or []:
        if isinstance(item, dict) and item.get("type") == "item" and "value" in item:
            yield item["value"]
        else:
            yield item


def _text(value) -> str:
    return value if isinstance(value, str) else ("" if value is None else str(value))


def decimal_text(value) -> str:
    """A Decimal as a plain decimal string ("27000000000", "58.5"), never in exponent form."""
    text = format(Decimal(value).normalize(), "f")
    return text


def figure_data(figure):
    return {
        "value": decimal_text(figure.value),
        "unit": figure.unit,
        "year": figure.year,
        "label": figure.label,
        "display": format_figure(figure.value, figure.unit),
    }


def backed_items(raw, notes):
    return [
        {"text": _text(item.get("text")), "citation": citation_ref(item.get("evidence"), notes)}
        for item in _items(raw)
        if isinstance(item, dict)
    ]


def _block_id(child):
    value = child.get("id")
    return str(value) if value else None


# Body blocks --------------------------------------------------------------------------------------


def block_data(block_type, raw, notes, request):
    """The public shape of one body block (see the BodyBlock schema); None for a type this
    version of the API does not know (never the case for the blocks of BriefStreamBlock)."""
    raw = raw if raw is not None else {}
    if block_type == "section":
        heading = _text(raw.get("heading"))
        return {"heading": heading, "anchor": _text(raw.get("anchor")) or slugify(heading)[:80]}
    if block_type == "paragraph":
        html = _text(raw)
        return {"html": cited_html(html, notes, request), "citations": richtext_refs(html, notes)}
    if block_type == "evidence_quote":
        ref = citation_ref(raw.get("evidence"), notes)
        note = notes.note_for(ref["evidence_id"]) if ref else None
        commentary = _text(raw.get("commentary"))
        return {
            "citation": ref,
            "quote": note.quote if note else None,
            "page": note.page if note else None,
            "source_id": note.source.pk if note else None,
            "commentary_html": cited_html(commentary, notes, request) if commentary else "",
            "commentary_citations": richtext_refs(commentary, notes),
        }
    if block_type == "key_figure":
        ref = citation_ref(raw.get("evidence"), notes)
        note = notes.note_for(ref["evidence_id"]) if ref else None
        figures = list(note.evidence.figures.all()) if note else []
        index = raw.get("figure") if isinstance(raw.get("figure"), int) else 1
        figure = figures[index - 1] if 0 < index <= len(figures) else None
        caption = _text(raw.get("caption")) or (figure.label if figure else "")
        return {
            "citation": ref,
            "figure": figure_data(figure) if figure else None,
            "caption": caption,
        }
    if block_type == "chart":
        refs = [citation_ref(item, notes) for item in _items(raw.get("evidence"))]
        refs = [ref for ref in refs if ref]
        evidence = [notes.note_for(ref["evidence_id"]).evidence for ref in refs]
        title = _text(raw.get("title"))
        chart_type = raw.get("chart_type") if raw.get("chart_type") in ("bar", "line") else "bar"
        data = {
            "title": title,
            "chart_type": chart_type,
            "caption": _text(raw.get("caption")),
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
            svg=charts.render_svg(chart, f"chart-{slugify(title or 'chart')[:40]}"),
        )
        return data
    if block_type == "key_findings":
        title = _text(raw.get("title")) or "Key findings"
        return {
            "title": title,
            "anchor": slugify(title)[:80],
            "items": backed_items(raw.get("items"), notes),
        }
    if block_type == "recommendations":
        title = _text(raw.get("title")) or "Recommendations"
        return {
            "title": title,
            "anchor": slugify(title)[:80],
            "groups": [
                {
                    "addressee": _text(group.get("addressee")),
                    "items": backed_items(group.get("items"), notes),
                }
                for group in _items(raw.get("groups"))
                if isinstance(group, dict)
            ],
        }
    if block_type == "table":
        rows = raw.get("data") or []
        choice = raw.get("table_header_choice") or ""
        first_row = (
            choice in ("row", "both") if choice else bool(raw.get("first_row_is_table_header"))
        )
        first_col = (
            choice in ("col", "column", "both") if choice else bool(raw.get("first_col_is_header"))
        )
        return {
            "caption": _text(raw.get("table_caption")),
            "first_row_is_header": first_row,
            "first_column_is_header": first_col,
            "rows": [
                [None if cell is None else _text(cell) for cell in row]
                for row in rows
                if isinstance(row, list)
            ],
        }
    if block_type == "callout":
        body = _text(raw.get("body"))
        tone = raw.get("tone") if raw.get("tone") in ("note", "context", "warning") else "note"
        return {
            "title": _text(raw.get("title")),
            "tone": tone,
            "html": cited_html(body, notes, request),
            "citations": richtext_refs(body, notes),
        }
    return None


def body_data(page, notes, request):
    blocks = []
    for child in page.body.raw_data:
        data = block_data(child.get("type"), child.get("value"), notes, request)
        if data is not None:
            blocks.append({"type": child.get("type"), "id": _block_id(child), **data})
    return blocks


# Brief --------------------------------------------------------------------------------------------


def author_data(author):
    return {"name": author.name, "affiliation": author.affiliation}


def country_data(country):
    return {"iso_code": country.iso_code, "slug": country.slug, "name": country.name}


def topic_data(topic):
    return {"slug": topic.slug, "name": topic.name}


def brief_csl(page, request=None) -> dict:
    """The brief itself as a CSL-JSON item, for citation managers."""
    item = {
        "id": f"brief-{page.pk}",
        "type": "report",
        "title": page.title,
        "genre": page.get_kind_display(),
        "publisher": settings.BRIEFDESK_PUBLISHER,
        "abstract": page.standfirst,
    }
    authors = []
    for author in page.authors.all():
        name = author.name.strip()
        if " " in name:
            given, family = name.rsplit(" ", 1)
            authors.append({"family": family, "given": given})
        else:
            authors.append({"literal": name})
    if authors:
        item["author"] = authors
    date = page.display_date
    if date:
        item["issued"] = {"date-parts": [[date.year, date.month, date.day]]}
    url = page.get_full_url(request)
    if url:
        item["URL"] = url
    return item


def note_data(note):
    evidence = note.evidence
    return {
        "number": note.number,
        "evidence_id": evidence.pk,
        "quote": note.quote,
        "page": note.page,
        "claim": evidence.claim,
        "kind": evidence.kind,
        "citing": note.citing,
        "selectors": evidence.selectors(),
        "source": source_summary(note.source),
        "text": note.text,
        "html": str(note.html),
        **ocr_data(evidence),
    }


def source_summary(source):
    return {
        "id": source.pk,
        "title": source.title,
        "publisher": source.publisher,
        "year": source.publication_year,
        "url": source.url,
    }


def bibliography_data(notes):
    return [
        {
            "source_id": entry.source.pk,
            "text": entry.text,
            "html": str(entry.html),
            "csl": entry.csl,
        }
        for entry in notes.bibliography
    ]


PDF_STATES = {"ready", "queued", "rendering", "failed", "unavailable"}
PDF_UNAVAILABLE = {
    "status": "unavailable",
    "url": None,
    "sha256": None,
    "pages": None,
    "size": None,
}


def _field(status, *names):
    for name in names:
        value = status.get(name) if isinstance(status, dict) else getattr(status, name, None)
        if callable(value):
            value = value()
        if value not in (None, ""):
            return value
    return None


def pdf_data(page, request=None) -> dict:
    """The PDF of the published revision from the PDF app: status, absolute URL, SHA-256,
    page count and size in bytes; status "unavailable" when there is none (or no PDF app)."""
    if not apps.is_installed("pdfs"):
        return dict(PDF_UNAVAILABLE)
    try:
        from pdfs.services import live_pdf_status
    except ImportError:
        return dict(PDF_UNAVAILABLE)
    status = live_pdf_status(page)
    if status is None:
        return dict(PDF_UNAVAILABLE)
    state = _field(status, "status", "state")
    url = _field(status, "url", "download_url", "file_url")
    if url and request is not None and str(url).startswith("/"):
        url = request.build_absolute_uri(url)
    sha256 = _field(status, "sha256", "file_sha256")
    pages = _field(status, "pages", "page_count")
    size = _field(status, "size", "file_size", "bytes")
    state = str(state) if state else ("ready" if url else "unavailable")
    if state not in PDF_STATES:
        state = "unavailable"
    return {
        "status": state,
        "url": str(url) if url else None,
        "sha256": str(sha256) if sha256 else None,
        "pages": int(pages) if pages is not None else None,
        "size": int(size) if size is not None else None,
    }


def brief_summary(page, request):
    return {
        "id": page.pk,
        "slug": page.slug,
        "title": page.title,
        "kind": page.kind,
        "kind_label": page.get_kind_display(),
        "standfirst": page.standfirst,
        "publication_date": page.display_date,
        "first_published_at": page.first_published_at,
        "last_published_at": page.last_published_at,
        "url": page.get_full_url(request),
        "authors": [author_data(author) for author in page.authors.all()],
        "countries": [country_data(country) for country in page.countries.all()],
        "topics": [topic_data(topic) for topic in page.topics.all()],
    }


def brief_detail(page, request):
    notes = page.notes
    body = body_data(page, notes, request)
    return {
        **brief_summary(page, request),
        "cite_as": page.cite_as(request),
        "csl": brief_csl(page, request),
        "table_of_contents": table_of_contents(body),
        "key_findings": [block for block in body if block["type"] == "key_findings"],
        "recommendations": [block for block in body if block["type"] == "recommendations"],
        "body": body,
        "notes": [note_data(note) for note in notes.notes],
        "bibliography": bibliography_data(notes),
        "pdf": pdf_data(page, request),
    }


def table_of_contents(body):
    """As BriefPage.table_of_contents, from the blocks already built (no query for choosers)."""
    return [
        {
            "heading": block["heading"] if block["type"] == "section" else block["title"],
            "anchor": block["anchor"],
        }
        for block in body
        if block["type"] in ("section", "key_findings", "recommendations")
    ]
