"""Admin views of the source library: the reader, the live ingestion status, retry."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from . import queue
from .models import FootnoteMarker, Reference, Source, SourceText


def _source_for(request, pk, action="view"):
    if not request.user.has_perm(f"sources.{action}_source"):
        raise PermissionDenied
    return get_object_or_404(Source.objects.select_related("current_text"), pk=pk)


def _page_segments(text, page_number, markers):
    """Split one page into plain-text and marker segments; their concatenation is exactly the
    page's slice of the full text, so the browser can turn a selection into offsets."""
    start, end = text.page_range(page_number)
    segments, cursor = [], start
    for marker in markers:
        if marker.start < start or marker.end > end:
            continue
        if marker.start > cursor:
            segments.append({"text": text.full_text[cursor : marker.start]})
        segments.append(
            {"text": text.full_text[marker.start : marker.end], "reference": marker.reference}
        )
        cursor = marker.end
    if cursor < end:
        segments.append({"text": text.full_text[cursor:end]})
    return {"number": page_number, "start": start, "end": end, "segments": segments}


@require_GET
def reader(request, pk):
    source = _source_for(request, pk)
    text = source.current_text
    version = request.GET.get("version", "")
    if version.isdigit():
        # Older text versions stay readable, to compare with what evidence once quoted.
        text = get_object_or_404(SourceText, source=source, version=int(version))
    pages, references = [], []
    if text:
        markers = list(
            FootnoteMarker.objects.filter(text=text).select_related("reference").order_by("start")
        )
        pages = [_page_segments(text, n, markers) for n in range(1, text.page_count + 1)]
        references = list(Reference.objects.filter(text=text).select_related("repeats"))
    return TemplateResponse(
        request,
        "sources/admin/reader.html",
        {
            "source": source,
            "text": text,
            "is_current": text is not None and text.pk == source.current_text_id,
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
