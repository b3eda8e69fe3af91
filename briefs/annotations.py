"""Evidence as W3C Web Annotations (https://www.w3.org/TR/annotation-model/): one Annotation per
piece of evidence (motivation ``quoting``, the source as target, TextQuoteSelector and
TextPositionSelector), an AnnotationCollection for all citations of a brief, and the
text-fragment link (https://wicg.github.io/scroll-to-text-fragment/) that opens an HTML source
at the quote.

Briefdesk's extensions (page, hashes) are terms of a small vocabulary of its own, declared in
the second ``@context`` entry, as the model allows (the W3C context must come first)."""

import base64
import re
import urllib.parse

from django.urls import reverse

from sources.models import Source

ANNO_CONTEXT = "http://www.w3.org/ns/anno.jsonld"
# Briefdesk's extension terms; a URN, since the vocabulary has no web address of its own.
VOCAB = "urn:briefdesk:terms:"
EXTENSION_CONTEXT = {
    "bd": VOCAB,
    "page": {"@id": "bd:page", "@type": "http://www.w3.org/2001/XMLSchema#integer"},
    "textSha256": "bd:textSha256",
    "fileSha256": "bd:fileSha256",
    "verified": {"@id": "bd:verified", "@type": "http://www.w3.org/2001/XMLSchema#dateTime"},
    "claim": "bd:claim",
}
CONTEXT = [ANNO_CONTEXT, EXTENSION_CONTEXT]
MEDIA_TYPE = "application/ld+json"
PROFILE = 'application/ld+json; profile="http://www.w3.org/ns/anno.jsonld"'


def _absolute(request, path, base_url=""):
    """``path`` made absolute from the request, or from ``base_url`` (the site's root URL, for
    a PDF rendered without a request)."""
    if request is not None:
        return request.build_absolute_uri(path)
    return base_url.rstrip("/") + path


def file_uri(sha256_hex: str) -> str:
    """The source file named by its hash (RFC 6920 ``ni:``), for sources without a URL."""
    digest = base64.urlsafe_b64encode(bytes.fromhex(sha256_hex)).decode().rstrip("=")
    return f"ni:///sha-256;{digest}"


def is_html_source(source) -> bool:
    return source.media_type == "text/html" or source.document_type == Source.DocumentType.WEB_PAGE


# Text fragments -----------------------------------------------------------------------------

FRAGMENT_WORDS = 4  # words of the quote's start and end, and of its prefix and suffix


def _encode(text: str) -> str:
    """Percent-encoding of a text-fragment part: "-", "," and "&" are syntax there."""
    return urllib.parse.quote(text, safe="").replace("-", "%2D")


def text_fragment(quote: str, prefix: str = "", suffix: str = "") -> str:
    """``:~:text=[prefix-,]textStart[,textEnd][,-suffix]``: long quotes by their first and last
    words; ``prefix`` and ``suffix`` are whole words next to the quote."""
    words = quote.split()
    if not words:
        return ""
    if len(words) > 2 * FRAGMENT_WORDS:
        parts = [" ".join(words[:FRAGMENT_WORDS]), " ".join(words[-FRAGMENT_WORDS:])]
    else:
        parts = [" ".join(words)]
    encoded = ",".join(_encode(part) for part in parts)
    # Words only: a lone punctuation mark makes a poor context match.
    before = [w for w in prefix.split() if re.search(r"\w", w)][-FRAGMENT_WORDS:]
    after = [w for w in suffix.split() if re.search(r"\w", w)][:FRAGMENT_WORDS]
    if before:
        encoded = f"{_encode(' '.join(before))}-,{encoded}"
    if after:
        encoded = f"{encoded},-{_encode(' '.join(after))}"
    return f":~:text={encoded}"


CONTEXT_CHARS = 80


def whole_words_around(text: str, start: int, end: int) -> tuple[str, str]:
    """The text just before ``start`` and just after ``end``, without a word cut in two."""
    before = text[max(0, start - CONTEXT_CHARS) : start]
    after = text[end : end + CONTEXT_CHARS]
    if start > CONTEXT_CHARS:
        before = before.split(None, 1)[1] if len(before.split(None, 1)) > 1 else ""
    if end + CONTEXT_CHARS < len(text):
        after = after.rsplit(None, 1)[0] if len(after.rsplit(None, 1)) > 1 else ""
    return before, after


def text_fragment_url(evidence) -> str:
    """The source's address opened at the quote, for HTML sources with a URL ("" otherwise)."""
    source = evidence.source
    if not source.url or not is_html_source(source):
        return ""
    text = evidence.source_text.full_text
    before, after = whole_words_around(text, evidence.start, evidence.end)
    base = source.url.split("#", 1)[0]
    return f"{base}#{text_fragment(evidence.quote, before, after)}"


# Annotations --------------------------------------------------------------------------------


def annotation_url(evidence_id, request=None, base_url="") -> str:
    return _absolute(request, reverse("briefs:evidence-jsonld", args=[evidence_id]), base_url)


def evidence_annotation(evidence, request=None, *, with_context=True, base_url="") -> dict:
    """``evidence`` as a Web Annotation. With ``apply_pins`` applied beforehand, the wording a
    brief revision shows."""
    source = evidence.source
    text = evidence.source_text
    target = {
        "type": "SpecificResource",
        "source": source.url or file_uri(text.file_sha256 if text else source.file_sha256),
        "selector": evidence.selectors(),
        "page": evidence.page,
        "textSha256": evidence.text_sha256,
        "fileSha256": text.file_sha256 if text else source.file_sha256,
    }
    fragment = text_fragment_url(evidence)
    if fragment:
        target["scope"] = fragment
    annotation = {
        "id": annotation_url(evidence.pk, request, base_url),
        "type": "Annotation",
        "motivation": "quoting",
        "created": evidence.created_at.isoformat() if evidence.created_at else None,
        "modified": evidence.updated_at.isoformat() if evidence.updated_at else None,
        "target": target,
    }
    if evidence.verified_at:
        annotation["verified"] = evidence.verified_at.isoformat()
    if evidence.claim:
        annotation["body"] = {
            "type": "TextualBody",
            "value": evidence.claim,
            "purpose": "describing",
        }
    annotation = {key: value for key, value in annotation.items() if value is not None}
    return {"@context": CONTEXT, **annotation} if with_context else annotation


def brief_collection(page, request=None, *, base_url="") -> dict:
    """All citations of ``page`` (its notes, as the revision pinned them) as an embedded
    AnnotationCollection with one AnnotationPage."""
    notes = page.notes
    items = [
        evidence_annotation(note.evidence, request, with_context=False, base_url=base_url)
        for note in notes.notes
    ]
    page_url = page.get_full_url(request) or ""
    path = reverse("briefs:annotations", args=[page.slug])
    collection_id = _absolute(request, path, base_url)
    return {
        "@context": CONTEXT,
        "id": collection_id,
        "type": "AnnotationCollection",
        "label": f"Evidence cited in “{page.title}”",
        "total": len(items),
        "first": {
            "id": f"{collection_id}#page-1",
            "type": "AnnotationPage",
            "partOf": collection_id,
            "startIndex": 0,
            "items": items,
        },
        **({"generator": page_url} if page_url else {}),
    }
