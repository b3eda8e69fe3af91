"""The brief's form in the Wagtail admin (BriefPage.base_form_class)."""

from django.core.exceptions import ValidationError
from wagtail.admin.forms import WagtailAdminPageForm

# The code of the error by which the form refuses a workflow action (admin_views.BriefEditView
# shows its reason as the message).
REFUSED_WITH_WORKFLOW_ACTION = "edits_with_workflow_action"


class BriefPageForm(WagtailAdminPageForm):
    def defer_required_fields(self):
        """A new brief is created only from a complete form, drafts included.

        Wagtail lets a draft skip required fields, and its autosave posts the form as a draft:
        on "Add brief" that made a page (with an empty author row) from whatever had been typed,
        and the analyst's own save then collided with it ("The slug … is already in use").
        Refusing the deferral here (not disabling autosave: WAGTAIL_AUTOSAVE_INTERVAL is global)
        makes autosave of a half-filled new brief a validation error that saves nothing (the
        indicator says autosave is paused), and "Save draft" shows what is missing; once the
        form is complete, autosave creates the brief and goes on in its editor, where drafts of
        an existing brief keep Wagtail's relaxed rules."""
        if self.instance.pk is None:
            return
        super().defer_required_fields()

    def clean(self):
        cleaned_data = super().clean()
        self._refuse_edits_the_workflow_action_forbids()
        return cleaned_data

    def _refuse_edits_the_workflow_action_forbids(self):
        """A workflow action posted from the editor saves the form's changes first, then acts;
        a task whose action the changes would make refused (review.models.PeerReviewTask: an
        editing reviewer becomes an author) says so through ``refusal_of_edits_with``, and the
        form is then invalid: nothing saved, the changes kept on screen with the reason (the
        message, by admin_views.BriefEditView)."""
        if not self.data.get("action-workflow-action") or self.instance.pk is None:
            return
        task = self.instance.current_workflow_task
        refusal_of_edits_with = getattr(task, "refusal_of_edits_with", None)
        if refusal_of_edits_with is None or not self.has_changed():
            return
        action_name = self.data.get("workflow-action-name")
        reason = refusal_of_edits_with(self.instance, self.for_user, action_name)
        if reason:
            raise ValidationError(reason, code=REFUSED_WITH_WORKFLOW_ACTION)
