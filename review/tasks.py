"""Periodic tasks of the review workflow (scheduled by Celery beat, see CELERY_BEAT_SCHEDULE)."""

import io
import logging

from celery import shared_task
from django.core.management import call_command

logger = logging.getLogger(__name__)


@shared_task(name="review.publish_scheduled_pages")
def publish_scheduled_pages():
    """Wagtail's scheduled publishing: publish revisions whose go-live date has come and
    unpublish pages whose expiry date has passed. Publishing sends ``page_published``, on which
    the PDF of the brief is made."""
    out = io.StringIO()
    call_command("publish_scheduled", stdout=out)
    report = out.getvalue().strip()
    if report and "No objects" not in report:
        logger.info("Scheduled publishing: %s", " ".join(report.split()))
    return report


@shared_task(name="review.verify_live_briefs")
def verify_live_briefs(evidence_ids=None, page_ids=None):
    """Re-check the citations of live briefs (those citing ``evidence_ids``, those of
    ``page_ids``, or all of them: the daily job) and flag those needing a correction."""
    from .corrections import watch

    outcome = watch(evidence_ids, page_ids)
    if outcome.new_flags or outcome.cleared:
        logger.info(
            "Live briefs checked: %s; needing correction: %s (%s new flags, %s cleared)",
            outcome.checked,
            outcome.flagged,
            outcome.new_flags,
            outcome.cleared,
        )
    return {"checked": outcome.checked, "flagged": outcome.flagged}
