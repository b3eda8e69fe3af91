"""The one way to send a Celery task from the web side, and the one policy when the broker is
down: log it and carry on. The request (a publication, an upload) never fails because the
queue is unreachable; the row the task was for stays in its retryable state (a source stays
pending, a PDF stays queued and beat's sweeper sends it again), and ``on_failed`` may say so
on the row.

Celery's own ``Task.delay_on_commit`` (celery.contrib.django.task.DjangoTask, the default task
class of a Django project) sends after commit too, but an unreachable broker then raises out of
the commit; and it has neither the short retry policy nor a hook to record that a message left
(``pdfs.BriefPDF.enqueued_at``), so it is wrapped here rather than used as is."""

import functools
import logging

from django.db import transaction

logger = logging.getLogger(__name__)

# One short retry: a request must not hang on a dead broker (Celery's default retries three
# times, and a connection attempt to a dead Redis host can take seconds each).
RETRY_POLICY = {"max_retries": 1, "interval_start": 0, "interval_step": 0.2}


def enqueue(task, *args, if_down="", on_sent=None, on_failed=None) -> bool:
    """Send ``task(*args)`` to the broker now. Never raises: when the broker cannot be reached,
    logs (with ``if_down``: what becomes of the work) and calls ``on_failed``; once sent, calls
    ``on_sent``. Returns whether the message was sent."""
    try:
        task.apply_async(args, retry=True, retry_policy=RETRY_POLICY)
    except Exception:  # kombu/redis connection errors have no common base class worth naming
        logger.exception(
            "Could not enqueue %s%r: the broker is unreachable.%s",
            task.name,
            args,
            f" {if_down}" if if_down else "",
        )
        if on_failed is not None:
            on_failed()
        return False
    if on_sent is not None:
        on_sent()
    return True


def enqueue_on_commit(task, *args, if_down="", on_sent=None, on_failed=None) -> None:
    """:func:`enqueue` once the current transaction has committed (at once outside one): a
    worker never reads a row before it exists, and nothing is sent for a rolled-back write."""
    send = functools.partial(
        enqueue, task, *args, if_down=if_down, on_sent=on_sent, on_failed=on_failed
    )
    transaction.on_commit(send, robust=True)
