"""Public downloads and evidence receipts beside the Wagtail-served brief pages: citation files,
the bibliography, chart data, evidence pages and their Web Annotations. Only live, public briefs
and the evidence they cite; everything else is a 404."""

import json

from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from . import annotations, chart_data, metadata, receipts
from .services import published_briefs


def live_brief(slug):
    # Slugs are unique under one index page; should two index pages hold the same slug, the
    # brief published first (lowest id) answers, as in the API.
    page = published_briefs().filter(slug=slug).order_by("pk").first()
    if page is None:
        raise Http404("No published brief here.")
    return page


def _download(text, media_type, filename):
    response = HttpResponse(text, content_type=f"{media_type}; charset=utf-8")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    response["Cache-Control"] = "public, max-age=300"
    response["X-Content-Type-Options"] = "nosniff"
    return response


@require_safe
def cite(request, slug, fmt):
    page = live_brief(slug)
    media_type, extension, _ = metadata.FORMATS[fmt]
    text = metadata.brief_citation(page, fmt, request)
    return _download(text, media_type, f"{page.slug}.{extension}")


@require_safe
def bibliography(request, slug, fmt):
    page = live_brief(slug)
    media_type, extension, _ = metadata.FORMATS[fmt]
    text = metadata.bibliography_download(page, fmt)
    return _download(text, media_type, f"{page.slug}-bibliography.{extension}")


@require_safe
def chart_csv(request, slug, block_id):
    page = live_brief(slug)
    value = chart_data.find_chart(page, block_id)
    if value is None:
        raise Http404("This brief has no such chart.")
    text = chart_data.chart_csv(value, page.cited_quotes, request)
    return _download(text, "text/csv", f"{page.slug}-chart-{block_id[:8]}.csv")


def _jsonld(data):
    response = JsonResponse(
        data, content_type=annotations.PROFILE, json_dumps_params={"ensure_ascii": False}
    )
    response["Cache-Control"] = "public, max-age=300"
    response["Access-Control-Allow-Origin"] = "*"
    return response


@require_safe
def brief_annotations(request, slug):
    return _jsonld(annotations.brief_collection(live_brief(slug), request))


def _receipt(evidence_id):
    receipt = receipts.public_receipt(evidence_id)
    if receipt is None:
        raise Http404("No published brief cites this evidence.")
    return receipt


@require_safe
def evidence_page(request, evidence_id):
    receipt = _receipt(evidence_id)
    evidence = receipt.evidence
    return render(
        request,
        "briefs/evidence_page.html",
        {
            "receipt": receipt,
            "evidence": evidence,
            "fragment_url": annotations.text_fragment_url(evidence),
            "annotation_url": annotations.annotation_url(evidence.pk, request),
            "annotation_json": json.dumps(
                annotations.evidence_annotation(evidence, request), ensure_ascii=False, indent=2
            ),
        },
    )


@require_safe
def evidence_jsonld(request, evidence_id):
    receipt = _receipt(evidence_id)
    return _jsonld(annotations.evidence_annotation(receipt.evidence, request))
