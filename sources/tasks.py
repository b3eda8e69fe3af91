from celery import shared_task
from django.conf import settings

from . import services


@shared_task(name="sources.ingest_source")
def ingest_source_task(source_id):
    """Extract the text of a source. Takes an id: the row is read fresh in the worker.

    A scan is handed to :func:`ocr_source_task`, on the `ocr` queue (CELERY_TASK_ROUTES)."""
    source = services.ingest_source(source_id)
    if source == services.NEEDS_OCR:
        ocr_source_task.delay(source_id)
        return "ocr"
    return source.status if source else None


@shared_task(
    name="sources.ocr_source",
    soft_time_limit=settings.BRIEFDESK_OCR_TIME_LIMIT,
    time_limit=settings.BRIEFDESK_OCR_TIME_LIMIT + 60,
)
def ocr_source_task(source_id):
    """Extract the text of a scanned source with OCR (slow: its own queue and time limit)."""
    source = services.ingest_source(source_id, ocr=True)
    return source.status if source else None
