"""Downloads: the public PDF of a live brief, and any PDF of a brief for its editors."""

from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404

from briefs.models import BriefPage

from .models import BriefPDF
from .storage import get_pdf_storage


def _file_response(pdf, *, public, filename=None):
    """Streams the file from its storage (local folder or S3 bucket) through the Storage API."""
    storage = get_pdf_storage()
    try:
        handle = storage.open(pdf.file.name, "rb")
    except (FileNotFoundError, ValueError):
        raise Http404("The PDF file is missing.") from None
    try:
        stored_size = handle.size  # a stat or the HEAD the S3 open already made
    except OSError:
        stored_size = None
    if pdf.size is not None and stored_size != pdf.size:
        handle.close()
        raise Http404("The PDF file does not match its record.")
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=filename or pdf.filename,
        content_type="application/pdf",
    )
    response["ETag"] = f'"{pdf.sha256}"'
    response["X-Content-Type-Options"] = "nosniff"
    if public:
        response["Cache-Control"] = "public, max-age=300"
    else:
        response["Cache-Control"] = "private, no-store"
        response["X-Robots-Tag"] = "noindex"
    return response


def public_pdf(request, page_id, slug):
    """The PDF of a brief's live revision: only for a live brief without view restrictions,
    only the file of its live revision; 404 for everything else (draft, unpublished, private,
    a PDF of an older revision, not ready yet)."""
    page = BriefPage.objects.live().public().filter(pk=page_id).first()
    if page is None or page.slug != slug or not page.live_revision_id:
        raise Http404("No such published brief.")
    pdf = (
        BriefPDF.objects.select_related("brief")
        .filter(
            brief=page,
            revision_id=page.live_revision_id,
            kind=BriefPDF.Kind.PUBLIC,
        )
        .first()
    )
    # While a regeneration renders, the previous file of the same revision is served.
    if pdf is None or not pdf.has_file:
        raise Http404("The PDF of this brief is being prepared.")
    return _file_response(pdf, public=True)


def version_pdf(request, page_id, slug, number):
    """The PDF of version ``number`` of a live, public brief: superseded versions keep theirs,
    unchanged (the file rendered when that version was live)."""
    from briefs.models import BriefVersion

    page = BriefPage.objects.live().public().filter(pk=page_id).first()
    if page is None or page.slug != slug:
        raise Http404("No such published brief.")
    version = BriefVersion.objects.filter(page=page, number=number).first()
    if version is None:
        raise Http404("This brief has no such version.")
    pdf = (
        BriefPDF.objects.select_related("brief")
        .filter(
            revision_id=version.revision_id,
            kind=BriefPDF.Kind.PUBLIC,
            status=BriefPDF.Status.READY,
        )
        .first()
    )
    if pdf is None or not pdf.file:
        raise Http404("The PDF of this version is being prepared.")
    return _file_response(pdf, public=True, filename=f"{page.slug}-v{number}.pdf")


def user_can_edit(user, page) -> bool:
    return bool(user.is_authenticated and page.permissions_for_user(user).can_edit())


def editor_download(request, pdf_id):
    """Any PDF of a brief (draft previews, older revisions), for users who may edit it."""
    pdf = BriefPDF.objects.select_related("brief").filter(pk=pdf_id).first()
    if pdf is None:
        raise Http404
    if not user_can_edit(request.user, pdf.brief):
        raise PermissionDenied
    if not pdf.has_file:
        raise Http404("This PDF is not ready.")
    return _file_response(pdf, public=False)
