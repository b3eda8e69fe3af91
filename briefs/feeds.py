import datetime

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.utils.feedgenerator import Atom1Feed
from django.utils.html import escape

from .services import published_briefs
from .versions import PublicNotice, public_notices


class LatestBriefsFeed(Feed):
    """The newest briefs and, as entries of their own, the notices of briefs already out
    (correction, clarification, update, withdrawal), each linking to its version."""

    feed_type = Atom1Feed
    title = f"{settings.WAGTAIL_SITE_NAME}: latest briefs"
    subtitle = "Evidence-backed policy briefs and their notices, newest first."
    link = "/"

    def items(self):
        briefs = list(published_briefs().prefetch_related("authors")[:20])
        notices = public_notices(20)
        entries = [*briefs, *notices]
        entries.sort(key=self._date, reverse=True)
        return entries[:40]

    def _date(self, item):
        date = self.item_pubdate(item)
        return date or datetime.datetime.min.replace(tzinfo=datetime.UTC)

    def item_title(self, item):
        if isinstance(item, PublicNotice):
            notice = item.notice
            version = f" (version {notice.version})" if notice.version else ""
            return f"{notice.label}: {item.page.title}{version}"
        return item.title

    def item_description(self, item):
        # Atom's <summary type="html"> holds HTML: the plain-text standfirst is HTML-escaped
        # here, then XML-escaped by the feed writer, so readers show "<b>" rather than obey it.
        if isinstance(item, PublicNotice):
            return escape(item.notice.text)
        return escape(item.standfirst)

    def item_link(self, item):
        return item.url

    def item_pubdate(self, item):
        """The brief's own publication date (the one its page shows), at midnight UTC; the
        moment it went live only when it has none. A notice: its date."""
        if isinstance(item, PublicNotice):
            return item.notice.date
        if item.publication_date:
            return datetime.datetime.combine(item.publication_date, datetime.time(), datetime.UTC)
        return item.first_published_at

    def item_updateddate(self, item):
        if isinstance(item, PublicNotice):
            return item.notice.date
        return item.last_published_at

    def item_author_name(self, item):
        if isinstance(item, PublicNotice):
            return settings.BRIEFDESK_PUBLISHER
        return ", ".join(item.author_names) or None
