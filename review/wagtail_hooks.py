"""Admin side of the review workflow.

- Briefs are published through the "Brief review" workflow only: the permission rule is
  briefs/permissions.py (Wagtail's views and actions ask it before publishing). An
  administrator's direct publication, singly or in bulk, goes through the evidence check too.
- After a submission that the evidence check sent back, the analyst sees the itemised list.
"""

from django.contrib import messages
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext as _
from wagtail import hooks
from wagtail.admin.action_menu import UnpublishMenuItem, WorkflowMenuItem
from wagtail.admin.ui.components import Component
from wagtail.log_actions import LogFormatter
from wagtail.models import TaskState

from briefs.models import BriefPage
from briefs.versions import needs_update_notice

from .models import (
    PUBLISH_UPDATE,
    CorrectionFlag,
    EvidenceCheckTaskState,
    current_workflow_state,
    publication_recorded_url,
    review_recorded_url,
)
from .services import check_revision, problems_from_state

NOTICE_NEEDED = (
    "This brief is live: a new version goes out with a public update notice, which the editor "
    "writes at sign-off. Submit it to the “Brief review” workflow."
)
WITHDRAWAL_NEEDED = "Withdrawing a live brief needs a public withdrawal notice: write it here."

WORKFLOW_ONLY = (
    "Briefs are published through the “Brief review” workflow (evidence check, peer review, "
    "editorial sign-off): your changes are saved as a draft; submit it for review."
)


def _explain_refused_publish(request, allowed):
    """A "Publish" posted by someone who may not publish a brief (an old form, a crafted
    request) is saved as a draft by Wagtail; say why it did not go live."""
    if request.method == "POST" and request.POST.get("action-publish") and not allowed():
        messages.error(request, WORKFLOW_ONLY)


@hooks.register("before_edit_page")
def explain_refused_publish_on_edit(request, page):
    if isinstance(page.specific_deferred, BriefPage):
        _explain_refused_publish(request, page.permissions_for_user(request.user).can_publish)


@hooks.register("before_create_page")
def explain_refused_publish_on_create(request, parent_page, page_class):
    if issubclass(page_class, BriefPage):
        perms = parent_page.permissions_for_user(request.user)
        _explain_refused_publish(request, perms.can_publish_subpage)


@hooks.register("construct_page_action_menu")
def label_sign_off_as_it_acts(menu_items, request, context):
    """The sign-off's approve buttons already say what they do ("Publish", "Schedule with
    comment", review.models.EditorialSignOffTask.get_actions); Wagtail's editor footer appends
    " and Publish" to the final task's approval, which would read "Publish and Publish"."""
    suffix = str(_("%(label)s and Publish") % {"label": ""})
    for item in menu_items:
        if isinstance(item, WorkflowMenuItem) and item.name == "approve":
            label = str(item.label)
            if label.endswith(suffix) and label[: -len(suffix)].startswith(
                (str(_("Publish")), str(_("Schedule")))
            ):
                item.label = label[: -len(suffix)]


@hooks.register("before_publish_page")
def gate_direct_publish(request, page):
    """An administrator's direct publication passes the evidence check too. (Nobody else can
    publish a brief directly: briefs/permissions.py.)"""
    if not isinstance(page.specific_deferred, BriefPage):
        return None
    if not page.permissions_for_user(request.user).can_publish():
        messages.error(request, WORKFLOW_ONLY)
        return redirect("wagtailadmin_pages:edit", page.pk)
    if needs_update_notice(page):
        messages.error(request, NOTICE_NEEDED)
        return redirect("wagtailadmin_pages:edit", page.pk)
    result = check_revision(page.get_latest_revision())
    if result.problems:
        messages.error(request, _problem_list("Not published. ", result.problems))
        return redirect("wagtailadmin_pages:edit", page.pk)
    return None


@hooks.register("before_bulk_action")
def gate_bulk_publish(request, action_type, objects, action_class_instance):
    """Bulk publication of briefs: Wagtail leaves out those the user may not publish (all of
    them for non-administrators); an administrator's pass the evidence check one by one."""
    if action_type == "unpublish":
        return refuse_bulk_withdrawal(request, objects)
    if action_type != "publish":
        return None
    for obj in objects:
        page = obj.specific_deferred
        if (
            not isinstance(page, BriefPage)
            or not page.permissions_for_user(request.user).can_publish()
        ):
            continue
        if needs_update_notice(page):
            messages.error(request, f"Nothing published: “{page.title}”. {NOTICE_NEEDED}")
            return redirect("wagtailadmin_explore", page.get_parent().pk)
        result = check_revision(page.get_latest_revision())
        if result.problems:
            messages.error(
                request, _problem_list(f"Nothing published: “{page.title}”. ", result.problems)
            )
            return redirect("wagtailadmin_explore", page.get_parent().pk)
    return None


def refuse_bulk_withdrawal(request, objects):
    """Bulk unpublishing would take live briefs down without a withdrawal notice."""
    for obj in objects:
        page = obj.specific_deferred
        if isinstance(page, BriefPage) and page.live:
            messages.error(
                request,
                f"Nothing unpublished: “{page.title}” is a live brief. Withdraw it from its "
                "own page, with a public withdrawal notice.",
            )
            return redirect("wagtailadmin_explore", page.get_parent().pk)
    return None


@hooks.register("before_unpublish_page")
def withdraw_with_notice(request, page):
    """Wagtail's unpublish view hands live briefs to the withdrawal form (review.withdrawal)."""
    if isinstance(page.specific_deferred, BriefPage) and page.live:
        messages.warning(request, WITHDRAWAL_NEEDED)
        return redirect("review_withdraw", page.pk)
    return None


@hooks.register("construct_page_action_menu")
def unpublish_is_withdraw(menu_items, request, context):
    """On a brief's editor, "Unpublish" opens the withdrawal form."""
    page = context.get("page")
    if page is None or not isinstance(page.specific_deferred, BriefPage):
        return
    for index, item in enumerate(menu_items):
        if isinstance(item, UnpublishMenuItem):
            menu_items[index] = WithdrawMenuItem(order=item.order)


class WithdrawMenuItem(UnpublishMenuItem):
    label = "Withdraw…"
    name = "action-withdraw"

    def get_url(self, context):
        return reverse("review_withdraw", args=(context["page"].id,))


@hooks.register("before_copy_page")
def gate_copy_and_publish(request, page):
    """A copy of a brief is a new brief: it starts as a draft, for administrators too (for
    everyone else Wagtail's copy form already refuses, briefs/permissions.py)."""
    if (
        request.method == "POST"
        and request.POST.get("publish_copies")
        and isinstance(page.specific_deferred, BriefPage)
    ):
        messages.error(
            request,
            "A copy of a brief starts as a draft: copy it without publishing, then submit the "
            "copy to the “Brief review” workflow.",
        )
        return redirect("wagtailadmin_pages:copy", page.pk)
    return None


def _problem_list(lead, problems):
    return format_html(
        "{}The evidence check found {} problem{}:<ul>{}</ul>",
        lead,
        len(problems),
        "s" if len(problems) != 1 else "",
        format_html_join(
            "",
            "<li>{}</li>",
            (
                (problem.text if problem.block_number else f"The brief {problem.problems[0]}.",)
                for problem in problems
            ),
        ),
    )


def _report_evidence_check(request, page):
    """After a (re)submission: tell the analyst when the evidence check sent the brief back."""
    if not (
        request.method == "POST"
        and (request.POST.get("action-submit") or request.POST.get("action-restart-workflow"))
        and isinstance(page.specific_deferred, BriefPage)
    ):
        return
    state = current_workflow_state(page)
    if state is None or state.current_task_state is None:
        return
    task_state = state.current_task_state.specific
    if (
        isinstance(task_state, EvidenceCheckTaskState)
        and task_state.status == TaskState.STATUS_REJECTED
    ):
        problems = problems_from_state(task_state)
        messages.error(request, _problem_list("Sent back to you. ", problems))


@hooks.register("before_edit_page")
def show_evidence_check_result(request, page):
    """While a brief is sent back, its editor says why: the evidence check item by item, a
    reviewer or editor with their comment (Wagtail shows it only in the workflow history)."""
    if request.method != "GET" or not isinstance(page.specific_deferred, BriefPage):
        return None
    state = current_workflow_state(page)
    if state is None or state.status != state.STATUS_NEEDS_CHANGES or not state.current_task_state:
        return None
    task_state = state.current_task_state.specific
    if isinstance(task_state, EvidenceCheckTaskState):
        messages.warning(
            request,
            _problem_list(
                "The evidence check sent this brief back. ", problems_from_state(task_state)
            ),
        )
    elif task_state.status == TaskState.STATUS_REJECTED:
        who = task_state.finished_by
        messages.warning(
            request,
            format_html(
                "Changes requested at “{}”{}{}",
                task_state.task.name,
                format_html(" by {}", who.get_full_name() or who.get_username()) if who else "",
                format_html(": {}", task_state.comment) if task_state.comment else ".",
            ),
        )
    return None


@hooks.register("before_edit_page")
def show_correction_flags(request, page):
    """A live brief whose citations no longer hold says so on its edit page, note by note."""
    if request.method != "GET" or not isinstance(page.specific_deferred, BriefPage):
        return None
    flags = list(CorrectionFlag.objects.filter(page_id=page.pk).order_by("note_number"))
    if flags:
        messages.warning(
            request,
            format_html(
                "Needs correction: the published version cites evidence that no longer holds. "
                "Correct it and publish a new version.<ul>{}</ul>",
                format_html_join(
                    "",
                    "<li>Note {} (evidence #{}): {}.</li>",
                    ((f.note_number or "?", f.evidence_id, f.problem) for f in flags),
                ),
            ),
        )
    return None


class NeedsCorrectionPanel(Component):
    """Dashboard: live briefs whose citations no longer hold, for their authors and editors."""

    name = "needs_correction"
    order = 40
    template_name = "review/needs_correction_panel.html"

    def __init__(self, flags):
        self.flags = flags

    def get_context_data(self, parent_context):
        return {"flags": self.flags}


@hooks.register("construct_homepage_panels")
def add_needs_correction_panel(request, panels):
    from .corrections import flags_for

    flags = list(flags_for(request.user)[:50])
    if flags:
        panels.append(NeedsCorrectionPanel(flags))


@hooks.register("construct_homepage_panels")
def name_the_step_awaiting_review(request, panels):
    from .waiting import use_awaiting_review_panel

    use_awaiting_review_panel(panels)


@hooks.register("register_admin_menu_item")
def register_briefs_in_review_menu_item():
    from .waiting import briefs_in_review_menu_item

    return briefs_in_review_menu_item()


@hooks.register("after_edit_page")
def after_edit(request, page):
    _report_evidence_check(request, page)
    if request.method == "POST" and request.POST.get("action-workflow-action"):
        # After a workflow action in the editor Wagtail sends the user to the page explorer;
        # a reviewer whose task is done may open neither it nor the editor.
        url = review_recorded_url(page.pk, request.user)
        if url:
            return redirect(url)
        action_name = request.POST.get("workflow-action-name")
        if action_name in ("approve", PUBLISH_UPDATE) and not current_workflow_state(page):
            # The sign-off (of a new version too) ended the workflow: tell the editor where
            # the brief is live.
            return redirect(publication_recorded_url(page.pk))
    return None


@hooks.register("after_create_page")
def after_create(request, page):
    _report_evidence_check(request, page)


@hooks.register("register_admin_urls")
def review_admin_urls():
    from .views import publication_recorded, review_recorded
    from .waiting import BriefsInReviewView
    from .withdrawal import withdraw_view

    return [
        path("review/briefs/", BriefsInReviewView.as_view(), name="briefs_in_review"),
        path("review/recorded/<int:page_id>/", review_recorded, name="review_recorded"),
        path("review/published/<int:page_id>/", publication_recorded, name="publication_recorded"),
        path("review/withdraw/<int:page_id>/", withdraw_view, name="review_withdraw"),
    ]


@hooks.register("register_log_actions")
def register_review_actions(actions):
    @actions.register_action("review.peer_approval")
    class PeerApproval(LogFormatter):
        label = "Peer review approval"

        def format_message(self, log_entry):
            data = log_entry.data
            return (
                f"Approved in peer review ({data.get('count')} of {data.get('required')} "
                "approvals needed)"
            )

        def format_comment(self, log_entry):
            return log_entry.data.get("comment", "")
