"""Scheduling ingestion: what the admin form, views and commands call to have a worker extract
the text of a source.

It sits above both :mod:`sources.services` (the work) and :mod:`sources.tasks` (the Celery task
that runs it), so the task imports the services and nothing imports back.
"""

import logging

from django.db import transaction

from .models import Source
from .services import PENDING_MESSAGE
from .tasks import ingest_source_task

logger = logging.getLogger(__name__)


def enqueue_ingestion(source):
    """Ask a worker to ingest ``source`` once the current transaction has committed."""
    source_id = source.pk

    def send():
        try:
            ingest_source_task.delay(source_id)
        except Exception:  # the broker is down: the source stays pending, and can be retried
            logger.exception("Could not enqueue ingestion of source %s", source_id)
            Source.objects.filter(pk=source_id, status=Source.Status.PENDING).update(
                status_message="The task queue is unreachable; ingestion will start when it "
                "is back (or use “Retry ingestion”)."
            )

    transaction.on_commit(send)


def retry_ingestion(source):
    """Ingest ``source`` again from its current file (after a failure, or when the queue was
    unreachable). Returns False, changing nothing, while a worker is ingesting it."""
    if source.status == Source.Status.PROCESSING:
        return False
    Source.objects.filter(pk=source.pk).update(
        status=Source.Status.PENDING, progress=0, error="", status_message=PENDING_MESSAGE
    )
    enqueue_ingestion(source)
    return True
