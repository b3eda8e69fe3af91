"""factory_boy factories of the source library: a ready source whose extracted text is given
page by page, its authors, text versions and references.

A source's text is built from ``pages`` so that the full text, the page offsets and the SHA-256s
agree with one another (what the evidence anchored in it relies on)."""

import hashlib
import uuid

import factory
from factory.django import DjangoModelFactory

from sources.models import Reference, Source, SourceAuthor, SourceText


def _sha256(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def _page_starts(pages) -> list[int]:
    starts, offset = [], 0
    for page in pages:
        starts.append(offset)
        offset += len(page)
    return starts


class SourceTextFactory(DjangoModelFactory):
    """A text version of ``source`` made of ``pages`` (strings, in order, joined as they are)."""

    class Meta:
        model = SourceText

    class Params:
        pages = ("An empty first page.",)

    source = factory.SubFactory("sources.tests.factories.SourceFactory", pages__skip=True)
    version = 1
    full_text = factory.LazyAttribute(lambda text: "".join(text.pages))
    page_starts = factory.LazyAttribute(lambda text: _page_starts(text.pages))
    text_sha256 = factory.LazyAttribute(lambda text: _sha256(text.full_text))
    # The file's SHA-256 when the source has one, else one derived from the text and version.
    file_sha256 = factory.LazyAttribute(
        lambda text: text.source.file_sha256 or _sha256(f"{text.text_sha256}-{text.version}")
    )
    extractor = "test"


class SourceAuthorFactory(DjangoModelFactory):
    class Meta:
        model = SourceAuthor

    source = factory.SubFactory("sources.tests.factories.SourceFactory")
    name = factory.Sequence(lambda n: f"Author {n}")
    sort_order = 0


class SourceFactory(DjangoModelFactory):
    """A ready source. ``pages`` (page texts) becomes its current text, version 1;
    ``authors`` are names, or (name, kind) pairs, in order."""

    class Meta:
        model = Source
        skip_postgeneration_save = True

    title = factory.Sequence(lambda n: f"Source {n}")
    file = factory.LazyFunction(lambda: f"sources/{uuid.uuid4().hex}.txt")
    status = Source.Status.READY
    progress = 100

    @factory.post_generation
    def authors(source, create, extracted, **kwargs):
        for order, author in enumerate(extracted or ()):
            name, kind = (author, None) if isinstance(author, str) else author
            SourceAuthorFactory(
                source=source, name=name, sort_order=order, **({"kind": kind} if kind else {})
            )

    @factory.post_generation
    def pages(source, create, extracted, skip=False, **kwargs):
        if not create or skip:  # skip: the caller builds the text (SourceTextFactory)
            return
        pages = ["An empty first page."] if extracted is None else extracted
        source.current_text = SourceTextFactory(source=source, pages=pages)
        source.page_count = len(pages)
        source.save(update_fields=["current_text", "page_count"])


class ReferenceFactory(DjangoModelFactory):
    """A reference of a source's text (by default the first, near the top of page 1)."""

    class Meta:
        model = Reference

    text = factory.SubFactory(SourceTextFactory)
    number = 1
    label = factory.LazyAttribute(lambda reference: str(reference.number))
    content = factory.Sequence(lambda n: f"Anon. ({2000 + n % 25}) A cited work.")
    start = 0
    end = 1
    page = 1
