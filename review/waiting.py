"""What waits for a reviewer or an editor: the dashboard's "Awaiting your review" panel names
the step waiting for them, and "Briefs in review" (a menu item) lists every brief whose current
step they can act on, each linking to the editor Wagtail opens to them for that step.

Neither gives any right: the list is Wagtail's own "reviewable by" query (each task's
``get_task_states_user_can_moderate``, so peer review leaves out the brief's authors and those
who already approved) and the links are the views Wagtail already lets them open."""

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from wagtail.admin.menu import MenuItem
from wagtail.admin.ui.tables import Column, DateColumn, TitleColumn, UserColumn
from wagtail.admin.views.generic.base import BaseListingView
from wagtail.admin.views.home import WorkflowObjectsToModeratePanel
from wagtail.models import AbstractGroupApprovalTask, Task, TaskState

from briefs.models import BriefPage


def can_review(user):
    """Whether ``user`` takes part in a step of a workflow (reviewers, editors, superusers)."""
    if user.is_superuser:
        return True
    groups = user.groups.all()
    return any(
        isinstance(task, AbstractGroupApprovalTask) and task.groups.filter(pk__in=groups).exists()
        for task in Task.objects.filter(active=True).specific()
    )


def briefs_waiting_for(user):
    """The current steps of briefs in review that ``user`` can act on, newest first."""
    return (
        TaskState.objects.reviewable_by(user)
        .filter(
            status=TaskState.STATUS_IN_PROGRESS,
            workflow_state__content_type=ContentType.objects.get_for_model(BriefPage),
        )
        .select_related("task", "revision", "workflow_state__requested_by")
        .order_by("-started_at", "-pk")
    )


class AwaitingReviewPanel(WorkflowObjectsToModeratePanel):
    """Wagtail's panel, showing the step waiting for the user (the template says why)."""

    template_name = "review/awaiting_review_panel.html"


def use_awaiting_review_panel(panels):
    for position, panel in enumerate(panels):
        if type(panel) is WorkflowObjectsToModeratePanel:
            panels[position] = AwaitingReviewPanel()


def _editor_url(task_state):
    return reverse("wagtailadmin_pages:edit", args=[task_state.workflow_state.object_id])


class BriefsInReviewView(BaseListingView):
    page_title = _("Briefs in review")
    header_icon = "tasks"
    index_url_name = "briefs_in_review"
    paginate_by = 50
    no_results_message = _("No brief is waiting for you.")
    columns = [
        TitleColumn(
            "title",
            label=_("Brief"),
            accessor=lambda state: state.revision.object_str,
            get_url=_editor_url,
        ),
        Column("step", label=_("Waiting for you at"), accessor="task.name"),
        UserColumn("requested_by", label=_("Submitted by"), accessor="workflow_state.requested_by"),
        DateColumn("started_at", label=_("Since")),
    ]

    def dispatch(self, request, *args, **kwargs):
        if not can_review(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_queryset(self):
        return briefs_waiting_for(self.request.user)


class BriefsInReviewMenuItem(MenuItem):
    def is_shown(self, request):
        return can_review(request.user)


def briefs_in_review_menu_item():
    return BriefsInReviewMenuItem(
        _("Briefs in review"), reverse("briefs_in_review"), icon_name="tasks", order=250
    )
