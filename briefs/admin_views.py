"""The brief's editor in the Wagtail admin: Wagtail's page edit view, registered for BriefPage
through a PageViewSet (briefs.wagtail_hooks)."""

from django.contrib import messages
from django.core.exceptions import NON_FIELD_ERRORS
from django.utils.html import format_html, format_html_join
from wagtail.admin.messages import render
from wagtail.admin.views.pages.edit import EditView
from wagtail.admin.viewsets.pages import PageViewSet

from .admin_forms import REFUSED_WITH_WORKFLOW_ACTION
from .models import BriefPage


class BriefEditView(EditView):
    def add_save_confirmation_message(self):
        """Wagtail says "Page … has been updated." after every workflow action taken in the
        editor, changes or none: a reviewer who only approved read that they had changed the
        brief. Without changes the action's own message (review.views) is the only one."""
        if self.action_name == "perform_workflow_action" and not self.has_content_changes:
            return
        super().add_save_confirmation_message()

    def form_invalid(self, form):
        """A workflow action the form refuses (admin_forms.BriefPageForm) leads the message
        with its reason: Wagtail's own message leads with "The page could not be saved due to
        validation errors", which reads as if the reviewer had filled something in wrong. Any
        other error is listed under the reason, and fields keep Wagtail's inline errors."""
        reason = next(
            (
                error
                for error in form.errors.as_data().get(NON_FIELD_ERRORS, [])
                if error.code == REFUSED_WITH_WORKFLOW_ACTION
            ),
            None,
        )
        if reason is None or self.expects_json_response or self.locked_for_user:
            return super().form_invalid(form)
        others = [
            (message if name == NON_FIELD_ERRORS else f"{form[name].label}: {message}")
            for name, errors in form.errors.items()
            for message in errors
            if message not in reason.messages
        ]
        detail = (
            format_html(
                '<ul class="errorlist">{}</ul>',
                format_html_join("\n", "<li>{}</li>", ((error,) for error in others)),
            )
            if others
            else ""
        )
        messages.error(self.request, render(" ".join(reason.messages), None, detail=detail))
        self.has_unsaved_changes = True
        return self.render_to_response(self.get_context_data())


class BriefPageViewSet(PageViewSet):
    model = BriefPage
    edit_view_class = BriefEditView
