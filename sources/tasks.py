from celery import shared_task

from . import services


@shared_task(name="sources.ingest_source")
def ingest_source_task(source_id):
    """Extract the text of a source. Takes an id: the row is read fresh in the worker."""
    source = services.ingest_source(source_id)
    return source.status if source else None
