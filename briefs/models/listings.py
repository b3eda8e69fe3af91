"""The pages that list briefs: the home page (with the site-wide routes: country and topic
pages, search, Atom feed) and the brief index. They sit above the brief page: they read it
through briefs.services, briefs.forms and briefs.feeds, which import the brief page itself
(briefs.models.pages), never this module."""

from django.db import models
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from wagtail.admin.panels import FieldPanel
from wagtail.contrib.routable_page.models import RoutablePageMixin, path
from wagtail.models import Page

from taxonomy.models import Country, Topic

from ..permissions import BriefIndexPermissionTester
from .pages import BriefPage


class RoutesToKnownChildren(Page):
    """Page.route for pages whose children are all of one type (``subpage_types``): the child
    in one query of its own model, not Wagtail's two (the page, then its specific row); and a
    grandchild in one query too when the child routes this same plain way (the home page to a
    brief: the index page in between is not loaded). A child of another type (moved in by
    hand) still routes through Page.route. A model's ``routing_queryset()``, if it has one,
    says what comes along with its rows (BriefPage: whether it is private)."""

    class Meta:
        abstract = True

    def route(self, request, path_components):
        model = self._known_child_model()
        if path_components and model is not None:
            grandchild_model = model._known_child_model() if _plain_router(model) else None
            if len(path_components) > 1 and grandchild_model is not None:
                # url_path is the chain of slugs Wagtail keeps for each page: the grandchild
                # under the child called path_components[0], without loading that child.
                url_path = f"{self.url_path}{path_components[0]}/{path_components[1]}/"
                grandchild = (
                    _routing_queryset(grandchild_model)
                    .filter(depth=self.depth + 2, path__startswith=self.path, url_path=url_path)
                    .first()
                )
                if grandchild is not None:
                    return grandchild.route(request, path_components[2:])
            child = _routing_queryset(model).child_of(self).filter(slug=path_components[0]).first()
            if child is not None:
                child._cached_parent_obj = self
                return child.route(request, path_components[1:])
        return super().route(request, path_components)

    @classmethod
    def _known_child_model(cls):
        from django.apps import apps

        return apps.get_model(cls.subpage_types[0]) if len(cls.subpage_types) == 1 else None


def _plain_router(model):
    return issubclass(model, RoutesToKnownChildren) and model.route is RoutesToKnownChildren.route


def _routing_queryset(model):
    make = getattr(model, "routing_queryset", None)
    return make() if make is not None else model.objects.all()


class HomePage(RoutablePageMixin, RoutesToKnownChildren):
    """The site root: latest briefs, entry points by country and topic, and the site-wide
    routes (country and topic pages, search, Atom feed)."""

    intro = models.TextField(blank=True, help_text="A sentence or two under the site title.")

    content_panels = [*Page.content_panels, FieldPanel("intro")]
    subpage_types = ["briefs.BriefIndexPage"]
    parent_page_types = ["wagtailcore.Page"]
    max_count = 1

    def get_context(self, request, *args, **kwargs):
        from .. import services

        context = super().get_context(request, *args, **kwargs)
        context["latest_briefs"] = services.with_listing_data(services.published_briefs()[:6])
        context["countries"] = services.countries_with_briefs()
        context["topics"] = services.topics_with_briefs()
        context["brief_index"] = BriefIndexPage.objects.live().public().first()
        return context

    def get_sitemap_urls(self, request=None):
        from .. import services

        urls = super().get_sitemap_urls(request)
        base = self.get_full_url(request)  # ends with "/"; reverse_subpage() has no leading one
        for name, terms in (
            ("country", services.countries_with_briefs()),
            ("topic", services.topics_with_briefs()),
        ):
            for term in terms:
                urls.append({"location": base + self.reverse_subpage(name, args=[term.slug])})
        return urls

    @path("countries/<slug:slug>/", name="country")
    def country(self, request, slug):
        country = get_object_or_404(Country, slug=slug)
        return self._render_term(request, country, "country", briefs_filter={"countries": country})

    @path("topics/<slug:slug>/", name="topic")
    def topic(self, request, slug):
        topic = get_object_or_404(Topic, slug=slug)
        return self._render_term(request, topic, "topic", briefs_filter={"topics": topic})

    def _render_term(self, request, term, term_kind, briefs_filter):
        """The page of one country or topic: its published briefs and how much evidence."""
        from .. import services

        return self._render_route(
            request,
            "briefs/taxonomy_page.html",
            {
                "term": term,
                "term_kind": term_kind,
                "page_obj": services.paginate(
                    request, services.published_briefs().filter(**briefs_filter)
                ),
                "evidence_count": term.evidence.citable().count(),
            },
        )

    @path("search/", name="search")
    def search(self, request):
        from .. import services

        query = (request.GET.get("q") or "").strip()[:200]
        results = services.search_briefs(query) if query else BriefPage.objects.none()
        return self._render_route(
            request,
            "briefs/search.html",
            {
                "search_query": query,
                "page_obj": services.paginate(request, results) if query else None,
            },
        )

    def _render_route(self, request, template, context):
        """A route's page (search, a country, a topic): ``context`` over Page's own context
        (page, self, request), not over get_context()'s, whose home page listings these pages
        do not show and which cost five queries (published_briefs() reads the view
        restrictions each time it is called)."""
        return TemplateResponse(request, template, {**super().get_context(request), **context})

    @path("feed/", name="feed")
    def feed(self, request):
        from ..feeds import LatestBriefsFeed

        return LatestBriefsFeed()(request)


class BriefIndexPage(RoutesToKnownChildren):
    """The list of briefs, with filters by country, topic, kind and year."""

    intro = models.TextField(blank=True)

    content_panels = [*Page.content_panels, FieldPanel("intro")]
    parent_page_types = ["briefs.HomePage"]
    subpage_types = ["briefs.BriefPage"]

    def permissions_for_user(self, user):
        return BriefIndexPermissionTester(user, self)

    def get_context(self, request, *args, **kwargs):
        from .. import services
        from ..forms import BriefFilterForm

        context = super().get_context(request, *args, **kwargs)
        form = BriefFilterForm(request.GET or None)
        briefs = services.published_briefs().child_of(self)
        if form.is_bound:
            form.is_valid()  # an invalid filter is reported; the valid ones still apply
            briefs = form.filter(briefs)
        context["filter_form"] = form
        context["page_obj"] = services.paginate(request, briefs)
        return context
