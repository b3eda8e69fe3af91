"""The tasks of the "Brief review" workflow.

1. ``EvidenceCheckTask``: automatic. It checks every citation of the submitted revision (see
   ``review.services.check_revision``) when it starts, and approves or rejects itself at once.
2. ``PeerReviewTask``: approvals from a configurable number of distinct reviewers, never from
   the brief's author.
3. ``EditorialSignOffTask``: Wagtail's group approval for editors; the end of the workflow
   publishes (or schedules) the brief.

The two human tasks re-run the evidence check when they start on a revision that the check has
not seen (a resubmission after "Request changes" resumes at the task that rejected, not at the
first task), and the sign-off checks once more the revision it is about to publish.
"""

from django import forms
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail.models import AbstractGroupApprovalTask, Page, Task, TaskState, WorkflowState

from briefs.models.versions import NOTICE_TEXT_MAX, UPDATE_NOTICE_TYPES, RevisionNotice


class RequiredCommentForm(forms.Form):
    comment = forms.CharField(
        label=_("Comment"),
        required=True,
        widget=forms.Textarea({"rows": 4}),
        help_text=_("Say what must change: the author receives this comment by email."),
        error_messages={"required": _("Say what must change before the brief can go on.")},
    )


class EvidenceCheckTask(Task):
    """Automatic: passes only when every cited piece of evidence is accepted, anchored, still
    matches the text version it was quoted from, and its source is ready."""

    admin_form_fields = Task.admin_form_fields

    @classmethod
    def get_task_state_class(cls):
        return EvidenceCheckTaskState

    def start(self, workflow_state, user=None):
        from .services import check_revision, format_problems

        task_state = super().start(workflow_state, user=user)
        result = check_revision(task_state.revision)
        task_state.problems = [problem.as_dict() for problem in result.problems]
        task_state.checked_citations = result.checked
        task_state.save(update_fields=["problems", "checked_citations"])
        # update=False: WorkflowState.update() moves on (or stops) once start() returns a
        # finished task state.
        if result.problems:
            task_state.reject(user=None, update=False, comment=format_problems(result.problems))
        else:
            task_state.approve(
                user=None,
                update=False,
                comment=f"All {result.checked} citations hold."
                if result.checked != 1
                else "The citation holds.",
            )
        return task_state

    def get_actions(self, obj, user):
        return []  # nobody acts on an automatic task

    @classmethod
    def get_description(cls):
        return _(
            "Automatic: every cited piece of evidence must be accepted, anchored in its source's "
            "current text and its source ready; otherwise the brief goes back with the list."
        )

    class Meta:
        verbose_name = _("Evidence check task")
        verbose_name_plural = _("Evidence check tasks")


class EvidenceCheckTaskState(TaskState):
    problems = models.JSONField(
        default=list, blank=True, help_text="The itemised problems found by the check."
    )
    checked_citations = models.PositiveIntegerField(default=0)

    def get_comment(self):
        return self.comment

    class Meta:
        verbose_name = _("Evidence check task state")
        verbose_name_plural = _("Evidence check task states")


def brief_authors(obj, workflow_state=None):
    """The users who count as the brief's author, and so never review it: its owner, who
    submitted it, and whoever made a revision under review (the revision a task is on, or any
    revision saved since the workflow started, resubmissions included)."""
    authors = set()
    if getattr(obj, "owner_id", None):
        authors.add(obj.owner_id)
    if workflow_state is None and hasattr(obj, "current_workflow_state"):
        workflow_state = obj.current_workflow_state
    if workflow_state is not None:
        if workflow_state.requested_by_id:
            authors.add(workflow_state.requested_by_id)
        authors |= _revision_authors(workflow_state)
    return authors


def _revision_authors(workflow_state):
    from wagtail.models import Revision

    revisions = Revision.objects.filter(
        base_content_type_id=workflow_state.base_content_type_id,
        object_id=workflow_state.object_id,
    )
    # The revision of the current task, read by id: loading workflow_state.current_task_state
    # would cache a copy that Wagtail's WorkflowState.update() then reads stale.
    reviewed = TaskState.objects.filter(pk=workflow_state.current_task_state_id).values("revision")
    since = revisions.filter(
        models.Q(created_at__gte=workflow_state.created_at) | models.Q(pk__in=reviewed)
    )
    return set(since.exclude(user=None).values_list("user_id", flat=True))


class EvidenceGuardMixin:
    """Re-run the evidence check when a human task starts on a revision it has not passed."""

    def start(self, workflow_state, user=None):
        check = evidence_check_task(workflow_state)
        revision = workflow_state.content_object.get_latest_revision()
        if check is not None and not _just_passed(check, workflow_state, revision):
            # Run the check first (the evidence may have changed since: a source re-ingested,
            # a quote orphaned); if it passes, WorkflowState.update() comes back here.
            return check.start(workflow_state, user=user)
        return super().start(workflow_state, user=user)


def evidence_check_task(workflow_state):
    return (
        EvidenceCheckTask.objects.filter(
            workflow_tasks__workflow=workflow_state.workflow, active=True
        )
        .order_by("workflow_tasks__sort_order")
        .first()
    )


def _just_passed(check, workflow_state, revision):
    """Whether the last task state of this workflow is the check passing on ``revision``."""
    last = (
        TaskState.objects.filter(workflow_state=workflow_state)
        .order_by("-started_at", "-pk")
        .values("task_id", "revision_id", "status")
        .first()
    )
    return bool(
        last
        and last["task_id"] == check.pk
        and last["revision_id"] == revision.pk
        and last["status"] == TaskState.STATUS_APPROVED
    )


EDITS_WITH_APPROVAL = _(
    "Not approved: you changed the brief. A review approves the brief as its authors "
    "submitted it, and whoever edits it under review becomes one of its authors, who cannot "
    "approve it. Your changes are still in the form: choose “Save draft” to keep them for the "
    "authors (another reviewer then approves), or reload the page to discard them and approve."
)


class PeerReviewTask(EvidenceGuardMixin, AbstractGroupApprovalTask):
    required_approvals = models.PositiveSmallIntegerField(
        _("approvals needed"),
        default=1,
        validators=[MinValueValidator(1), MaxValueValidator(20)],
        help_text=_("How many distinct reviewers must approve; the author never counts."),
    )

    admin_form_fields = [*AbstractGroupApprovalTask.admin_form_fields, "required_approvals"]

    @classmethod
    def get_task_state_class(cls):
        return PeerReviewTaskState

    def get_actions(self, obj, user):
        if not user.is_authenticated or user.pk in brief_authors(obj):
            return []
        if not (user.is_superuser or self._user_in_groups(user)):
            return []
        actions = [("reject", _("Request changes"), True)]
        state = self._current_state(obj)
        if state is None or not state.approvals.filter(user=user).exists():
            actions += [
                ("approve", _("Approve"), False),
                ("approve", _("Approve with comment"), True),
            ]
        return actions

    def refusal_of_edits_with(self, obj, user, action_name):
        """Why ``user`` may not post changes to the brief together with ``action_name``, or
        None. Wagtail's editor saves the form's changes as a revision before it acts, and
        whoever made a revision under review is an author, whom on_action refuses to approve:
        the brief's form (briefs.admin_forms) asks first, so that nothing is saved."""
        if action_name != "approve" or user.pk in brief_authors(obj):
            return None
        return EDITS_WITH_APPROVAL

    def _current_state(self, obj):
        return (
            PeerReviewTaskState.objects.for_instance(obj)
            .filter(task=self, status=TaskState.STATUS_IN_PROGRESS)
            .order_by("-started_at", "-pk")
            .first()
        )

    def get_form_for_action(self, action):
        if action == "reject":
            return RequiredCommentForm
        return super().get_form_for_action(action)

    def get_task_states_user_can_moderate(self, user, **kwargs):
        states = super().get_task_states_user_can_moderate(user, **kwargs)
        # The dashboard asks with a queryset of base TaskStates: reach the approvals through
        # the multi-table child.
        # Nor those where the user made a revision under review (brief_authors).
        from django.db.models import Exists, OuterRef
        from wagtail.models import Revision

        own_revisions = Revision.objects.filter(
            user=user,
            base_content_type_id=OuterRef("workflow_state__base_content_type_id"),
            object_id=OuterRef("workflow_state__object_id"),
            created_at__gte=OuterRef("workflow_state__created_at"),
        )
        return (
            states.exclude(workflow_state__requested_by=user)
            .exclude(peerreviewtaskstate__approvals__user=user)
            .exclude(revision__user=user)
            .exclude(Exists(own_revisions))
        )

    @transaction.atomic
    def on_action(self, task_state, user, action_name, **kwargs):
        task_state = PeerReviewTaskState.objects.select_for_update().get(pk=task_state.pk)
        if task_state.status != TaskState.STATUS_IN_PROGRESS:
            return None
        if action_name == "approve" and user.pk in brief_authors(
            task_state.revision.as_object(), task_state.workflow_state
        ):
            # Also refused here, not only by hiding the action: an author never approves.
            raise PermissionDenied("Whoever wrote a revision under review cannot approve it.")
        comment = kwargs.get("comment", "") or ""
        if action_name == "reject":
            task_state.reject(user=user, comment=comment)
        elif action_name == "approve":
            PeerReviewApproval.objects.get_or_create(
                task_state=task_state, user=user, defaults={"comment": comment}
            )
            count = task_state.approvals.count()
            if count >= self.required_approvals:
                task_state.approve(user=user, comment=task_state.approvals_summary())
            else:
                from wagtail.log_actions import log

                log(
                    instance=task_state.revision.as_object(),
                    action="review.peer_approval",
                    user=user,
                    revision=task_state.revision,
                    data={
                        "count": count,
                        "required": self.required_approvals,
                        "comment": comment,
                        "task": {"id": self.pk, "title": self.name},
                    },
                )
        # Returned to the workflow action view as where to send the reviewer next.
        return review_recorded_url(task_state.workflow_state.object_id, user)

    @classmethod
    def get_description(cls):
        return _(
            "Reviewers of the chosen groups approve or request changes; the task passes when "
            "the set number of distinct reviewers (never the author) have approved."
        )

    class Meta:
        verbose_name = _("Peer review task")
        verbose_name_plural = _("Peer review tasks")


def review_recorded_url(page_id, user):
    """None while ``user`` may still open the brief's editor; otherwise the admin page that
    says what became of the brief (review/views.py), where a reviewer lands after acting.

    The page is read afresh: the caller's copy still knows the workflow step just left."""
    from django.urls import reverse

    if Page.objects.get(pk=page_id).permissions_for_user(user).can_edit():
        return None
    return reverse("review_recorded", args=[page_id])


def publication_recorded_url(page_id):
    """The admin page telling the editor who signed off where the brief is live (or when it
    will be): review/views.py."""
    from django.urls import reverse

    return reverse("publication_recorded", args=[page_id])


class PeerReviewTaskState(TaskState):
    def approvals_summary(self):
        lines = []
        for approval in self.approvals.select_related("user").order_by("created_at"):
            who = approval.user.get_full_name() or approval.user.get_username()
            lines.append(
                f"Approved by {who}" + (f": {approval.comment}" if approval.comment else ".")
            )
        return "\n".join(lines)

    class Meta:
        verbose_name = _("Peer review task state")
        verbose_name_plural = _("Peer review task states")


class PeerReviewApproval(models.Model):
    """One reviewer's approval of one round of peer review."""

    task_state = models.ForeignKey(
        PeerReviewTaskState, on_delete=models.CASCADE, related_name="approvals"
    )
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    comment = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["task_state", "user"], name="review_one_approval_per_reviewer"
            )
        ]

    def __str__(self):
        return f"{self.user} approved task state {self.task_state_id}"


class UpdateNoticeForm(forms.Form):
    """The sign-off of a new version of a live brief: the public update notice it goes out
    with (briefs.models.versions)."""

    notice_type = forms.ChoiceField(
        label=_("Type of notice"),
        choices=[("", _("Choose…")), *UPDATE_NOTICE_TYPES],
        error_messages={
            "required": _(
                "This brief is live: say whether this version is a correction, a clarification "
                "or an update."
            ),
        },
    )
    notice_text = forms.CharField(
        label=_("Public notice"),
        max_length=NOTICE_TEXT_MAX,
        widget=forms.Textarea({"rows": 3}),
        help_text=_("Shown to readers at the top of the brief and in its versions: what changed."),
        error_messages={
            "required": _("This brief is live: write the notice readers will see with it."),
        },
    )
    comment = forms.CharField(
        label=_("Comment"),
        required=False,
        widget=forms.Textarea({"rows": 2}),
        help_text=_("Not shown to readers: kept with the brief's workflow history."),
    )

    def clean_notice_text(self):
        text = " ".join(self.cleaned_data["notice_text"].split())
        if not text:
            raise forms.ValidationError(_("This brief is live: write the notice readers will see."))
        return text


PUBLISH_UPDATE = "publish_update"


class EditorialSignOffTask(EvidenceGuardMixin, AbstractGroupApprovalTask):
    """Wagtail's group approval, for editors; approving the last task publishes the brief.

    A brief that is (or was) live needs an update notice with its new version: for it the
    approval is the ``publish_update`` action, whose form asks for the notice (Wagtail picks
    the form by action name, so a per-action form is how the requirement depends on the
    brief)."""

    @transaction.atomic
    def on_action(self, task_state, user, action_name, **kwargs):
        from briefs.versions import needs_update_notice

        page = task_state.workflow_state.content_object
        if action_name == "approve" and needs_update_notice(page):
            raise PermissionDenied("A new version of a live brief needs an update notice.")
        if action_name == PUBLISH_UPDATE:
            form = UpdateNoticeForm(kwargs)
            if not form.is_valid():  # the modal's form checked it; crafted data stops here
                raise PermissionDenied("A new version of a live brief needs an update notice.")
            kwargs = {"comment": form.cleaned_data["comment"]}
            action_name = "approve"
            notice = form.cleaned_data
        else:
            notice = None
        if action_name == "approve":
            from .services import check_revision, format_problems

            workflow_state = task_state.workflow_state
            revision = workflow_state.content_object.get_latest_revision()
            result = check_revision(revision)
            if result.problems:
                # The evidence changed since the check (a source re-ingested, evidence
                # rejected): never publish; back to the author with the list.
                task_state.reject(
                    user=None,
                    comment="Publication stopped by the evidence check:\n"
                    + format_problems(result.problems),
                )
                return None
            if notice is not None:
                RevisionNotice.objects.update_or_create(
                    revision=revision,
                    defaults={
                        "notice_type": notice["notice_type"],
                        "text": notice["notice_text"],
                        "created_by": user,
                    },
                )
            super().on_action(task_state, user, action_name, **kwargs)
            # Returned to the workflow action view: where the editor is told the live URL.
            return publication_recorded_url(workflow_state.object_id)
        return super().on_action(task_state, user, action_name, **kwargs)

    def get_actions(self, obj, user):
        """Wagtail's "Approve" publishes here (or schedules, with a future go-live date):
        the buttons say so. For a brief that is (or was) live the approval is
        ``publish_update``, whose form asks for the update notice."""
        from briefs.versions import needs_update_notice

        go_live_at = obj.get_latest_revision_as_object().go_live_at
        verb = _("Schedule") if go_live_at and go_live_at > timezone.now() else _("Publish")
        actions = super().get_actions(obj, user)
        if actions and needs_update_notice(obj):
            actions = [action for action in actions if action[0] != "approve"]
            label = _("%(verb)s update with notice") % {"verb": verb}
            return [*actions, (PUBLISH_UPDATE, label, True)]
        labels = {False: verb, True: _("%(verb)s with comment") % {"verb": verb}}
        return [
            (name, labels[modal] if name == "approve" else label, modal)
            for name, label, modal in actions
        ]

    def get_form_for_action(self, action):
        if action == "reject":
            return RequiredCommentForm
        if action == PUBLISH_UPDATE:
            return UpdateNoticeForm
        return super().get_form_for_action(action)

    @classmethod
    def get_description(cls):
        return _(
            "Members of the chosen groups give the final approval, which publishes; a new "
            "version of a live brief goes out with the public update notice they write."
        )

    class Meta:
        verbose_name = _("Editorial sign-off task")
        verbose_name_plural = _("Editorial sign-off tasks")


def current_workflow_state(page):
    return (
        WorkflowState.objects.for_instance(page)
        .filter(status__in=[WorkflowState.STATUS_IN_PROGRESS, WorkflowState.STATUS_NEEDS_CHANGES])
        .select_related("current_task_state")
        .first()
    )


class CorrectionFlag(models.Model):
    """A citation of a live brief that no longer holds (evidence rejected, orphaned, reworded,
    its source failed or replaced): the brief needs a corrected version. Kept up to date by
    ``review.corrections``; removed when a corrected revision is published or the evidence
    holds again."""

    page = models.ForeignKey(
        "briefs.BriefPage", on_delete=models.CASCADE, related_name="correction_flags"
    )
    # Not a foreign key: a deleted piece of evidence must still be reported.
    evidence_id = models.PositiveIntegerField()
    note_number = models.PositiveIntegerField(null=True, blank=True)
    quote = models.TextField(blank=True, help_text="The quote as the live brief shows it.")
    problem = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True, help_text="Flagged since.")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["created_at", "page_id", "note_number"]
        constraints = [
            models.UniqueConstraint(
                fields=["page", "evidence_id"], name="review_one_flag_per_citation"
            )
        ]

    def __str__(self):
        return f"{self.page}: note {self.note_number or '?'}: {self.problem}"
