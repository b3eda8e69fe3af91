"""Evidence: exact quotes anchored in a source's text, with W3C Web Annotation selectors."""

from django.conf import settings
from django.db import models
from django.urls import reverse
from modelcluster.contrib.taggit import ClusterTaggableManager
from modelcluster.fields import ParentalKey, ParentalManyToManyField
from modelcluster.models import ClusterableModel
from taggit.models import TaggedItemBase
from wagtail.models import Orderable, RevisionMixin
from wagtail.search import index

from sources.models import Reference, Source, SourceText
from taxonomy.models import Country, Topic


class EvidenceQuerySet(models.QuerySet):
    def citable(self):
        """Accepted evidence whose anchor still holds: what a brief may cite."""
        return self.filter(
            review_status=Evidence.ReviewStatus.ACCEPTED,
            anchor_status__in=[Evidence.AnchorStatus.EXACT, Evidence.AnchorStatus.RELOCATED],
        )

    def needs_attention(self):
        return self.filter(anchor_status=Evidence.AnchorStatus.ORPHANED)


class Evidence(RevisionMixin, index.Indexed, ClusterableModel):
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
        ORPHANED = "orphaned", "Orphaned"

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
        indexes = [models.Index(fields=["source", "start"])]
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

    @property
    def is_citable(self):
        return self.review_status == self.ReviewStatus.ACCEPTED and self.anchor_status in (
            self.AnchorStatus.EXACT,
            self.AnchorStatus.RELOCATED,
        )

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
