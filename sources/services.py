"""Business logic of the source library, shared by the admin, the Celery task and the commands.

Nothing here enqueues a task: :mod:`sources.queue` does, above :mod:`sources.tasks`."""

import contextlib
import hashlib
import logging
import os
import shutil
import tempfile
import time
from pathlib import Path

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.core.files import File
from django.db import transaction
from django.db.models import Max
from django.urls import reverse
from django.utils.html import format_html

from .extractors import (
    ArchiveLimits,
    IngestionError,
    NeedsOcr,
    OcrSettings,
    check_file,
    extract_document,
)
from .extractors.isolation import run_limited
from .models import FootnoteMarker, Reference, Source, SourceText
from .signals import source_text_changed

logger = logging.getLogger(__name__)

HASH_CHUNK = 1024 * 1024
PENDING_MESSAGE = "Waiting for a worker to extract the text."
OCR_PENDING_MESSAGE = "This is a scan: waiting for the OCR worker."


def ocr_settings(language=None):
    """The OCR settings of the deployment, with the Tesseract languages of ``language``."""
    ocr = OcrSettings(
        languages=settings.BRIEFDESK_OCR_LANGUAGES,
        max_pages=settings.BRIEFDESK_OCR_MAX_PAGES,
        low_confidence=settings.BRIEFDESK_OCR_LOW_CONFIDENCE,
        max_megapixels=settings.BRIEFDESK_OCR_MAX_MEGAPIXELS,
    )
    return ocr.for_language(language) if language else ocr


def archive_limits():
    """The zip bomb limits of the deployment (SOURCE_ARCHIVE_*)."""
    return ArchiveLimits(
        max_members=settings.SOURCE_ARCHIVE_MAX_MEMBERS,
        max_member_bytes=settings.SOURCE_ARCHIVE_MAX_MEMBER_MB * 2**20,
        max_total_bytes=settings.SOURCE_ARCHIVE_MAX_TOTAL_MB * 2**20,
        max_ratio=settings.SOURCE_ARCHIVE_MAX_RATIO,
    )


def extract_limited(path, *, ocr, language, **kwargs):
    """:func:`extract_document` in a child process under the memory limit
    (SOURCE_EXTRACTION_MAX_MEMORY_MB) and the task's time limit; raises TimeoutError past it."""
    kwargs.update(ocr=ocr_settings(language) if ocr else None, archive_limits=archive_limits())
    max_memory = settings.SOURCE_EXTRACTION_MAX_MEMORY_MB * 2**20
    if not max_memory:
        return extract_document(path, **kwargs)
    timeout = settings.BRIEFDESK_OCR_TIME_LIMIT if ocr else settings.CELERY_TASK_SOFT_TIME_LIMIT
    return run_limited(
        extract_document, path, max_memory_bytes=max_memory, timeout=timeout, **kwargs
    )


class DuplicateSourceError(IngestionError):
    """The file is already in the library."""

    def __init__(self, existing):
        self.existing = existing
        super().__init__(
            f"This file is already in the library as source #{existing.pk}, “{existing.title}”."
        )

    def as_html(self):
        return format_html(
            "This file is already in the library as "
            '<a href="{}">source #{}, “{}”</a>. Edit that source instead.',
            reverse("wagtailsnippets_sources_source:edit", args=[self.existing.pk]),
            self.existing.pk,
            self.existing.title,
        )


def max_upload_bytes():
    return settings.SOURCE_MAX_UPLOAD_MB * 1024 * 1024


def sha256_of(fileobj):
    digest = hashlib.sha256()
    fileobj.seek(0)
    for chunk in iter(lambda: fileobj.read(HASH_CHUNK), b""):
        digest.update(chunk)
    fileobj.seek(0)
    return digest.hexdigest()


@contextlib.contextmanager
def local_path(fileobj, filename):
    """A path on disk holding ``fileobj``'s bytes: the file itself when it already is on disk
    (a large upload, FileSystemStorage), otherwise a temporary copy (an upload held in memory,
    object storage)."""
    path = getattr(fileobj, "temporary_file_path", None)
    if path:
        yield Path(path())
        return
    with contextlib.suppress(NotImplementedError, ValueError, AttributeError):
        name = getattr(fileobj, "path", None)
        if name and os.path.exists(name):
            yield Path(name)
            return
    suffix = Path(filename).suffix
    with tempfile.NamedTemporaryFile(suffix=suffix) as tmp:
        fileobj.seek(0)
        shutil.copyfileobj(fileobj, tmp, HASH_CHUNK)
        tmp.flush()
        fileobj.seek(0)
        yield Path(tmp.name)


def inspect_upload(fileobj, filename, *, exclude_pk=None, language=None):
    """Pre-flight check of an uploaded or local file, before anything is saved.

    Returns ``(media_type, sha256, size)``; raises IngestionError (or DuplicateSourceError)
    with a message for the analyst."""
    with local_path(fileobj, filename) as path:
        media_type = check_file(
            path,
            filename,
            max_bytes=max_upload_bytes(),
            ocr=ocr_settings(),
            archive_limits=archive_limits(),
        )
        size = path.stat().st_size
    sha256 = sha256_of(fileobj)
    existing = Source.objects.filter(file_sha256=sha256).exclude(pk=exclude_pk).first()
    if existing:
        raise DuplicateSourceError(existing)
    return media_type, sha256, size


def mark_file_changed(source, *, filename, media_type, sha256, size):
    """Record a new file on the (unsaved or saved) source; ingestion starts after commit."""
    source.original_filename = os.path.basename(filename)
    source.media_type = media_type
    source.file_sha256 = sha256
    source.file_size = size
    source.status = Source.Status.PENDING
    source.progress = 0
    source.status_message = PENDING_MESSAGE
    source.error = ""


NEEDS_OCR = "needs-ocr"


def _set_status(source, status, **fields):
    fields["status"] = status
    Source.objects.filter(pk=source.pk).update(**fields)
    for name, value in fields.items():
        setattr(source, name, value)


def ingest_source(source_id, *, ocr=False):
    """Extract, normalise and store the text of a source (the body of the ingestion tasks).

    Without ``ocr`` a source that needs OCR is left ``pending`` and :data:`NEEDS_OCR` is
    returned, for the caller to hand it to the OCR queue; with ``ocr`` its scanned pages are
    OCR'd in the source's language. Idempotent: a source whose current text already comes
    from its current file is left alone. Failures leave the source ``failed`` with a readable
    error and its older text untouched."""
    source = Source.objects.select_related("current_text").filter(pk=source_id).first()
    if source is None:
        logger.info("Source %s no longer exists; nothing to ingest", source_id)
        return None
    if (
        source.status == Source.Status.READY
        and source.current_text
        and source.current_text.file_sha256 == source.file_sha256
    ):
        return source

    verb = "OCR" if ocr else "Extracting text"
    _set_status(source, Source.Status.PROCESSING, progress=0, error="", status_message=f"{verb}…")
    step = {"last": -1, "at": 0.0}

    def on_page(done, total):
        percent = int(done * 100 / total) if total else 100
        # One UPDATE per 5 % or per second at most: progress is for people, not worth a query
        # per page of a fast text extraction; an OCR'd page takes seconds.
        now = time.monotonic()
        if percent >= step["last"] + 5 or done == total or (ocr and now - step["at"] >= 1):
            step["last"], step["at"] = percent, now
            Source.objects.filter(pk=source.pk).update(
                progress=min(percent, 99), status_message=f"{verb}: page {done} of {total}"
            )

    try:
        with source.file.open("rb") as fileobj, local_path(fileobj, source.file.name) as path:
            document = extract_limited(
                path,
                media_type=source.media_type or None,
                filename=source.original_filename or source.file.name,
                on_page=on_page,
                ocr=ocr,
                language=source.language,
            )
    except NeedsOcr:
        _set_status(source, Source.Status.PENDING, progress=0, status_message=OCR_PENDING_MESSAGE)
        return NEEDS_OCR
    except IngestionError as exc:
        _set_status(source, Source.Status.FAILED, error=str(exc), status_message="Failed")
        return source
    except (SoftTimeLimitExceeded, TimeoutError):
        limit = settings.BRIEFDESK_OCR_TIME_LIMIT if ocr else settings.CELERY_TASK_SOFT_TIME_LIMIT
        _set_status(
            source,
            Source.Status.FAILED,
            error=f"{'OCR' if ocr else 'Extraction'} took longer than the time limit ({limit} s); "
            "the document may be too large: split it into smaller files.",
            status_message="Failed",
        )
        return source
    except FileNotFoundError:
        _set_status(
            source,
            Source.Status.FAILED,
            error="The uploaded file is missing from storage; upload it again.",
            status_message="Failed",
        )
        return source
    except Exception as exc:
        logger.exception("Ingestion of source %s failed", source.pk)
        _set_status(
            source,
            Source.Status.FAILED,
            error=f"Unexpected error while extracting the text ({type(exc).__name__}). "
            "It has been logged for the developers.",
            status_message="Failed",
        )
        return source

    return _store_text(source, document)


def _store_text(source, document):
    with transaction.atomic():
        source = Source.objects.select_for_update().get(pk=source.pk)
        previous = source.current_text
        version = (source.texts.aggregate(v=Max("version"))["v"] or 0) + 1
        full_text = document.full_text
        text = SourceText.objects.create(
            source=source,
            version=version,
            full_text=full_text,
            text_sha256=hashlib.sha256(full_text.encode("utf-8")).hexdigest(),
            file_sha256=source.file_sha256 or "",
            file_name=source.file.name,
            page_starts=list(document.page_starts),
            extractor=document.extractor[:100],
            page_ocr=list(document.page_ocr) if any(document.page_ocr) else [],
        )
        references = Reference.objects.bulk_create(
            [
                Reference(
                    text=text,
                    number=ref.number,
                    label=ref.label,
                    content=ref.content,
                    url=ref.url[:1000],
                    page=ref.page,
                    start=ref.start,
                    end=ref.end,
                )
                for ref in document.references
            ]
        )
        by_number = {ref.number: ref for ref in references}
        repeated = []
        for parsed in document.references:
            if parsed.repeats and parsed.repeats in by_number:
                ref = by_number[parsed.number]
                ref.repeats = by_number[parsed.repeats]
                repeated.append(ref)
        Reference.objects.bulk_update(repeated, ["repeats"])
        FootnoteMarker.objects.bulk_create(
            [
                FootnoteMarker(
                    text=text,
                    reference=by_number[marker.number],
                    start=marker.start,
                    end=marker.end,
                    page=marker.page,
                )
                for marker in document.markers
                if marker.number in by_number
            ]
        )
        source.current_text = text
        source.page_count = text.page_count
        source.status = Source.Status.READY
        source.progress = 100
        source.error = ""
        pages = "page" if text.page_count == 1 else "pages"
        source.status_message = (
            f"{text.page_count} {pages}, {len(references)} references, "
            f"{len(full_text):,} characters"
        )
        source.save(
            update_fields=[
                "current_text",
                "page_count",
                "status",
                "progress",
                "error",
                "status_message",
                "updated_at",
            ]
        )
        source_text_changed.send(sender=Source, source=source, old=previous, new=text)
    return source


def create_source_from_path(path, *, title=None, user=None, **metadata):
    """Add a local file to the library (used by the commands). Raises IngestionError."""
    path = Path(path)
    if not path.is_file():
        raise IngestionError(f"No such file: {path}")
    with path.open("rb") as fileobj:
        media_type, sha256, size = inspect_upload(fileobj, path.name)
        source = Source(title=title or path.stem.replace("-", " ").replace("_", " "), **metadata)
        source.created_by = user
        mark_file_changed(
            source, filename=path.name, media_type=media_type, sha256=sha256, size=size
        )
        source.file.save(path.name, File(fileobj), save=False)
    source.save()
    return source


def delete_source(source):
    """Delete a source and its stored file."""
    storage, name = source.file.storage, source.file.name
    source.delete()
    if name:
        transaction.on_commit(lambda: storage.delete(name))


def parse_partial_date(value):
    """'2019' → (2019-01-01, year); '2019-02' → (2019-02-01, month); ISO date → (date, day)."""
    import datetime

    value = value.strip()
    for fmt, precision in (
        ("%Y-%m-%d", Source.DatePrecision.DAY),
        ("%Y-%m", Source.DatePrecision.MONTH),
        ("%Y", Source.DatePrecision.YEAR),
    ):
        try:
            return datetime.datetime.strptime(value, fmt).date(), precision
        except ValueError:
            continue
    raise ValueError(f"“{value}” is not a date: use YYYY, YYYY-MM or YYYY-MM-DD.")
