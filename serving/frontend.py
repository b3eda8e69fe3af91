"""Purges of a CDN or caching proxy in front of the site, when WAGTAILFRONTENDCACHE names one
(FRONTEND_CACHE_PURGE_URL: Wagtail's HTTP backend, a PURGE request per URL; any other backend
of wagtail.contrib.frontend_cache can be configured in WAGTAILFRONTENDCACHE instead).

Wagtail's own handlers purge only the published page's URL; a brief also appears on the brief
index, the home page, its country and topic pages and in the API, so this purges all of those,
once the publication (or unpublication) is committed."""

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from wagtail.signals import page_published, page_unpublished


def brief_urls(brief):
    """Every public URL that shows ``brief``: its own, its live ancestors (index, home), the
    country and topic pages of its terms, and the API's list and detail."""
    from briefs.models import HomePage

    site = brief.get_site()
    root = site.root_url if site else ""
    urls = set()
    page_url = brief.get_full_url()
    if page_url:
        urls.add(page_url)
    for ancestor in brief.get_ancestors().live().specific():
        url = ancestor.get_full_url()
        if not url:
            continue
        urls.add(url)
        if isinstance(ancestor, HomePage):
            for name, terms in (("country", brief.countries.all()), ("topic", brief.topics.all())):
                urls.update(url + ancestor.reverse_subpage(name, args=[t.slug]) for t in terms)
            urls.add(url + ancestor.reverse_subpage("feed"))
    urls.add(root + reverse("api:brief-list"))
    urls.add(root + reverse("api:brief-detail", kwargs={"slug": brief.slug}))
    return sorted(urls)


def purge_brief(sender, instance, **kwargs):
    from briefs.models import BriefPage

    if not getattr(settings, "WAGTAILFRONTENDCACHE", None):
        return
    page = instance.specific if not isinstance(instance, BriefPage) else instance
    if not isinstance(page, BriefPage):
        from wagtail.contrib.frontend_cache.utils import purge_page_from_cache

        transaction.on_commit(lambda: purge_page_from_cache(page))
        return
    from wagtail.contrib.frontend_cache.utils import purge_urls_from_cache

    urls = brief_urls(page)
    transaction.on_commit(lambda: purge_urls_from_cache(urls))


def connect():
    page_published.connect(purge_brief, dispatch_uid="serving.purge_published")
    page_unpublished.connect(purge_brief, dispatch_uid="serving.purge_unpublished")
