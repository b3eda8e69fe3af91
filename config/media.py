"""Images for the people who use them, while media files are never public.

Nothing serves MEDIA_ROOT (uploaded sources, original images, renditions) to the public: a file
of an unpublished brief must not be reachable by its address (review/tests/test_leaks.py).
- Readers get a brief's cover image through Wagtail's dynamic image serve view
  (``wagtailimages_serve``): the page links to a URL signed with the secret key for that
  image and size (``{% image_url %}``), which only a page that shows the image hands out.
- The admin's thumbnails and previews link to renditions under MEDIA_URL, which ``admin_media``
  serves to users who may use the admin, when media are stored locally (on object storage
  they are pre-signed URLs of the bucket). Hand-written: Django serves media only with DEBUG
  (django.views.static), and without any permission check."""

import posixpath

from django.conf import settings
from django.core.files.storage import FileSystemStorage, default_storage
from django.http import Http404
from django.views.decorators.http import require_safe
from django.views.static import serve

# The folders of Wagtail's images: originals and renditions (nothing else under MEDIA_ROOT).
IMAGE_FOLDERS = ("images/", "original_images/")


@require_safe
def admin_media(request, path):
    if not request.user.has_perm("wagtailadmin.access_admin"):
        raise Http404
    path = posixpath.normpath(path)  # "images/../sources/x.pdf" is a source, not an image
    if not isinstance(default_storage, FileSystemStorage) or not path.startswith(IMAGE_FOLDERS):
        raise Http404
    response = serve(request, path, document_root=settings.MEDIA_ROOT)
    # As Wagtail's own image serve view: an uploaded SVG runs no script on this origin.
    response["Content-Security-Policy"] = "default-src 'none'"
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, max-age=3600"
    return response
