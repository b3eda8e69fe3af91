import datetime

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.utils.feedgenerator import Atom1Feed
from django.utils.html import escape

from .services import published_briefs


class LatestBriefsFeed(Feed):
    feed_type = Atom1Feed
    title = f"{settings.WAGTAIL_SITE_NAME}: latest briefs"
    subtitle = "Evidence-backed policy briefs, newest first."
    link = "/"

    def items(self):
        return published_briefs().prefetch_related("authors")[:20]

    def item_title(self, item):
        return item.title

    def item_description(self, item):
        # Atom's <summary type="html"> holds HTML: the plain-text standfirst is HTML-escaped
        # here, then XML-escaped by the feed writer, so readers show "<b>" rather than obey it.
        return escape(item.standfirst)

    def item_link(self, item):
        return item.url

    def item_pubdate(self, item):
        """The brief's own publication date (the one its page shows), at midnight UTC; the
        moment it went live only when it has none."""
        if item.publication_date:
            return datetime.datetime.combine(item.publication_date, datetime.time(), datetime.UTC)
        return item.first_published_at

    def item_updateddate(self, item):
        return item.last_published_at

    def item_author_name(self, item):
        return ", ".join(item.author_names) or None
