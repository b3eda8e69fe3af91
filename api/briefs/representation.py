"""The structured representation of a brief in the public API: its numbered citations,
bibliography, CSL-JSON and PDF, as the plain dicts that the serializers of
api.briefs.serializers read. The body is what its blocks represent (BriefStreamBlock's
``get_api_representation``), the table of contents the page's own."""

import functools

from api.ocr import ocr_data
from briefs import metadata
from briefs.block_data import api_context, evidence_from_notes
from pdfs.services import UNREAD, live_pdf_status

# Brief --------------------------------------------------------------------------------------------


def author_data(author):
    return {"name": author.name, "affiliation": author.affiliation}


def country_data(country):
    return {"iso_code": country.iso_code, "slug": country.slug, "name": country.name}


def topic_data(topic):
    return {"slug": topic.slug, "name": topic.name}


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


def pdf_data(page, request=None, pdf=UNREAD) -> dict:
    """The PDF of the published revision: status, absolute URL, SHA-256, page count and size
    in bytes; status "unavailable" when there is none. ``pdf``: its row, if read already."""
    status = live_pdf_status(page, pdf)
    if status is None:
        return dict(PDF_UNAVAILABLE)
    url = on_site(page.site_origin(request), status.url, request)
    state = str(status.status) if status.status else ("ready" if url else "unavailable")
    if state not in PDF_STATES:
        state = "unavailable"
    return {
        "status": state,
        "url": str(url) if url else None,
        "sha256": str(status.sha256) if status.sha256 else None,
        "pages": status.page_count,
        "size": status.size,
    }


def _only(builders, fields):
    """``{name: build()}`` for the fields wanted (``fields``; None: all): nothing else is built."""
    return {name: build() for name, build in builders.items() if fields is None or name in fields}


def brief_summary(page, request, fields=None):
    """``fields``: the top-level fields wanted (None: all), as api.common.requested_fields."""
    return _only(
        {
            "id": lambda: page.pk,
            "slug": lambda: page.slug,
            "title": lambda: page.title,
            "kind": lambda: page.kind,
            "kind_label": page.get_kind_display,
            "standfirst": lambda: page.standfirst,
            "publication_date": lambda: page.display_date,
            "first_published_at": lambda: page.first_published_at,
            "last_published_at": lambda: page.last_published_at,
            "url": lambda: page.get_full_url(request),
            "authors": lambda: [author_data(author) for author in page.authors.all()],
            "countries": lambda: [country_data(country) for country in page.countries.all()],
            "topics": lambda: [topic_data(topic) for topic in page.topics.all()],
        },
        fields,
    )


def brief_detail(page, request, history_fields, fields=None, pdf=UNREAD):
    """``page``: the live brief, or an earlier version of it (briefs.versions.version_page);
    ``history_fields``: a callable giving its ``versions`` and ``notices`` (history_data);
    ``fields``: the top-level fields wanted (None: all); ``pdf``: the public PDF row of the
    revision shown, if read already. Only what the fields need is computed: the notes (and
    their evidence) for the body, notes and bibliography, the history for the versions and
    notices."""

    def blocks(block_types=None):
        stream = page.body
        context = api_context(page.notes, request)
        return stream.stream_block.get_api_representation(stream, context, block_types=block_types)

    @functools.cache
    def body():
        return blocks()

    def of_type(block_type):
        if fields is None or "body" in fields:
            return [block for block in body() if block["type"] == block_type]
        return blocks({block_type})

    history = functools.cache(history_fields)
    # Whichever field first reads the body's evidence (the body, its table of contents) takes
    # it from the notes: no evidence query per block type.
    with evidence_from_notes(lambda: page.notes):
        return {
            **brief_summary(page, request, fields),
            **_only(
                {
                    "cite_as": lambda: page.cite_as(request),
                    "csl": lambda: metadata.brief_csl(page, request),
                    "table_of_contents": lambda: page.table_of_contents,
                    "key_findings": lambda: of_type("key_findings"),
                    "recommendations": lambda: of_type("recommendations"),
                    "body": body,
                    "notes": lambda: [note_data(note) for note in page.notes.notes],
                    "bibliography": lambda: bibliography_data(page.notes),
                    "pdf": lambda: pdf_data(page, request, pdf),
                    "versions": lambda: history()["versions"],
                    "notices": lambda: history()["notices"],
                },
                fields,
            ),
        }


# Versions and notices -----------------------------------------------------------------------------


def on_site(origin, url, request):
    """A path of the public site (a PDF) as an absolute URL on ``origin``, the brief's own
    (BriefPage.site_origin: as ``url`` and ``versions[].url``), not the host the API was asked
    on, so that one answer never mixes two hosts for the site's pages."""
    if not url or not str(url).startswith("/"):
        return str(url) if url else None
    if origin:
        return f"{origin}{url}"
    return request.build_absolute_uri(url) if request is not None else str(url)


def notice_data(notice):
    return {
        "type": str(notice.notice_type),
        "date": notice.date,
        "text": notice.text,
        "version": notice.version,
    }


def versions_data(page, hist, pdf_urls, request):
    """Every version of ``page`` (``hist``: briefs.versions.history), oldest first, each with
    the absolute address of its public page and of its PDF (null until ready)."""
    base = page.get_full_url(request) or ""
    origin = page.site_origin(request)
    return [
        {
            "number": version.number,
            "published_at": version.published_at,
            "url": f"{base}versions/{version.number}/" if base else None,
            "pdf_url": on_site(origin, pdf_urls.get(version.number), request),
            "notice_type": version.notice_type or None,
            "notice_text": version.notice_text or None,
        }
        for version in hist.versions
    ]


def history_data(page, hist, pdf_urls, request) -> dict:
    return {
        "versions": versions_data(page, hist, pdf_urls, request),
        "notices": [notice_data(notice) for notice in hist.notices],
    }


def withdrawal_details(withdrawal) -> dict:
    """The ``details`` of the API's 410 for a withdrawn brief."""
    return {
        "notice": {
            "type": "withdrawal",
            "date": withdrawal.withdrawn_at.isoformat(),
            "text": withdrawal.text,
        }
    }
