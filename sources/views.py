"""Admin views of the source library: the reader, the original file, page images of scans,
the live ingestion status, retry."""

import os
import re

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET, require_POST

from . import page_images, queue
from .models import FootnoteMarker, Reference, Source, SourceText


def _source_for(request, pk, action="view"):
    if not request.user.has_perm(f"sources.{action}_source"):
        raise PermissionDenied
    return get_object_or_404(Source.objects.select_related("current_text"), pk=pk)


def _low_word_spans(text, start, end, low_words):
    """Where the doubtful OCR words of a page stand in its text: each found after the one
    before (they are in reading order), as ``(start, end, word, confidence)``."""
    spans, cursor = [], start
    for word, *_box, confidence in low_words:
        pattern = re.compile(rf"(?<!\w){re.escape(word)}(?!\w)")
        match = pattern.search(text.full_text, cursor, end)
        if match:
            spans.append((match.start(), match.end(), word, confidence))
            cursor = match.end()
    return spans


def _page_segments(text, page_number, markers):
    """Split one page into plain-text, marker and doubtful-word segments; their concatenation
    is exactly the page's slice of the full text, so the browser can turn a selection into
    offsets."""
    start, end = text.page_range(page_number)
    ocr = text.ocr_page(page_number)
    spans = [
        (m.start, m.end, {"reference": m.reference})
        for m in markers
        if m.start >= start and m.end <= end
    ]
    for low_start, low_end, _word, confidence in _low_word_spans(
        text, start, end, (ocr or {}).get("low_words") or []
    ):
        if not any(s < low_end and low_start < e for s, e, _ in spans):
            spans.append((low_start, low_end, {"low_confidence": confidence}))
    segments, cursor = [], start
    for span_start, span_end, extra in sorted(spans, key=lambda span: span[0]):
        if span_start > cursor:
            segments.append({"text": text.full_text[cursor:span_start]})
        segments.append({"text": text.full_text[span_start:span_end], **extra})
        cursor = span_end
    if cursor < end:
        segments.append({"text": text.full_text[cursor:end]})
    return {
        "number": page_number,
        "start": start,
        "end": end,
        "segments": segments,
        "ocr": ocr and page_images.scan_data(text.source_id, page_number, ocr),
    }


@require_GET
def reader(request, pk):
    source = _source_for(request, pk)
    text = source.current_text
    version = request.GET.get("version", "")
    if version.isdigit():
        # Older text versions stay readable, to compare with what evidence once quoted.
        text = get_object_or_404(SourceText, source=source, version=int(version))
    pages, references = [], []
    is_current = text is not None and text.pk == source.current_text_id
    if text:
        markers = list(
            FootnoteMarker.objects.filter(text=text).select_related("reference").order_by("start")
        )
        pages = [_page_segments(text, n, markers) for n in range(1, text.page_count + 1)]
        if not is_current:  # page images are of the current file only
            for page in pages:
                page["ocr"] = None
        references = list(Reference.objects.filter(text=text).select_related("repeats"))
    return TemplateResponse(
        request,
        "sources/admin/reader.html",
        {
            "source": source,
            "text": text,
            "is_current": is_current,
            "pages": pages,
            "references": references,
            "versions": source.texts.order_by("-version").only("version", "created_at"),
            "edit_url": reverse("wagtailsnippets_sources_source:edit", args=[source.pk]),
            "breadcrumbs": [
                {"url": reverse("wagtailsnippets_sources_source:list"), "label": "Sources"},
                {
                    "url": reverse("wagtailsnippets_sources_source:edit", args=[source.pk]),
                    "label": source.title,
                },
                {"url": "", "label": "Reader"},
            ],
        },
    )


@require_GET
@cache_control(private=True, max_age=3600)
def page_image(request, pk, number):
    """A page of the source's current file as PNG, to check OCR'd text against the scan."""
    source = _source_for(request, pk)
    data = page_images.page_png(source, number)
    if data is None:
        raise Http404("This source has no such page image.")
    return HttpResponse(data, content_type="image/png")


@require_GET
def original_file(request, pk):
    """The source's current file, to those who may see sources: media are not served at
    MEDIA_URL (uploaded files are the library's, not public). Always a download, never shown
    inline: an uploaded HTML file must not run in the admin's origin."""
    source = _source_for(request, pk)
    if not source.file:
        raise Http404("This source has no file.")
    try:
        handle = source.file.open("rb")
    except FileNotFoundError as exc:
        raise Http404("The file of this source is missing from storage.") from exc
    name = source.original_filename or os.path.basename(source.file.name)
    return FileResponse(handle, as_attachment=True, filename=name)


@require_GET
def status(request, pk):
    source = _source_for(request, pk)
    return JsonResponse(
        {
            "id": source.pk,
            "status": source.status,
            "status_display": source.get_status_display(),
            "progress": source.progress,
            "message": source.status_message,
            "error": source.error,
            "page_count": source.page_count,
        }
    )


@require_POST
def retry(request, pk):
    source = _source_for(request, pk, action="change")
    if queue.retry_ingestion(source):
        messages.success(request, f"Ingestion of “{source.title}” will start again shortly.")
    else:
        messages.warning(request, "This source is being ingested right now.")
    return redirect("wagtailsnippets_sources_source:edit", source.pk)
