"""Evidence: exact quotes anchored in a source's text, with W3C Web Annotation selectors."""

from django.conf import settings
from django.db import models
from django.urls import reverse
from modelcluster.contrib.taggit import ClusterTaggableManager
from modelcluster.fields import ParentalKey, ParentalManyToManyField
from taggit.models import TaggedItemBase
from wagtail.models import Orderable, RevisionMixin
from wagtail.search import index

from config.search import index_entry_join_index
from sources.models import LoadsLikeAModel, Reference, Source, SourceText
from taxonomy.models import Country, Topic


class EvidenceQuerySet(models.QuerySet):
    def citable(self):
        """What a brief may cite: ``Evidence.citable_q()``, the queryset form of
        ``Evidence.status_problems()``."""
        return self.filter(Evidence.citable_q())

    def needs_attention(self):
        return self.filter(
            anchor_status__in=[Evidence.AnchorStatus.ORPHANED, Evidence.AnchorStatus.CHANGED]
        )


class Evidence(RevisionMixin, index.Indexed, LoadsLikeAModel):
    class Kind(models.TextChoices):
        STATISTIC = "statistic", "Statistic"
        QUOTATION = "quotation", "Quotation"
        FINDING = "finding", "Finding"
        RECOMMENDATION = "recommendation", "Recommendation"
        CONTEXT = "context", "Context"

    class ReviewStatus(models.TextChoices):
        CANDIDATE = "candidate", "Candidate"
        ACCEPTED = "accepted", "Accepted"
        REJECTED = "rejected", "Rejected"

    class AnchorStatus(models.TextChoices):
        EXACT = "exact", "Exact"
        RELOCATED = "relocated", "Relocated"
        # Found in a new text version, but its words differ from the accepted quote (beyond
        # spacing, hyphenation, quotes and dashes): not the same evidence until re-accepted.
        CHANGED = "changed", "Changed"
        ORPHANED = "orphaned", "Orphaned"

    # Anchor states in which a quote may be cited, and why the others may not.
    CITABLE_ANCHORS = (AnchorStatus.EXACT, AnchorStatus.RELOCATED)
    ANCHOR_PROBLEMS = {
        AnchorStatus.ORPHANED: "no longer found in the source",
        AnchorStatus.CHANGED: "worded differently in the source's new text and awaits an "
        "analyst's re-acceptance",
    }

    class Origin(models.TextChoices):
        ANALYST = "analyst", "Analyst"
        AUTOMATIC = "automatic", "Automatic extraction"

    source = models.ForeignKey(Source, on_delete=models.PROTECT, related_name="evidence")
    source_text = models.ForeignKey(
        SourceText,
        on_delete=models.PROTECT,
        related_name="evidence",
        help_text="The text version the quote is anchored in.",
    )
    # TextQuoteSelector
    quote = models.TextField(help_text="The exact quote, as it stands in the source.")
    prefix = models.CharField(max_length=64, blank=True)
    suffix = models.CharField(max_length=64, blank=True)
    # TextPositionSelector, in the source text's normalised full text
    start = models.PositiveIntegerField()
    end = models.PositiveIntegerField()
    page = models.PositiveIntegerField(help_text="Page of the source where the quote starts.")
    text_sha256 = models.CharField(
        "SHA-256 of the quoted text version", max_length=64, db_index=True
    )
    anchor_method = models.CharField(max_length=12, blank=True)
    anchor_score = models.FloatField(default=100.0)

    claim = models.CharField(
        max_length=400, blank=True, help_text="What this shows, in one sentence of your own."
    )
    kind = models.CharField(max_length=16, choices=Kind.choices, default=Kind.FINDING)
    footnote = models.ForeignKey(
        Reference,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="evidence",
        help_text="The source's own footnote that the quoted passage carries.",
    )
    countries = ParentalManyToManyField(Country, blank=True, related_name="evidence")
    topics = ParentalManyToManyField(Topic, blank=True, related_name="evidence")
    tags = ClusterTaggableManager(through="evidence.EvidenceTag", blank=True)

    review_status = models.CharField(
        max_length=10,
        choices=ReviewStatus.choices,
        default=ReviewStatus.ACCEPTED,
        db_index=True,
    )
    anchor_status = models.CharField(
        max_length=10, choices=AnchorStatus.choices, default=AnchorStatus.EXACT, db_index=True
    )
    anchor_note = models.CharField(max_length=500, blank=True)
    previous_quote = models.TextField(
        blank=True,
        help_text="The accepted quote as it stood before the source's text changed its words "
        "(anchor status “Changed”), shown beside the new wording until an analyst decides.",
    )
    # Quotes read by OCR (evidence/ocr.py): the mean confidence of the quoted words, whether an
    # analyst must still check them against the scanned page, and who did and when.
    ocr_confidence = models.FloatField(
        "OCR confidence",
        null=True,
        blank=True,
        editable=False,
        help_text="Mean OCR confidence (0-100) of the quoted words; empty when not OCR'd.",
    )
    ocr_needs_confirmation = models.BooleanField(default=False, editable=False)
    ocr_confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )
    ocr_confirmed_at = models.DateTimeField(null=True, blank=True, editable=False)
    origin = models.CharField(max_length=10, choices=Origin.choices, default=Origin.ANALYST)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    verified_at = models.DateTimeField(null=True, blank=True, editable=False)

    objects = EvidenceQuerySet.as_manager()

    search_fields = [
        index.SearchField("quote", boost=2),
        index.SearchField("claim", boost=3),
        index.AutocompleteField("claim"),
        index.AutocompleteField("quote"),
        index.RelatedFields("source", [index.SearchField("title")]),
        index.RelatedFields("tags", [index.SearchField("name")]),
        index.FilterField("source_id"),
        index.FilterField("kind"),
        index.FilterField("review_status"),
        index.FilterField("anchor_status"),
    ]

    class Meta:
        verbose_name_plural = "evidence"
        ordering = ["source", "start"]
        indexes = [
            models.Index(fields=["source", "start"]),
            index_entry_join_index("id", name="evidence_id_search_join"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end__gt=models.F("start")), name="evidence_end_after_start"
            )
        ]

    def __str__(self):
        quote = " ".join(self.quote.split())
        return f"“{quote[:90]}{'…' if len(quote) > 90 else ''}” (p. {self.page})"

    @property
    def display_quote(self):
        """The quote with the source's line breaks folded into spaces."""
        return " ".join(self.quote.split())

    # Citability: the one rule. The statuses decide (cheap, no text read: the chooser, the
    # editor's validation, ``citable()``); the publish gate adds that the anchor really holds.

    OCR_PROBLEM = (
        "its OCR text is below the confidence threshold and not yet confirmed against the scan"
    )

    @classmethod
    def citable_q(cls) -> models.Q:
        return models.Q(
            review_status=cls.ReviewStatus.ACCEPTED,
            anchor_status__in=cls.CITABLE_ANCHORS,
            ocr_needs_confirmation=False,
        )

    def _review_problems(self) -> list[str]:
        if self.review_status == self.ReviewStatus.ACCEPTED:
            return []
        return [f"it is {self.get_review_status_display().lower()}, not accepted"]

    def _anchor_status_problems(self) -> list[str]:
        if self.anchor_status in self.CITABLE_ANCHORS:
            return []
        status = self.get_anchor_status_display().lower()
        return [f"its quote is {status}: {self.ANCHOR_PROBLEMS[self.anchor_status]}"]

    def _ocr_problems(self) -> list[str]:
        return [self.OCR_PROBLEM] if self.ocr_needs_confirmation else []

    def status_problems(self) -> list[str]:
        """Why this evidence may not be cited, from its statuses (empty when it may)."""
        return self._review_problems() + self._anchor_status_problems() + self._ocr_problems()

    @property
    def from_ocr(self) -> bool:
        """Whether the quote was read by OCR from a scanned page."""
        return self.ocr_confidence is not None

    @property
    def is_citable(self) -> bool:
        return not self.status_problems()

    def blocked_reason(self) -> str:
        """The chooser's short form of ``status_problems()`` ("" when citable)."""
        if self.anchor_status not in self.CITABLE_ANCHORS:
            return (
                f"{self.get_anchor_status_display()}: its quote is "
                f"{self.ANCHOR_PROBLEMS[self.anchor_status]}"
            )
        if self.review_status != self.ReviewStatus.ACCEPTED:
            return f"{self.get_review_status_display()}: only accepted evidence can be cited"
        if self.ocr_needs_confirmation:
            return f"Unconfirmed OCR: {self.OCR_PROBLEM}"
        return ""

    def anchor_problems(self) -> list[str]:
        """Why the anchor does not hold in the source's current text (empty when it holds):
        ``verify_evidence`` and, with the statuses, the publish gate."""
        problems = self._anchor_status_problems()
        source = self.source
        if not source.is_ready:
            problems.append(f"its source “{source.title}” is {source.get_status_display().lower()}")
        elif self.source_text_id != source.current_text_id:
            problems.append("it is anchored in an older version of the source text")
        text = self.source_text
        if text.text_sha256 != self.text_sha256:
            problems.append("the source text it quotes has changed since it was anchored")
        elif text.full_text[self.start : self.end] != self.quote:
            problems.append("its quote no longer matches the source text at its anchor")
        return problems

    def citation_problems(self) -> list[str]:
        """Why a brief may not cite this evidence now (empty when it may): the publish gate."""
        return self._review_problems() + self._ocr_problems() + self.anchor_problems()

    def selectors(self):
        """The W3C Web Annotation selectors of this quote."""
        return [
            {
                "type": "TextQuoteSelector",
                "exact": self.quote,
                "prefix": self.prefix,
                "suffix": self.suffix,
            },
            {"type": "TextPositionSelector", "start": self.start, "end": self.end},
        ]

    def get_admin_url(self):
        return reverse("wagtailsnippets_evidence_evidence:edit", args=[self.pk])


class EvidenceFigure(Orderable):
    """A structured figure carried by a statistic, for key figures and charts."""

    evidence = ParentalKey(Evidence, on_delete=models.CASCADE, related_name="figures")
    value = models.DecimalField(max_digits=20, decimal_places=4)
    unit = models.CharField(max_length=40, help_text="For example USD, %, people, tonnes, count.")
    year = models.PositiveSmallIntegerField(null=True, blank=True)
    label = models.CharField(max_length=200, help_text="What is counted, e.g. 'Chinese FDI'.")

    def __str__(self):
        year = f" ({self.year})" if self.year else ""
        return f"{self.label}: {self.value.normalize():f} {self.unit}{year}"


class EvidenceTag(TaggedItemBase):
    content_object = ParentalKey(Evidence, on_delete=models.CASCADE, related_name="tagged_items")
