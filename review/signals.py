"""Email notifications of the workflow, on top of Wagtail's own (wagtail.admin.mail), and the
triggers that re-check live briefs when their evidence changes (review.corrections).

Wagtail already mails: superusers on submission, the group of a group-approval task when it
starts (here the editorial sign-off), and the requester when a task rejects (with the
comment). Its task notifier listens only to plain ``TaskState`` senders, so the peer review,
whose task state is a subclass, is wired here; reviewers are told, never the author."""

from django.db.models.signals import post_delete, post_save
from wagtail.admin.mail import GroupApprovalTaskStateSubmissionEmailNotifier
from wagtail.signals import page_published, page_unpublished, task_submitted

from briefs.models import BriefPage
from config.tasks import enqueue_on_commit
from evidence.events import evidence_changed
from evidence.models import Evidence

from .models import CorrectionFlag, PeerReviewTaskState, brief_authors


class PeerReviewSubmissionEmailNotifier(GroupApprovalTaskStateSubmissionEmailNotifier):
    def get_template_base_prefix(self, instance, **kwargs):
        return "task_state_"  # Wagtail's task_state_submitted templates

    def get_recipient_users(self, task_state, **kwargs):
        recipients = super().get_recipient_users(task_state, **kwargs)
        authors = brief_authors(task_state.workflow_state.content_object, task_state.workflow_state)
        return recipients.exclude(pk__in=authors).distinct()


peer_review_notifier = PeerReviewSubmissionEmailNotifier()


# Live briefs are re-checked after commit, by a worker (review.corrections) -----------------


def _watch(evidence_ids=None, page_ids=None):
    from .tasks import verify_live_briefs

    enqueue_on_commit(
        verify_live_briefs,
        evidence_ids,
        page_ids,
        if_down="The daily check of live briefs will flag them.",
    )


def on_evidence_saved(sender, instance, created=False, **kwargs):
    if not created:  # new evidence is cited by no live brief yet
        _watch(evidence_ids=[instance.pk])


def on_evidence_changed(sender, ids, **kwargs):
    if ids:
        _watch(evidence_ids=list(ids))


def on_brief_published(sender, instance, **kwargs):
    _watch(page_ids=[instance.pk])  # a corrected revision clears its flags


def on_brief_unpublished(sender, instance, **kwargs):
    CorrectionFlag.objects.filter(page_id=instance.pk).delete()


def connect():
    post_save.connect(on_evidence_saved, sender=Evidence, dispatch_uid="review_watch_saved")
    post_delete.connect(on_evidence_saved, sender=Evidence, dispatch_uid="review_watch_deleted")
    evidence_changed.connect(on_evidence_changed, dispatch_uid="review_watch_changed")
    page_published.connect(on_brief_published, sender=BriefPage, dispatch_uid="review_published")
    page_unpublished.connect(
        on_brief_unpublished, sender=BriefPage, dispatch_uid="review_unpublished"
    )
    task_submitted.connect(
        peer_review_notifier,
        sender=PeerReviewTaskState,
        dispatch_uid="review_peer_review_submitted_email",
    )
