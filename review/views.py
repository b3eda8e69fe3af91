"""Where a reviewer lands after acting on a brief they can no longer open, and where the
editor lands after the sign-off, told the brief's live URL."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect
from django.utils import formats
from django.utils.translation import gettext as _
from wagtail.admin import messages as admin_messages
from wagtail.models import Page, PageLogEntry

from .models import current_workflow_state


def review_recorded(request, page_id):
    """Say what became of the brief after the reviewer's action, then show the dashboard.

    Peer review hands the brief on (or back to its author), after which the reviewer has no
    task on it and Wagtail's default redirect, the editor, would refuse them."""
    page = get_object_or_404(Page, pk=page_id)
    # Only someone who acted on the brief learns where it went.
    if not PageLogEntry.objects.filter(page=page, user=request.user).exists():
        return redirect("wagtailadmin_home")
    values = {"title": page.get_admin_display_title()}
    state = current_workflow_state(page)
    if state is not None and state.status == state.STATUS_NEEDS_CHANGES:
        message = _("Your review of “%(title)s” is recorded: it went back to its author.")
    elif state is not None and state.current_task_state is not None:
        message = _("Your review of “%(title)s” is recorded: it is now at “%(task)s”.")
        values["task"] = state.current_task_state.task.name
    else:
        message = _("Your review of “%(title)s” is recorded.")
    messages.success(request, message % values)
    return redirect("wagtailadmin_home")


def publication_recorded(request, page_id):
    """After the editorial sign-off: say where the brief is live, or when it will be."""
    page = get_object_or_404(Page, pk=page_id).specific
    if not PageLogEntry.objects.filter(page=page, user=request.user).exists():
        return redirect("wagtailadmin_home")
    url = page.get_full_url(request)  # None when no Site serves the brief's place in the tree
    values = {"title": page.get_admin_display_title(), "url": url}
    scheduled = page.scheduled_revision
    if scheduled is not None:
        values["when"] = formats.date_format(scheduled.approved_go_live_at, "DATETIME_FORMAT")
        message = _("“%(title)s” is scheduled to go live on %(when)s at %(url)s")
    elif page.live:
        message = _("“%(title)s” is published: %(url)s")
    else:
        # The sign-off's own evidence check sent it back; the editor shows why.
        return redirect("wagtailadmin_pages:edit", page.pk)
    if url is None:
        values["url"] = _("no address: no site serves it (Settings → Sites)")
    buttons = (
        [admin_messages.button(url, _("View live"), new_window=True)] if page.live and url else []
    )
    admin_messages.success(request, message % values, buttons=buttons)
    if page.permissions_for_user(request.user).can_edit():
        return redirect("wagtailadmin_pages:edit", page.pk)
    return redirect("wagtailadmin_home")
