"""The "Brief review" workflow's finishing action (``WAGTAIL_FINISH_WORKFLOW_ACTION``).

Wagtail imports this module while it defines its own models, so it imports nothing else."""


def publish_workflow_state(workflow_state, user=None):
    """Publish the revision the workflow approved, on behalf of the approving editor.

    Wagtail's default (``wagtail.workflows.publish_workflow_state``) publishes with the
    approver's page permissions. A brief's ``can_publish()`` is for superusers only
    (briefs/permissions.py: there is no direct route to live), so here the sign-off itself is
    the permission: the workflow task already checked that ``user`` may approve it, and the
    evidence check ran on this revision (review.models.EditorialSignOffTask)."""
    revision = workflow_state.content_object.get_latest_revision()
    revision.publish(user=user, skip_permission_checks=True)
