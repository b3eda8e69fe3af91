"""The render task and its sweeper.

Delivery guarantees (config/settings/base.py): tasks acknowledge late and are re-queued when
the worker process dies (acks_late, reject_on_worker_lost), prefetch one, soft and hard time
limits (600/660 s), and a Redis visibility timeout (3600 s) longer than the hard limit, so a
message is never handed to a second worker while its first attempt can still be running.

Idempotence per revision: a row is *claimed* by a conditional UPDATE (status and owner as
read), so two deliveries never render it at the same time; the file has one of two
deterministic names per row (the row's random folder + slug + revision + kind, and the same
with "-2"), alternating, so that a regeneration never touches the file being served: the
previous file stays in service until the row switches to its replacement, which then deletes
it. Files are stored through the Storage API
(pdfs.storage: a private local folder, where it is written to a temporary file and moved into
place, or an S3 bucket, where an upload is atomic). An object already there with the same
SHA-256 is kept, a stale or partial one deleted first, so a redelivered or repeated render
never adds a third one; a ready row is left alone.

A row left in "rendering" by a dead attempt is taken back in two ways:

- redelivery: the claim records the Celery task id. A message is delivered again with the
  same id only after its attempt ended without acknowledging it, i.e. the pool process died
  (SIGKILL, out of memory: Celery re-queues it at once with reject_on_worker_lost). Finding
  the row "rendering" under our own task id therefore means that attempt is dead, and we
  render again (counting the attempt; after MAX_ATTEMPTS deaths the row fails, so a brief
  that kills workers cannot loop forever).
- heartbeat: when the whole worker dies, or the hard time limit kills a render (Celery then
  acknowledges the message), no redelivery comes soon (with Redis, not before the visibility
  timeout). A thread of the rendering attempt writes ``heartbeat_at`` every
  BRIEFDESK_PDF_HEARTBEAT_SECONDS; a row "rendering" whose heartbeat is older than four of
  them (:func:`stale_after`, a minute by default) is dead: the sweeper (every minute)
  re-queues and sends it at once, and the claim accepts it too. A late redelivery of the old
  message then finds the row ready (or claimed by the new attempt) and does nothing."""

import functools
import hashlib
import logging
import os
import threading
import time
from datetime import timedelta

from celery import shared_task
from django.conf import settings
from django.core.files.base import ContentFile
from django.db import connections, transaction
from django.db.models import Q
from django.utils import timezone

from config.tasks import enqueue, enqueue_on_commit

from .models import BriefPDF, pdf_path
from .storage import get_pdf_storage

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 3
RETRY_BACKOFF = 30  # seconds before the 2nd attempt; doubled for each further one
# Queued rows whose render was not sent (broker down) or not picked up for this long are sent
# again by the sweeper.
QUEUED_GRACE = 120
# Test hook: BRIEFDESK_PDF_TEST_RENDER_DELAY=<seconds> makes each render pause that long between
# claiming the row and rendering, so that tests can kill a worker in the middle of a render.
# Unset (the default) it costs nothing.
DELAY_ENV = "BRIEFDESK_PDF_TEST_RENDER_DELAY"


def heartbeat_seconds() -> float:
    return float(settings.BRIEFDESK_PDF_HEARTBEAT_SECONDS)


def stale_after() -> timedelta:
    """How long a rendering attempt may be silent before it is taken as dead."""
    return timedelta(seconds=4 * heartbeat_seconds())


def _silent_since(moment) -> Q:
    """Rows "rendering" whose attempt has given no sign of life since ``moment``."""
    return Q(status=BriefPDF.Status.RENDERING) & (
        Q(heartbeat_at__lt=moment)
        | Q(heartbeat_at__isnull=True, started_at__lt=moment)
        | Q(heartbeat_at__isnull=True, started_at__isnull=True)
    )


class Heartbeat:
    """While the body runs, a thread writes the row's ``heartbeat_at`` every
    :func:`heartbeat_seconds` (only while this attempt owns the row). A thread, because the
    render is one long call into WeasyPrint; it releases the GIL often enough."""

    def __init__(self, pdf_id, owner):
        self.pdf_id, self.owner = pdf_id, owner
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._beat, name=f"pdf-{pdf_id}-heartbeat")
        self.thread.daemon = True

    def _beat(self):
        try:
            while not self.stop.wait(heartbeat_seconds()):
                try:
                    BriefPDF.objects.filter(
                        pk=self.pdf_id, claimed_by=self.owner, status=BriefPDF.Status.RENDERING
                    ).update(heartbeat_at=timezone.now())
                except Exception:  # the database is away: the next beat tries again
                    logger.warning("Heartbeat of PDF #%s failed", self.pdf_id, exc_info=True)
        finally:
            connections.close_all()  # this thread's connections only

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc_info):
        self.stop.set()
        self.thread.join(timeout=heartbeat_seconds())


def claim(pdf_id, task_id) -> BriefPDF | None:
    """Take row ``pdf_id`` for this attempt, or None when there is nothing to do."""
    now = timezone.now()
    with transaction.atomic():
        pdf = BriefPDF.objects.select_for_update().filter(pk=pdf_id).first()
        if pdf is None:
            return None  # the brief (or revision) was deleted meanwhile
        if pdf.status == BriefPDF.Status.READY and pdf.file:
            return None
        if pdf.status == BriefPDF.Status.FAILED:
            return None  # only "regenerate" (or render_pdfs) queues a failed row again
        if pdf.status == BriefPDF.Status.RENDERING:
            redelivered = bool(task_id) and pdf.claimed_by == task_id
            last_sign = pdf.heartbeat_at or pdf.started_at
            stale = last_sign is None or last_sign < now - stale_after()
            if not (redelivered or stale):
                return None  # a live attempt owns it
        if pdf.attempts >= MAX_ATTEMPTS:
            BriefPDF.objects.filter(pk=pdf.pk, status=pdf.status).update(
                status=BriefPDF.Status.FAILED,
                finished_at=now,
                claimed_by="",
                last_error=(
                    f"Gave up after {pdf.attempts} attempts: "
                    + (pdf.last_error or "the worker stopped while rendering.")
                )[:2000],
            )
            return None
        # Conditional on what we read: on databases without row locks (SQLite) two
        # deliveries may read the same row, and only one of these updates matches.
        won = BriefPDF.objects.filter(
            pk=pdf.pk, status=pdf.status, claimed_by=pdf.claimed_by, attempts=pdf.attempts
        ).update(
            status=BriefPDF.Status.RENDERING,
            attempts=pdf.attempts + 1,
            started_at=now,
            heartbeat_at=now,
            finished_at=None,
            claimed_by=task_id or f"inline-{os.getpid()}-{now.timestamp()}",
        )
        if not won:
            return None
    pdf.refresh_from_db()
    return pdf


def stored_sha256(storage, name) -> str | None:
    """The SHA-256 of the object ``name`` in ``storage``, or None when there is none."""
    digest = hashlib.sha256()
    try:
        with storage.open(name, "rb") as handle:
            for chunk in handle.chunks():
                digest.update(chunk)
    except FileNotFoundError:
        return None
    return digest.hexdigest()


def next_name(pdf) -> str:
    """Where the next render of ``pdf`` goes: of the row's two names, the one it does not
    serve now."""
    stem = f"{(pdf.brief.slug or 'brief')[:80]}-r{pdf.revision_id}-{pdf.kind}"
    first = pdf_path(pdf, f"{stem}.pdf")
    return pdf_path(pdf, f"{stem}-2.pdf") if pdf.file.name == first else first


def write_file(pdf, rendered) -> str:
    """Store the PDF through the Storage API (local folder or S3) under the row's name that is
    not being served (:func:`next_name`); returns the storage name. An object already there
    with the same bytes is kept; a stale or partial one is deleted first, so a row never has
    more than its served file and its replacement."""
    storage = get_pdf_storage()
    name = next_name(pdf)
    if storage.exists(name):
        if stored_sha256(storage, name) == rendered.sha256:
            return name
        storage.delete(name)
    saved = storage.save(name, ContentFile(rendered.data))
    if saved != name:
        # Someone created the name between delete and save (only the claim holder writes, so
        # this is a bug or a manual copy): never leave a second object for the row.
        storage.delete(saved)
        raise RuntimeError(f"The PDF could not be stored as {name} (the storage chose {saved}).")
    return name


def _pause_for_tests():
    delay = os.environ.get(DELAY_ENV)
    if delay:
        time.sleep(float(delay))


@shared_task(
    name="pdfs.render_brief_pdf",
    bind=True,
    acks_late=True,
    reject_on_worker_lost=True,
    max_retries=MAX_ATTEMPTS,
)
def render_brief_pdf(self, pdf_id):
    from .revision import render_revision

    task_id = self.request.id or ""
    pdf = claim(pdf_id, task_id)
    if pdf is None:
        return "nothing to do"
    owner = pdf.claimed_by
    started = time.monotonic()
    try:
        with Heartbeat(pdf.pk, owner):
            _pause_for_tests()
            rendered = render_revision(pdf.revision, pdf.kind)
            name = write_file(pdf, rendered)
    except Exception as error:  # anything (WeasyPrint, template, soft time limit) is retried
        logger.exception("Rendering PDF #%s (attempt %s) failed", pdf.pk, pdf.attempts)
        message = f"{type(error).__name__}: {error}"[:2000]
        final = pdf.attempts >= MAX_ATTEMPTS
        BriefPDF.objects.filter(pk=pdf.pk, claimed_by=owner).update(
            status=BriefPDF.Status.FAILED if final else BriefPDF.Status.QUEUED,
            claimed_by="",
            last_error=message,
            finished_at=timezone.now() if final else None,
            render_seconds=time.monotonic() - started,
        )
        if final:
            return "failed"
        raise self.retry(
            exc=error, countdown=RETRY_BACKOFF * 2 ** (pdf.attempts - 1), max_retries=None
        ) from None
    finished = BriefPDF.objects.filter(
        pk=pdf.pk, claimed_by=owner, status=BriefPDF.Status.RENDERING
    ).update(
        status=BriefPDF.Status.READY,
        file=name,
        sha256=rendered.sha256,
        page_count=rendered.page_count,
        size=rendered.size,
        finished_at=timezone.now(),
        render_seconds=round(time.monotonic() - started, 3),
        claimed_by="",
        last_error="",
    )
    if not finished:
        logger.warning("PDF #%s was taken over while rendering; its file is up to date.", pdf.pk)
    elif pdf.file.name and pdf.file.name != name:
        get_pdf_storage().delete(pdf.file.name)  # the previous file, now replaced
    return "ready"


# Sending a render ------------------------------------------------------------------------------

IF_DOWN = "The PDF stays queued and the sweeper (sweep_queued_pdfs) will send it again."


def _mark_sent(pdf_id):
    BriefPDF.objects.filter(pk=pdf_id, status=BriefPDF.Status.QUEUED).update(
        enqueued_at=timezone.now()
    )


def send_render(pdf_id) -> bool:
    """Send the render of row ``pdf_id`` now (config.tasks.enqueue: never raises; with the
    broker down the row stays queued and the sweeper sends it again later)."""
    return enqueue(
        render_brief_pdf, pdf_id, if_down=IF_DOWN, on_sent=functools.partial(_mark_sent, pdf_id)
    )


def send_render_on_commit(pdf_id):
    """:func:`send_render` once the current transaction has committed."""
    enqueue_on_commit(
        render_brief_pdf, pdf_id, if_down=IF_DOWN, on_sent=functools.partial(_mark_sent, pdf_id)
    )


@shared_task(name="pdfs.sweep_queued_pdfs")
def sweep_queued_pdfs(grace_seconds=QUEUED_GRACE):
    """Celery beat, every minute: send again the renders of rows left queued (the broker was
    down at publication, a message was lost) and take back rows whose attempt died."""
    now = timezone.now()
    silent = _silent_since(now - stale_after())
    revived = []
    for pk in BriefPDF.objects.filter(silent).values_list("pk", flat=True)[:500]:
        # Conditional again: the attempt may have beaten (or finished) since the read.
        if BriefPDF.objects.filter(silent, pk=pk).update(
            status=BriefPDF.Status.QUEUED,
            claimed_by="",
            last_error="The rendering attempt stopped without finishing; queued again.",
        ):
            revived.append(pk)
    cutoff = now - timedelta(seconds=grace_seconds)
    waiting = BriefPDF.objects.filter(status=BriefPDF.Status.QUEUED).filter(
        Q(enqueued_at__isnull=True, queued_at__lte=cutoff) | Q(enqueued_at__lte=cutoff)
    )
    # A revived row is sent at once, whenever its last message was sent.
    pks = list(dict.fromkeys([*revived, *waiting.values_list("pk", flat=True)[:500]]))
    sent = sum(1 for pk in pks if send_render(pk))
    revived = len(revived)
    if revived or sent:
        logger.info("PDF sweeper: %s stale renders taken back, %s renders sent", revived, sent)
    return {"revived": revived, "sent": sent}
