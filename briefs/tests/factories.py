"""factory_boy / wagtail-factories factories of the briefs: a brief page (not live, without a
revision) under the brief index that the migrations create.

Saving a revision and publishing are left to the caller (``page.save_revision()``,
``revision.publish()``), since tests differ in who does it and whether it happens."""

import factory
import wagtail_factories
from django.utils.text import slugify

from briefs.models import BriefAuthor, BriefIndexPage, BriefPage


class BriefPageFactory(wagtail_factories.PageFactory):
    """``body`` is StreamField raw data; ``authors`` are names or (name, affiliation) pairs;
    ``countries`` and ``topics`` are lists of terms (written by the first revision)."""

    class Meta:
        model = BriefPage
        skip_postgeneration_save = True

    parent = factory.LazyFunction(lambda: BriefIndexPage.objects.get())
    title = factory.Sequence(lambda n: f"Brief {n}")
    slug = factory.LazyAttribute(lambda page: slugify(page.title)[:50])
    standfirst = "What the brief finds."
    kind = BriefPage.Kind.COUNTRY
    live = False
    body = factory.LazyFunction(list)

    @factory.post_generation
    def countries(page, create, extracted, **kwargs):
        page.countries.set(list(extracted or ()))

    @factory.post_generation
    def topics(page, create, extracted, **kwargs):
        page.topics.set(list(extracted or ()))

    @factory.post_generation
    def authors(page, create, extracted, **kwargs):
        page.authors.set(
            [
                BriefAuthor(name=author)
                if isinstance(author, str)
                else BriefAuthor(name=author[0], affiliation=author[1])
                for author in extracted or ()
            ]
        )
