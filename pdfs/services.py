"""Queueing PDFs and reading their state: what publishing, the admin, the render_pdfs
command, the brief page (pdfs_tags.live_pdf) and the API call. Sending a render to the broker is
pdfs.tasks' (send_render, send_render_on_commit), which never imports this module."""

from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from .models import BriefPDF
from .tasks import send_render_on_commit


def queue_pdf(page, revision, kind=BriefPDF.Kind.PUBLIC, user=None, *, force=False):
    """The row of ``revision``'s PDF, created queued if missing; its render enqueued after
    the current transaction commits. An existing ready or queued row is left alone unless
    ``force`` (regenerate), which queues a new attempt that replaces the file when done."""
    with transaction.atomic():
        pdf = (
            BriefPDF.objects.select_for_update().filter(revision_id=revision.pk, kind=kind).first()
        )
        created = pdf is None
        if created:
            try:
                with transaction.atomic():
                    pdf = BriefPDF.objects.create(
                        brief_id=page.pk, revision_id=revision.pk, kind=kind, requested_by=user
                    )
            except IntegrityError:  # created by a concurrent request: use that row
                pdf = BriefPDF.objects.get(revision_id=revision.pk, kind=kind)
                created = False
        if not created:
            if pdf.status == BriefPDF.Status.RENDERING:
                return pdf  # an attempt is running; it (or the sweeper) will finish the job
            if not force and pdf.status in (BriefPDF.Status.READY, BriefPDF.Status.QUEUED):
                return pdf
            pdf.status = BriefPDF.Status.QUEUED
            pdf.queued_at = timezone.now()
            pdf.attempts = 0
            pdf.claimed_by = ""
            pdf.last_error = ""
            pdf.requested_by = user or pdf.requested_by
            pdf.save(
                update_fields=[
                    "status",
                    "queued_at",
                    "attempts",
                    "claimed_by",
                    "last_error",
                    "requested_by",
                ]
            )
        send_render_on_commit(pdf.pk)
    return pdf


def queue_live_pdf(page, user=None, *, force=False):
    if not page.live or page.live_revision_id is None:
        return None
    return queue_pdf(page, page.live_revision, BriefPDF.Kind.PUBLIC, user, force=force)


def queue_preview(page, user):
    """A PDF of the page's latest revision (its draft), for its editors only."""
    revision = page.get_latest_revision()
    if revision is None:
        return None
    return queue_pdf(page, revision, BriefPDF.Kind.PREVIEW, user)


# Publication ---------------------------------------------------------------------------------


def on_brief_saved(sender, instance, created, update_fields=None, raw=False, **kwargs):
    """post_save of BriefPage: when the page row says a revision is live, make sure that
    revision has its PDF row.

    Why post_save and not Wagtail's ``page_published`` signal: in Wagtail 8
    (wagtail/actions/publish_revision.py) PublishRevisionAction.execute() is not atomic and
    sends ``page_published`` after ``object.save()`` has committed, so a row created there
    would not share the publication's transaction. ``Page.save()`` is itself
    ``@transaction.atomic`` and post_save fires inside it, in the same transaction as the
    write that sets ``live_revision``: the row and the publication commit (or roll back)
    together, and the render is enqueued on commit. The cost is one indexed lookup (plus
    one INSERT at publication)."""
    if raw or not instance.live or not instance.live_revision_id:
        return
    if update_fields is not None and "live_revision" not in update_fields:
        return  # e.g. save_revision() updating latest_revision of a live page
    exists = BriefPDF.objects.filter(
        revision_id=instance.live_revision_id, kind=BriefPDF.Kind.PUBLIC
    ).exists()
    if exists:
        return
    try:
        with transaction.atomic():
            pdf = BriefPDF.objects.create(
                brief_id=instance.pk,
                revision_id=instance.live_revision_id,
                kind=BriefPDF.Kind.PUBLIC,
            )
    except IntegrityError:
        return  # a concurrent publication of the same revision created it
    send_render_on_commit(pdf.pk)


def queue_missing(briefs=None) -> list[BriefPDF]:
    """Rows (and renders) for every live brief whose live revision has no public PDF, and new
    attempts for failed ones. Returns the rows queued."""
    from briefs.models import BriefPage

    briefs = briefs if briefs is not None else BriefPage.objects.live()
    queued = []
    for page in briefs.exclude(live_revision=None):
        pdf = BriefPDF.objects.filter(
            revision_id=page.live_revision_id, kind=BriefPDF.Kind.PUBLIC
        ).first()
        if pdf is None or pdf.status == BriefPDF.Status.FAILED:
            queued.append(queue_live_pdf(page, force=pdf is not None))
    return queued


# Reading -------------------------------------------------------------------------------------


@dataclass
class PDFStatus:
    status: str
    url: str | None
    sha256: str
    page_count: int | None
    size: int | None
    filename: str
    finished_at: object = None

    @property
    def is_ready(self):
        return self.status == BriefPDF.Status.READY

    @property
    def message(self):
        if self.is_ready:
            return "PDF"
        if self.status == BriefPDF.Status.FAILED:
            return "The PDF of this brief is not available at the moment."
        return "The PDF of this brief is being prepared."


def public_pdf_url(page) -> str:
    return reverse("pdfs:public", kwargs={"page_id": page.pk, "slug": page.slug})


def version_pdf_url(page, number) -> str:
    return reverse("pdfs:version", kwargs={"page_id": page.pk, "slug": page.slug, "number": number})


# The fields of a public PDF row that its status and its times read.
PUBLIC_PDF_FIELDS = (
    *("status", "file", "sha256", "page_count", "size"),
    *("queued_at", "started_at", "finished_at"),
)
UNREAD = object()


def public_pdf(revision_id) -> BriefPDF | None:
    """The public PDF row of a revision (the newest, should there be several), or None."""
    queryset = BriefPDF.objects.filter(revision_id=revision_id, kind=BriefPDF.Kind.PUBLIC)
    return queryset.only(*PUBLIC_PDF_FIELDS).first()


def live_pdf_status(page, pdf=UNREAD) -> PDFStatus | None:
    """The public PDF of ``page``'s live revision: None when the brief is not live (or has no
    PDF row at all), else its status; ``url`` only when there is a file to serve (a ready
    one, or the previous one while a regeneration renders: then the status is "ready"). For
    a page shown as an earlier version (``page.version_number``, briefs.versions.version_page),
    that version's PDF. ``pdf``: that revision's public_pdf row, when the caller read it."""
    number = getattr(page, "version_number", None)
    revision_id = page.version_revision_id if number else page.live_revision_id
    if not page.live or not revision_id:
        return None
    if pdf is UNREAD:
        pdf = public_pdf(revision_id)
    return _pdf_status(page, pdf, number)


def _pdf_status(page, pdf, number=None) -> PDFStatus | None:
    if pdf is None:
        return None
    ready = pdf.has_file
    if ready:
        status = BriefPDF.Status.READY
    else:
        status = "failed" if pdf.status == BriefPDF.Status.READY else pdf.status
    return PDFStatus(
        status=status,
        url=(version_pdf_url(page, number) if number else public_pdf_url(page)) if ready else None,
        sha256=pdf.sha256 if ready else "",
        page_count=pdf.page_count if ready else None,
        size=pdf.size if ready else None,
        filename=f"{page.slug}-v{number}.pdf" if number else f"{page.slug}.pdf",
        finished_at=pdf.finished_at if ready else None,
    )
