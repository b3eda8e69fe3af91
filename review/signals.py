"""Email notifications of the workflow, on top of Wagtail's own (wagtail.admin.mail).

Wagtail already mails: superusers on submission, the group of a group-approval task when it
starts (here the editorial sign-off), and the requester when a task rejects (with the
comment). Its task notifier listens only to plain ``TaskState`` senders, so the peer review,
whose task state is a subclass, is wired here; reviewers are told, never the author."""

from wagtail.admin.mail import GroupApprovalTaskStateSubmissionEmailNotifier
from wagtail.signals import task_submitted

from .models import PeerReviewTaskState, brief_authors


class PeerReviewSubmissionEmailNotifier(GroupApprovalTaskStateSubmissionEmailNotifier):
    def get_template_base_prefix(self, instance, **kwargs):
        return "task_state_"  # Wagtail's task_state_submitted templates

    def get_recipient_users(self, task_state, **kwargs):
        recipients = super().get_recipient_users(task_state, **kwargs)
        authors = brief_authors(task_state.workflow_state.content_object, task_state.workflow_state)
        return recipients.exclude(pk__in=authors).distinct()


peer_review_notifier = PeerReviewSubmissionEmailNotifier()


def connect():
    task_submitted.connect(
        peer_review_notifier,
        sender=PeerReviewTaskState,
        dispatch_uid="review_peer_review_submitted_email",
    )
