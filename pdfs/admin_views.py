"""The "PDF" screen of a brief in the Wagtail admin: status and history of its PDFs, a
"Regenerate" action for the live revision's PDF and a background "Draft preview"."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.views.decorators.http import require_POST

from briefs.models import BriefPage

from . import services
from .models import BriefPDF
from .views import user_can_edit


def _editable_brief(request, page_id):
    page = get_object_or_404(BriefPage, pk=page_id)
    if not user_can_edit(request.user, page):
        raise PermissionDenied
    return page


def brief_pdfs(request, page_id):
    page = _editable_brief(request, page_id)
    pdfs = list(
        BriefPDF.objects.filter(brief=page)
        .select_related("revision", "requested_by")
        .order_by("-revision__created_at", "kind")
    )
    latest = page.get_latest_revision()
    permissions = page.permissions_for_user(request.user)
    return TemplateResponse(
        request,
        "pdfs/admin/brief_pdfs.html",
        {
            "page": page,
            "pdfs": pdfs,
            "live_pdf": next(
                (
                    p
                    for p in pdfs
                    if p.revision_id == page.live_revision_id and p.kind == BriefPDF.Kind.PUBLIC
                ),
                None,
            ),
            "latest_revision": latest,
            "preview": next(
                (
                    p
                    for p in pdfs
                    if latest and p.revision_id == latest.pk and p.kind == BriefPDF.Kind.PREVIEW
                ),
                None,
            ),
            "can_regenerate": page.live and permissions.can_manage_publication(),
            "can_preview": permissions.can_manage_publication(),
            "public_url": services.public_pdf_url(page) if page.live else None,
            "pending": any(p.status in ("queued", "rendering") for p in pdfs),
        },
    )


@require_POST
def regenerate(request, page_id):
    page = _editable_brief(request, page_id)
    if not page.permissions_for_user(request.user).can_manage_publication():
        raise PermissionDenied
    if not page.live:
        messages.error(request, "This brief is not published: there is no public PDF to make.")
        return redirect("pdfs_admin:brief", page.pk)
    pdf = services.queue_live_pdf(page, request.user, force=True)
    if pdf.status == BriefPDF.Status.RENDERING:
        messages.warning(request, "The PDF is being rendered right now; it will be ready soon.")
    else:
        messages.success(request, "A new PDF of the published version has been queued.")
    return redirect("pdfs_admin:brief", page.pk)


@require_POST
def preview(request, page_id):
    """Draft previews are for editors and administrators (the publish permission), as the
    README says; analysts see the draft in Wagtail's own HTML preview."""
    page = _editable_brief(request, page_id)
    if not page.permissions_for_user(request.user).can_manage_publication():
        raise PermissionDenied
    pdf = services.queue_preview(page, request.user)
    if pdf is None:
        messages.error(request, "This brief has no saved version to preview yet.")
    elif pdf.is_ready:
        messages.success(request, "The preview of the latest draft is ready.")
    else:
        messages.success(
            request,
            "A PDF preview of the latest draft is being made; this page shows it when ready.",
        )
    return redirect("pdfs_admin:brief", page.pk)


def admin_url(page):
    return reverse("pdfs_admin:brief", args=[page.pk])
