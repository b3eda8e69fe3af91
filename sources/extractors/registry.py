"""The supported file formats, keyed by media type.

A new format is one module with an :class:`~sources.extractors.base.Extractor` subclass, and
one line in :data:`EXTRACTORS` below. The order here is the order of the upload hint.
"""

from __future__ import annotations

from .base import Extractor, IngestionError
from .html_page import HtmlExtractor
from .images import IMAGE_EXTRACTORS
from .markdown_text import MarkdownExtractor
from .pdf import PdfExtractor
from .plain_text import PlainTextExtractor
from .word_docx import DocxExtractor

EXTRACTORS: dict[str, Extractor] = {
    extractor.media_type: extractor
    for extractor in (
        PdfExtractor(),
        PlainTextExtractor(),
        MarkdownExtractor(),
        HtmlExtractor(),
        DocxExtractor(),
        *IMAGE_EXTRACTORS,
    )
}

# Media type -> what the analyst reads ("PDF document").
SUPPORTED_MEDIA_TYPES = {media_type: e.label for media_type, e in EXTRACTORS.items()}

BY_EXTENSION = {
    extension: extractor for extractor in EXTRACTORS.values() for extension in extractor.extensions
}

_hints = list(dict.fromkeys(extractor.upload_hint for extractor in EXTRACTORS.values()))
# "Upload a PDF, plain text (.txt), Markdown (.md), HTML (.html), Word (.docx) or a scanned
# image (.png, .jpg, .tif) file."
SUPPORTED_HINT = f"Upload {', '.join(_hints[:-1])} or {_hints[-1]} file."


def extractor_for(media_type: str) -> Extractor:
    """The extractor of ``media_type``; an :class:`IngestionError` for an unsupported one."""
    try:
        return EXTRACTORS[media_type]
    except KeyError:
        raise IngestionError(f"Unsupported file type “{media_type}”. {SUPPORTED_HINT}") from None
