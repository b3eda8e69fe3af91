"""Withdrawing a live brief: it is unpublished with a public withdrawal notice (the brief then
answers 410 with that notice, briefs.version_views). Wagtail's own unpublish view sends briefs
here (review.wagtail_hooks), so no live brief is taken down without a notice."""

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from wagtail.actions.unpublish_page import UnpublishPageAction

from briefs.models import BriefPage, BriefWithdrawal
from briefs.models.versions import NOTICE_TEXT_MAX


class WithdrawalForm(forms.Form):
    text = forms.CharField(
        label="Withdrawal notice",
        max_length=NOTICE_TEXT_MAX,
        widget=forms.Textarea({"rows": 4}),
        help_text="Public: readers of the brief's address see it instead of the brief.",
        error_messages={"required": "Say why the brief is withdrawn: readers will see it."},
    )

    def clean_text(self):
        text = " ".join(self.cleaned_data["text"].split())
        if not text:
            raise forms.ValidationError("Say why the brief is withdrawn: readers will see it.")
        return text


@transaction.atomic
def withdraw(page, user, text) -> BriefWithdrawal:
    """Unpublish ``page`` with a withdrawal notice: both or neither."""
    withdrawal = BriefWithdrawal.objects.create(
        page=page, text=text, withdrawn_by=user, withdrawn_at=timezone.now()
    )
    UnpublishPageAction(page, user=user).execute(skip_permission_checks=True)
    return withdrawal


def withdraw_view(request, page_id):
    page = get_object_or_404(BriefPage, pk=page_id)
    if not page.permissions_for_user(request.user).can_unpublish():
        raise PermissionDenied
    edit_url = reverse("wagtailadmin_pages:edit", args=[page.pk])
    if not page.live:
        messages.error(request, f"“{page.title}” is not live: there is nothing to withdraw.")
        return redirect(edit_url)
    form = WithdrawalForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        withdraw(page, request.user, form.cleaned_data["text"])
        messages.success(
            request, f"“{page.title}” withdrawn: its address now shows the withdrawal notice."
        )
        return redirect(edit_url)
    return TemplateResponse(
        request, "review/withdraw.html", {"page": page, "form": form, "edit_url": edit_url}
    )
