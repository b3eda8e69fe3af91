"""A brief revision as its PDF: whole (rendering.html_to_pdf) or, for a long body, in parts
(parts.render_in_parts), with its evidence attached. The entry point of the render task."""

import json
import logging

from django.utils import timezone

from .parts import body_parts, render_in_parts
from .rendering import RenderedPDF, brief_context, brief_html, html_to_pdf, site_root

logger = logging.getLogger(__name__)

ANNOTATIONS_NAME = "evidence.jsonld"


def evidence_attachment(page, revision):
    """The brief's citations as a W3C AnnotationCollection (JSON-LD), to embed in its PDF: the
    PDF alone carries its evidence in machine-readable form. Dated with the revision, so that a
    re-render of the same revision gives the same file."""
    from weasyprint import Attachment

    from briefs.annotations import brief_collection

    collection = brief_collection(page, base_url=site_root(page))
    return Attachment(
        string=json.dumps(collection, ensure_ascii=False, indent=2),
        name=ANNOTATIONS_NAME,
        description="The evidence cited in this brief, as W3C Web Annotations (JSON-LD)",
        created=revision.created_at,
        modified=revision.created_at,
        relationship="Data",
    )


def render_revision(revision, kind="public") -> RenderedPDF:
    page = revision.as_object()
    started = timezone.now()
    context = brief_context(page, revision, kind)
    context["stylesheet"] = None  # html_to_pdf applies its parsed copy
    parts = body_parts(page, context)
    if parts is None:
        rendered = html_to_pdf(
            brief_html(context),
            print_stylesheet=True,
            attachments=[evidence_attachment(page, revision)],
        )
    else:
        rendered = render_in_parts(
            context, parts, attachments=lambda: [evidence_attachment(page, revision)]
        )
    logger.info(
        "Rendered %s PDF of “%s” revision %s: %s pages in %.2fs",
        kind,
        page.title,
        revision.pk,
        rendered.page_count,
        (timezone.now() - started).total_seconds(),
    )
    return rendered
