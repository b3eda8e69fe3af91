"""The brief page and its authors."""

import datetime
import functools
import urllib.parse

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import prefetch_related_objects
from django.http import Http404
from django.utils import timezone
from django.utils.functional import SimpleLazyObject, cached_property
from modelcluster.fields import ParentalKey, ParentalManyToManyField
from wagtail.admin.panels import FieldPanel, FieldRowPanel, InlinePanel, MultiFieldPanel
from wagtail.contrib.routable_page.models import RoutablePageMixin, path
from wagtail.fields import StreamField
from wagtail.models import Orderable, Page
from wagtail.search import index
from wagtail.url_routing import RouteResult

from config.search import index_entry_join_index
from taxonomy.models import Country, Topic

from ..admin_forms import BriefPageForm
from ..blocks import BriefStreamBlock
from ..citations import CitationMarkup, build_notes, cited_evidence_ids, pin_quotes
from ..cited_evidence import cited_evidence, evidence_stamp
from ..metadata import download_urls, meta_tags
from ..permissions import BriefPermissionTester


class BriefPage(RoutablePageMixin, Page):
    class Kind(models.TextChoices):
        COUNTRY = "country", "Country brief"
        TOPIC = "topic", "Topic brief"

    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.COUNTRY)
    countries = ParentalManyToManyField(Country, blank=True, related_name="briefs")
    topics = ParentalManyToManyField(Topic, blank=True, related_name="briefs")
    standfirst = models.TextField(
        max_length=600, help_text="Two or three sentences that say what the brief finds."
    )
    publication_date = models.DateField(
        null=True, blank=True, help_text="Shown on the brief; set to the day of first publication."
    )
    cover_image = models.ForeignKey(
        "wagtailimages.Image",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    cover_image_alt = models.CharField(
        max_length=250, blank=True, help_text="Describe the cover image for screen readers."
    )
    body = StreamField(BriefStreamBlock(), blank=False)
    cited_quotes = models.JSONField(
        default=dict,
        blank=True,
        editable=False,
        help_text="The cited quotes as they stood when this revision was saved, by evidence id "
        "(citations.pin_quotes): what the published brief shows until a new version is published.",
    )

    content_panels = [
        *Page.content_panels,
        FieldPanel("standfirst"),
        MultiFieldPanel(
            [
                FieldPanel("kind"),
                FieldRowPanel([FieldPanel("countries"), FieldPanel("topics")]),
                FieldPanel("publication_date"),
            ],
            heading="Classification",
        ),
        InlinePanel("authors", heading="Authors", label="Author", min_num=1),
        MultiFieldPanel(
            [FieldPanel("cover_image"), FieldPanel("cover_image_alt")], heading="Cover"
        ),
        FieldPanel("body"),
    ]
    search_fields = [
        *Page.search_fields,
        index.SearchField("standfirst", boost=3),
        index.SearchField("body"),
        index.RelatedFields("authors", [index.SearchField("name")]),
        index.RelatedFields("countries", [index.SearchField("name")]),
        index.RelatedFields("topics", [index.SearchField("name")]),
        index.FilterField("kind"),
        index.FilterField("publication_date"),
    ]
    parent_page_types = ["briefs.BriefIndexPage"]
    subpage_types = []
    base_form_class = BriefPageForm

    class Meta:
        ordering = ["-publication_date", "-first_published_at"]
        indexes = [index_entry_join_index("page_ptr", name="brief_id_search_join")]

    def clean(self):
        super().clean()
        if self.cover_image_id and not self.cover_image_alt.strip():
            raise ValidationError({"cover_image_alt": "Describe the cover image for readers."})

    def permissions_for_user(self, user):
        return BriefPermissionTester(user, self)

    def save_revision(self, *args, **kwargs):
        # Each revision pins the wording of the quotes it cites, as its authors saw them.
        self.cited_quotes = pin_quotes(self.body)
        return super().save_revision(*args, **kwargs)

    def save(self, *args, **kwargs):
        if self._state.adding and self.live and self.live_revision_id is None:
            # A brief is born a draft: only publishing a revision (through the workflow, see
            # briefs/permissions.py) makes it live, never saving a new page with live=True.
            self.live = False
            self.has_unpublished_changes = True
        if self.live and self.publication_date is None:
            self.publication_date = timezone.localdate()
        super().save(*args, **kwargs)

    # Content derived from the body ----------------------------------------------------------

    @cached_property
    def cited_evidence_ids(self):
        """The ids of the evidence the body cites, in order of first citation: read once, for
        the key of the cached body, the cited evidence and the notes."""
        return cited_evidence_ids(self.body)

    @cached_property
    def evidence_stamp(self):
        """When the cited evidence and its sources last changed (briefs.cited_evidence): one
        aggregate, read once for the key of the cached body, the cached evidence rows and the
        API's Last-Modified."""
        return evidence_stamp(self.cited_evidence_ids)

    @cached_property
    def cited_evidence(self):
        """The cited evidence as the notes read it, from the cache when its stamp is unchanged
        (the published brief's earlier versions, or its API detail, loaded it)."""
        return cited_evidence(self.cited_evidence_ids, self.evidence_stamp)

    @cached_property
    def notes(self):
        return build_notes(
            self.body, self.cited_quotes, self.cited_evidence, self.cited_evidence_ids
        )

    @cached_property
    def table_of_contents(self):
        """The entries of the page, the PDF and the API: see BriefStreamBlock.table_of_contents."""
        return self.body.stream_block.table_of_contents(self.body)

    @property
    def key_findings(self):
        return [block.value for block in self.body if block.block_type == "key_findings"]

    @property
    def recommendations(self):
        return [block.value for block in self.body if block.block_type == "recommendations"]

    @property
    def display_date(self) -> datetime.date | None:
        if self.publication_date:
            return self.publication_date
        if self.first_published_at:
            return self.first_published_at.date()
        return None

    @property
    def author_names(self):
        return [author.name for author in self.authors.all()]

    @property
    def terms(self):
        return [*self.countries.all(), *self.topics.all()]

    def site_origin(self, request=None) -> str:
        """The origin of the brief's own address ("https://host", its Site's), for the site's
        other links that must share its host (its PDFs); "" when no Site serves the brief."""
        parts = urllib.parse.urlsplit(self.get_full_url(request) or "")
        return f"{parts.scheme}://{parts.netloc}" if parts.netloc else ""

    def cite_as(self, request=None) -> str:
        """ "Cite this brief": a plain-text citation in the site's style."""
        names = self.author_names
        who = (
            ", ".join(names[:-1]) + f" and {names[-1]}" if len(names) > 1 else "".join(names)
        ) or settings.BRIEFDESK_PUBLISHER
        year = self.display_date.year if self.display_date else "n.d."
        url = self.get_full_url(request) or ""
        return (
            f"{who} ({year}). {self.title}. {self.get_kind_display()}, "
            f"{settings.BRIEFDESK_PUBLISHER}. {url}"
        ).strip()

    def route(self, request, path_components):
        if not self.live:
            # A withdrawn brief keeps its address (and its versions'): 410 with the notice.
            from ..versions import withdrawal_in_force

            if withdrawal_in_force(self) is not None:
                result = RouteResult(self, args=(self.withdrawn, (), {}))
                self._check_restrictions(request)
                return result
        # A private brief is not announced: a reader its login or group restriction turns away
        # gets a 404 rather than a login page (a password restriction still asks for it).
        result = super().route(request, path_components)
        self._check_restrictions(request)
        return result

    def serve(self, request, view=None, args=None, kwargs=None):
        if view is not None and getattr(view, "__name__", None) != "index_route":
            return super().serve(request, view, args, kwargs)  # a version: its own notes
        from ..block_data import evidence_from_notes

        # The body's evidence blocks take the notes' evidence: rendered here, not after return.
        with evidence_from_notes(lambda: self.notes):
            response = super().serve(request, view, args, kwargs)
            if hasattr(response, "render"):
                response.render()
        return response

    def get_view_restrictions(self):
        # Routing a request asks once (below), Wagtail's privacy hook again on the same page
        # object: the routed page answers both with one evaluated queryset.
        routed = getattr(self, "_routed_restrictions", None)
        return routed if routed is not None else super().get_view_restrictions()

    def _restrictions_in_one_query(self):
        """Wagtail's get_view_restrictions, in one query instead of two: the ancestors' paths
        are prefixes of the page's own, so their ids need no query of their own. An alias (of
        the page or an ancestor) has no restrictions of its own; its source's apply."""
        from django.db.models import Q
        from wagtail.models import PageViewRestriction

        paths = [self.path[:end] for end in range(self.steplen, len(self.path) + 1, self.steplen)]
        aliased = Page.objects.filter(path__in=paths, alias_of__isnull=False).values("alias_of")
        return PageViewRestriction.objects.filter(Q(page__path__in=paths) | Q(page__in=aliased))

    @classmethod
    def routing_queryset(cls):
        """How routing (briefs.models.listings) fetches a brief: with whether it is private."""
        return cls.objects.annotate(_view_restricted=view_restricted())

    def _check_restrictions(self, request):
        from wagtail.models import PageViewRestriction

        if getattr(self, "_view_restricted", None) is False:  # routed: known to have none
            self._routed_restrictions = PageViewRestriction.objects.none()
            return
        self._routed_restrictions = self._restrictions_in_one_query()
        for restriction in self._routed_restrictions:
            if (
                restriction.restriction_type != restriction.PASSWORD
                and not restriction.accept_request(request)
            ):
                raise Http404

    # Versions (briefs.version_views) ----------------------------------------------------------

    @path("versions/<int:number>/", name="version")
    def version(self, request, number):
        from ..version_views import version

        return version(self, request, number)

    @path("versions/<int:number>/diff/", name="version_diff")
    def version_diff(self, request, number):
        from ..version_views import version_diff

        return version_diff(self, request, number)

    def withdrawn(self, request, *args, **kwargs):
        from ..version_views import withdrawn

        return withdrawn(self, request)

    def version_url(self, number, suffix=""):
        """The permanent address of version ``number`` (``suffix``: "diff/")."""
        return self.url + self.reverse_subpage("version", args=[number]) + suffix

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        if not getattr(request, "is_preview", False) and not getattr(self, "version_number", None):
            # (a preview's and an old version's relations are their revision's)
            prefetch_related_objects([self], "authors", "countries", "topics")
        # Lazy, so that a cached rendering of the body (see brief_cache_version) costs no query
        # for the notes and no citeproc run for the bibliography.
        context["notes"] = SimpleLazyObject(lambda: self.notes)
        context["bibliography"] = SimpleLazyObject(lambda: self.notes.bibliography)
        context["toc"] = SimpleLazyObject(lambda: self.table_of_contents)
        # One citation markup for the whole page: the first reference to each note gets an id.
        context["citations"] = CitationMarkup(context["notes"], ref_ids=True)
        context["cite_as"] = self.cite_as(request)
        context["publisher"] = settings.BRIEFDESK_PUBLISHER
        context["brief_cache_version"] = self.brief_cache_version(request)
        if not getattr(request, "is_preview", False):
            from ..versions import history

            context["history"] = SimpleLazyObject(lambda: history(self))
        context["scholar_meta"] = meta_tags(self, request)
        # The host of the page's own address: Scholar wants the PDF on the same host.
        context["page_root"] = self.site_origin(request)
        # Downloads and evidence pages exist for the published revision only.
        restrictions = self.get_view_restrictions().exists()  # read once by route()
        is_published = self.live and not getattr(request, "is_preview", False) and not restrictions
        context["downloads"] = download_urls(self) if is_published else None
        return context

    def brief_cache_version(self, request):
        """The key of the cached body, notes and bibliography of the published revision; None
        (no cache) for previews and anything that is not a published revision. It changes with
        each publication and whenever cited evidence or its sources are edited."""
        if getattr(request, "is_preview", False) or not self.live or not self.live_revision_id:
            return None
        # The stamp, not the cited evidence itself: on a hit, the body needs none of it.
        stamp = self.evidence_stamp
        published = self.last_published_at.timestamp() if self.last_published_at else ""
        return (
            f"{self.pk}:{self.live_revision_id}:{published}:"
            f"{stamp.count}:{stamp.evidence}:{stamp.source}:{stamp.verified}"
        )


@functools.cache
def view_restricted():
    """Whether the page of the outer query, or one of its ancestors, has a view restriction or
    is an alias of a page that has one (as BriefPage._restrictions_in_one_query): an ancestor's
    path is a prefix of the page's own. Built once per process (about 1 ms of the ORM's time
    per routed request): a query resolves its own copy of an expression, never the original."""
    from django.db.models import Exists, OuterRef, Q
    from django.db.models.functions import Length, Substr
    from wagtail.models import PageViewRestriction

    aliased = Page.objects.filter(
        alias_of__isnull=False, path=Substr(OuterRef(OuterRef("path")), 1, Length("path"))
    ).values("alias_of")
    return Exists(
        PageViewRestriction.objects.filter(
            Q(page__path=Substr(OuterRef("path"), 1, Length("page__path"))) | Q(page__in=aliased)
        )
    )


class BriefAuthor(Orderable):
    page = ParentalKey(BriefPage, on_delete=models.CASCADE, related_name="authors")
    name = models.CharField(max_length=200)
    affiliation = models.CharField(max_length=200, blank=True)

    panels = [FieldRowPanel([FieldPanel("name"), FieldPanel("affiliation")])]

    def __str__(self):
        return self.name
