"""What bumps the content version (serving.version): every change that a public page or API
answer can show. Publication, unpublication, moves and deletions of pages; saves and deletions
of taxonomy terms, sources, evidence, their figures and authors, and brief PDFs; evidence changed
in bulk (evidence.events.evidence_changed) and a source's new text (re-anchoring)."""

from django.apps import apps
from django.db.models.signals import post_delete, post_save
from wagtail.models import Page
from wagtail.signals import page_published, page_unpublished, post_page_move

from . import version

WATCHED_MODELS = (
    "taxonomy.Country",
    "taxonomy.Topic",
    "sources.Source",
    "sources.SourceAuthor",
    "evidence.Evidence",
    "evidence.EvidenceFigure",
    "briefs.BriefAuthor",
    "pdfs.BriefPDF",
)


def content_changed(sender=None, **kwargs):
    version.bump_on_commit()


def page_deleted(sender, instance, **kwargs):
    if isinstance(instance, Page):
        version.bump_on_commit()


def live_page_saved(sender, instance, **kwargs):
    # A live page saved outside a publication (a move, a field set by code) may change what
    # readers see; drafts (live=False) never do.
    if isinstance(instance, Page) and instance.live:
        version.bump_on_commit()


def connect():
    from evidence.events import evidence_changed
    from sources.signals import source_text_changed

    uid = "serving.content_changed"
    page_published.connect(content_changed, dispatch_uid=f"{uid}.published")
    page_unpublished.connect(content_changed, dispatch_uid=f"{uid}.unpublished")
    post_page_move.connect(content_changed, dispatch_uid=f"{uid}.moved")
    evidence_changed.connect(content_changed, dispatch_uid=f"{uid}.evidence")
    source_text_changed.connect(content_changed, dispatch_uid=f"{uid}.source_text")
    post_delete.connect(page_deleted, dispatch_uid=f"{uid}.page_deleted")
    post_save.connect(live_page_saved, dispatch_uid=f"{uid}.page_saved")
    for label in WATCHED_MODELS:
        model = apps.get_model(label)
        post_save.connect(content_changed, sender=model, dispatch_uid=f"{uid}.save.{label}")
        post_delete.connect(content_changed, sender=model, dispatch_uid=f"{uid}.delete.{label}")
