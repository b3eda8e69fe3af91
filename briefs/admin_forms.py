"""The brief's form in the Wagtail admin (BriefPage.base_form_class)."""

from wagtail.admin.forms import WagtailAdminPageForm


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
