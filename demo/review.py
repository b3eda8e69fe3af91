"""Demo briefs in the review workflow: one waiting for peer review, one sent back by the
reviewer. Called by demo.briefs.load_briefs for the entries whose state is "in_review" or
"rejected"; uses the demo accounts (demo.sources.load_accounts)."""

from django.contrib.auth import get_user_model
from wagtail.models import TaskState

REJECTION_COMMENT = (
    "The section on public opinion rests on a single survey: add the second poll the paper "
    "cites, or say plainly that the figure comes from one survey."
)


def _user(username):
    return get_user_model().objects.filter(username=username, is_active=True).first()


def put_in_review(page, state, log=print):
    """Submit ``page`` (its latest revision) to its workflow as the demo analyst; for
    ``state == "rejected"`` the demo reviewer then requests changes with a comment.

    Returns the workflow state, or None when the workflow or the demo accounts are missing
    (logged, nothing changed)."""
    analyst, reviewer = _user("analyst"), _user("reviewer")
    if analyst is None or (state == "rejected" and reviewer is None):
        log(
            f"Brief “{page.title}”: left as a draft, not {state.replace('_', ' ')}: the demo "
            "accounts do not exist (they are created only in demo mode)."
        )
        return None
    workflow = page.get_workflow()
    if workflow is None:
        log(f"Brief “{page.title}”: left as a draft: no workflow applies to it.")
        return None
    if page.owner_id is None:
        page.owner = analyst
        page.save(update_fields=["owner"])
    workflow_state = workflow.start(page, analyst)
    task_state = workflow_state.current_task_state
    if task_state is None or task_state.task.name == "Evidence check":
        log(
            f"Brief “{page.title}”: the evidence check sent it back: "
            + (task_state.comment if task_state else "no task")
        )
        return workflow_state
    if state == "rejected":
        task = task_state.task.specific
        if task_state.status == TaskState.STATUS_IN_PROGRESS and any(
            name == "reject" for name, *_ in task.get_actions(page, reviewer)
        ):
            task.on_action(task_state.specific, reviewer, "reject", comment=REJECTION_COMMENT)
            workflow_state.refresh_from_db()
    return workflow_state
