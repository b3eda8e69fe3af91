"""Scheduling ingestion: what the admin form, views and commands call to have a worker extract
the text of a source.

It sits above both :mod:`sources.services` (the work) and :mod:`sources.tasks` (the Celery task
that runs it), so the task imports the services and nothing imports back.
"""

from config.tasks import enqueue_on_commit

from .models import Source
from .services import PENDING_MESSAGE
from .tasks import ingest_source_task


def enqueue_ingestion(source):
    """Ask a worker to ingest ``source`` once the current transaction has committed."""
    source_id = source.pk

    def unreachable():  # the broker is down: the source stays pending, and can be retried
        Source.objects.filter(pk=source_id, status=Source.Status.PENDING).update(
            status_message="The task queue is unreachable; ingestion will start when it "
            "is back (or use “Retry ingestion”)."
        )

    enqueue_on_commit(
        ingest_source_task, source_id, if_down="The source stays pending.", on_failed=unreachable
    )


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
