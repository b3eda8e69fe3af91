"""The W3C Web Annotation Data Model's requirements (https://www.w3.org/TR/annotation-model/),
checked field by field: pyld cannot fetch http://www.w3.org/ns/anno.jsonld without network."""

import urllib.parse

ANNO_CONTEXT = "http://www.w3.org/ns/anno.jsonld"
MOTIVATIONS = {
    "assessing",
    "bookmarking",
    "classifying",
    "commenting",
    "describing",
    "editing",
    "highlighting",
    "identifying",
    "linking",
    "moderating",
    "questioning",
    "quoting",
    "replying",
    "tagging",
}


def is_iri(value):
    parts = urllib.parse.urlsplit(value or "")
    return bool(parts.scheme) and (bool(parts.netloc) or parts.scheme in ("urn", "ni"))


def check_context(data):
    context = data["@context"]
    # "If there is only one value, then it MUST be provided as a string"; the W3C one first.
    if isinstance(context, str):
        assert context == ANNO_CONTEXT
    else:
        assert isinstance(context, list) and len(context) > 1 and context[0] == ANNO_CONTEXT


def check_annotation(annotation, *, with_context=True):
    if with_context:
        check_context(annotation)
    assert is_iri(annotation["id"])
    assert annotation["type"] == "Annotation"
    assert annotation["motivation"] in MOTIVATIONS
    body = annotation.get("body")
    if body is not None:
        assert body["type"] == "TextualBody" and body["value"]
    target = annotation["target"]
    assert target["type"] == "SpecificResource" and is_iri(target["source"])
    kinds = {selector["type"]: selector for selector in target["selector"]}
    quote, position = kinds["TextQuoteSelector"], kinds["TextPositionSelector"]
    assert isinstance(quote["exact"], str) and quote["exact"]
    assert isinstance(quote.get("prefix", ""), str) and isinstance(quote.get("suffix", ""), str)
    assert isinstance(position["start"], int) and isinstance(position["end"], int)
    assert 0 <= position["start"] <= position["end"]
    assert isinstance(target["page"], int)
    assert len(target["textSha256"]) == 64 and len(target["fileSha256"]) == 64
    return annotation


def check_collection(collection):
    check_context(collection)
    assert is_iri(collection["id"]) and collection["type"] == "AnnotationCollection"
    assert isinstance(collection["total"], int) and collection["total"] >= 0
    page = collection["first"]
    assert page["type"] == "AnnotationPage" and page["partOf"] == collection["id"]
    assert len(page["items"]) == collection["total"]
    for item in page["items"]:
        check_annotation(item, with_context=False)
    return collection
