"""The source library: documents that evidence quotes, their extracted text versions, and the
footnotes / references parsed out of them."""

import bisect
import os
import uuid

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.functional import cached_property
from modelcluster.fields import ParentalKey, ParentalManyToManyField
from modelcluster.models import ClusterableModel
from wagtail.admin.panels import (
    FieldPanel,
    FieldRowPanel,
    InlinePanel,
    MultiFieldPanel,
)
from wagtail.models import Orderable
from wagtail.search import index

from taxonomy.models import Country, Topic


def source_upload_to(instance, filename):
    # A random folder keeps two uploads with the same name apart and the original name readable.
    return f"sources/{uuid.uuid4().hex[:12]}/{os.path.basename(filename)}"


class LoadsLikeAModel(ClusterableModel):
    """A ClusterableModel whose rows from the database are made as a plain Model's.

    ClusterableModel.__init__ works out the model's child relations on every instance, to pick
    those given by name out of its keyword arguments; rows loaded from the database
    (Model.from_db) come with positional values only, so it has nothing to do for them, yet
    costs some 5 µs each: a brief with a hundred citations loads two hundred (its evidence
    and their sources) on every rendering."""

    class Meta:
        abstract = True

    def __init__(self, *args, **kwargs):
        if kwargs:
            super().__init__(*args, **kwargs)
        else:
            super(ClusterableModel, self).__init__(*args)


class Source(index.Indexed, LoadsLikeAModel):
    class DocumentType(models.TextChoices):
        REPORT = "report", "Report"
        PAPER = "paper", "Paper"
        ARTICLE = "article", "Article"
        WEB_PAGE = "web_page", "Web page"
        BOOK = "book", "Book"
        CHAPTER = "chapter", "Book chapter"
        DATASET = "dataset", "Dataset"
        LEGISLATION = "legislation", "Law or official document"
        OTHER = "other", "Other"

    class DatePrecision(models.TextChoices):
        YEAR = "year", "Year"
        MONTH = "month", "Month"
        DAY = "day", "Day"

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        PROCESSING = "processing", "Processing"
        READY = "ready", "Ready"
        FAILED = "failed", "Failed"

    title = models.CharField(max_length=500)
    subtitle = models.CharField(max_length=500, blank=True)
    publisher = models.CharField(max_length=300, blank=True)
    publication_date = models.DateField(
        null=True,
        blank=True,
        help_text="For a year or a month only, pick any day in it and set the precision.",
    )
    date_precision = models.CharField(
        max_length=5, choices=DatePrecision.choices, default=DatePrecision.DAY
    )
    document_type = models.CharField(
        max_length=20, choices=DocumentType.choices, default=DocumentType.REPORT
    )
    language = models.CharField(
        max_length=10, default="en", help_text="BCP 47 language tag, for example en or ru."
    )
    url = models.URLField("URL", max_length=1000, blank=True)
    abstract = models.TextField(blank=True)
    countries = ParentalManyToManyField(Country, blank=True, related_name="sources")
    topics = ParentalManyToManyField(Topic, blank=True, related_name="sources")

    file = models.FileField(upload_to=source_upload_to, max_length=500)
    original_filename = models.CharField(max_length=255, blank=True)
    file_sha256 = models.CharField(
        "SHA-256 of the file", max_length=64, unique=True, null=True, blank=True, editable=False
    )
    file_size = models.PositiveBigIntegerField(null=True, blank=True, editable=False)
    media_type = models.CharField(max_length=100, blank=True, editable=False)

    status = models.CharField(
        max_length=12, choices=Status.choices, default=Status.PENDING, db_index=True
    )
    progress = models.PositiveSmallIntegerField(default=0, help_text="Percent of pages extracted.")
    status_message = models.CharField(max_length=500, blank=True)
    error = models.TextField(blank=True)
    page_count = models.PositiveIntegerField(null=True, blank=True)
    current_text = models.ForeignKey(
        "sources.SourceText",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )

    panels = [
        MultiFieldPanel(
            [FieldPanel("title"), FieldPanel("subtitle"), FieldPanel("file")],
            heading="Document",
        ),
        InlinePanel("authors", heading="Authors", label="Author"),
        MultiFieldPanel(
            [
                FieldPanel("publisher"),
                FieldRowPanel([FieldPanel("publication_date"), FieldPanel("date_precision")]),
                FieldRowPanel([FieldPanel("document_type"), FieldPanel("language")]),
                FieldPanel("url"),
                FieldPanel("abstract"),
            ],
            heading="Publication",
        ),
        MultiFieldPanel(
            [FieldPanel("countries"), FieldPanel("topics")],
            heading="Taxonomy",
        ),
    ]

    search_fields = [
        index.SearchField("title", boost=5),
        index.AutocompleteField("title"),
        index.SearchField("subtitle", boost=2),
        index.SearchField("publisher"),
        index.SearchField("abstract"),
        index.SearchField("search_text"),
        index.RelatedFields("authors", [index.SearchField("name")]),
        index.FilterField("status"),
        index.FilterField("document_type"),
    ]

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return self.title

    @property
    def search_text(self):
        """The extracted text, indexed for full-text search over the library."""
        return self.current_text.full_text if self.current_text_id else ""

    @property
    def is_ready(self):
        return self.status == self.Status.READY and self.current_text_id is not None

    @property
    def author_names(self):
        return [author.name for author in self.authors.all()]

    @property
    def publication_year(self):
        return self.publication_date.year if self.publication_date else None

    def get_reader_url(self):
        return reverse("sources:reader", args=[self.pk])


class SourceAuthor(Orderable):
    class Kind(models.TextChoices):
        PERSON = "person", "Person"
        ORGANISATION = "organisation", "Organisation"

    class Role(models.TextChoices):
        AUTHOR = "author", "Author"
        EDITOR = "editor", "Editor"

    source = ParentalKey(Source, on_delete=models.CASCADE, related_name="authors")
    name = models.CharField(
        max_length=300,
        help_text="A person as 'Family, Given' or as written; an organisation by its name.",
    )
    kind = models.CharField(max_length=12, choices=Kind.choices, default=Kind.PERSON)
    role = models.CharField(max_length=10, choices=Role.choices, default=Role.AUTHOR)

    panels = [FieldRowPanel([FieldPanel("name"), FieldPanel("kind"), FieldPanel("role")])]

    def __str__(self):
        return self.name if self.role == self.Role.AUTHOR else f"{self.name} (ed.)"


class SourceText(models.Model):
    """One extracted, normalised text of a source. A new file makes a new version; old versions
    stay, so that evidence anchored in them can be compared and re-anchored."""

    source = models.ForeignKey(Source, on_delete=models.CASCADE, related_name="texts")
    version = models.PositiveIntegerField()
    full_text = models.TextField()
    text_sha256 = models.CharField("SHA-256 of the text", max_length=64, db_index=True)
    file_sha256 = models.CharField("SHA-256 of the file", max_length=64)
    file_name = models.CharField(max_length=500, blank=True)
    # Character offset where each page starts in full_text; page N spans
    # page_starts[N-1] up to page_starts[N] (or the end of the text).
    page_starts = models.JSONField(default=list)
    extractor = models.CharField(max_length=100, blank=True)
    # Per page (same order as page_starts): null for a page read from its text layer, or for
    # an OCR'd page {"ocr": true, "confidence": mean word confidence 0-100 (null: no words),
    # "low_words": [[word, x0, y0, x1, y1, confidence], ...]} with the boxes of the doubtful
    # words in fractions of the page's size. Empty for texts without any OCR.
    page_ocr = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["source", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["source", "version"], name="unique_source_version")
        ]

    def __str__(self):
        return f"{self.source} (text v{self.version})"

    @property
    def page_count(self):
        return len(self.page_starts)

    def page_for_offset(self, offset):
        """The 1-based page that holds the character at ``offset``."""
        if not self.page_starts:
            return None
        offset = max(0, min(offset, max(len(self.full_text) - 1, 0)))
        return bisect.bisect_right(self.page_starts, offset)

    def page_range(self, number):
        start = self.page_starts[number - 1]
        end = self.page_starts[number] if number < len(self.page_starts) else len(self.full_text)
        return start, end

    def page_text(self, number):
        start, end = self.page_range(number)
        return self.full_text[start:end]

    @cached_property
    def pages(self):
        return [self.page_text(n) for n in range(1, self.page_count + 1)]

    def ocr_page(self, number):
        """The OCR record of page ``number`` (1-based), or None when it was not OCR'd."""
        if 1 <= number <= len(self.page_ocr or []):
            return self.page_ocr[number - 1]
        return None

    @property
    def is_ocr(self):
        return any(self.page_ocr or [])

    def ocr_confidence(self, start, end):
        """The lowest mean confidence of the OCR'd pages the span ``start``-``end`` touches,
        or None when none of them was OCR'd."""
        if not self.is_ocr or not self.page_starts:
            return None
        first, last = self.page_for_offset(start), self.page_for_offset(max(start, end - 1))
        values = [
            record["confidence"]
            for number in range(first, last + 1)
            if (record := self.ocr_page(number)) and record.get("confidence") is not None
        ]
        return min(values) if values else None


class Reference(models.Model):
    """A footnote or reference-list entry of a source text ("¹⁴ Abdurasulov, A. (2016) …")."""

    text = models.ForeignKey(SourceText, on_delete=models.CASCADE, related_name="references")
    number = models.PositiveIntegerField()
    label = models.CharField(max_length=20, help_text="The marker as printed, for example ¹⁴.")
    content = models.TextField("reference text")
    url = models.URLField("URL", max_length=1000, blank=True)
    page = models.PositiveIntegerField(null=True, blank=True)
    start = models.PositiveIntegerField(help_text="Offset of the reference in the full text.")
    end = models.PositiveIntegerField()
    repeats = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="repeated_by",
        help_text="For 'Ibid.': the reference it repeats.",
    )

    class Meta:
        ordering = ["text", "number"]
        constraints = [
            models.UniqueConstraint(fields=["text", "number"], name="unique_reference_number")
        ]

    def __str__(self):
        return f"{self.number}. {self.content[:80]}"

    @property
    def resolved(self):
        """The reference this one stands for: itself, or for 'Ibid.' the one it repeats."""
        return self.repeats if self.repeats_id else self


class FootnoteMarker(models.Model):
    """A footnote marker in the running text, linked to its reference."""

    text = models.ForeignKey(SourceText, on_delete=models.CASCADE, related_name="markers")
    reference = models.ForeignKey(Reference, on_delete=models.CASCADE, related_name="markers")
    start = models.PositiveIntegerField()
    end = models.PositiveIntegerField()
    page = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["text", "start"]

    def __str__(self):
        return f"marker {self.reference.number} at {self.start}"
