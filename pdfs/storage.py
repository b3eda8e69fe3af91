"""Where the PDFs live, and why they are not public files.

With S3 media (config.settings.base.pdf_storage) the PDFs are private objects of
``STORAGES["pdfs"]`` (the media bucket under ``pdfs/``, read back only through the Storage API,
never through a pre-signed URL), shared by web and worker containers on any host. Otherwise
they are written to ``BRIEFDESK_PDF_ROOT`` (default ``MEDIA_ROOT/pdfs``: inside the media
volume that web and worker share in docker-compose). Either way each lives under a random
per-row folder (``<token>/<slug>-r<revision>-<kind>.pdf``). The local storage has **no URL**,
and no code asks the bucket for one: the only way to
download one is a Django view that checks the brief is live and public and that the file is
its live revision's (pdfs.views.public_pdf), or that the user may edit the brief (previews).

Briefdesk itself never serves MEDIA_ROOT (WhiteNoise serves static files only). A reverse proxy
that serves ``/media/`` directly must exclude ``/media/pdfs/`` (or set ``BRIEFDESK_PDF_ROOT``
outside the media folder, on a volume shared by web and worker); even then the 128-bit random
folder makes a draft preview or an old revision's PDF unguessable."""

import os
from pathlib import Path

from django.conf import settings
from django.core.files.storage import FileSystemStorage, storages
from django.utils.functional import cached_property

PDF_STORAGE_ALIAS = "pdfs"


def pdf_root() -> Path:
    configured = getattr(settings, "BRIEFDESK_PDF_ROOT", None)
    return Path(configured) if configured else Path(settings.MEDIA_ROOT) / "pdfs"


class PrivatePDFStorage(FileSystemStorage):
    """A file system storage without public URLs; follows MEDIA_ROOT when tests change it."""

    @cached_property
    def base_location(self):
        return str(pdf_root())

    @cached_property
    def base_url(self):
        return None  # FileSystemStorage.url() then refuses: "not accessible via a URL".

    def _clear_cached_properties(self, setting, **kwargs):
        super()._clear_cached_properties(setting, **kwargs)
        if setting == "BRIEFDESK_PDF_ROOT":
            self.__dict__.pop("base_location", None)
            self.__dict__.pop("location", None)

    def _save(self, name, content):
        # Django's FileSystemStorage writes in place, so a worker killed mid-write would leave
        # a truncated PDF under the final name: write a temporary file and move it into place.
        path = self.path(name)
        folder = os.path.dirname(path)
        os.makedirs(folder, exist_ok=True)
        # Leftovers of an attempt killed while writing (the folder is one row's alone, and only
        # the attempt holding the row's claim writes to it).
        for leftover in os.listdir(folder):
            if leftover.endswith(".part"):
                os.unlink(os.path.join(folder, leftover))
        temporary = f"{path}.{os.getpid()}.part"
        try:
            with open(temporary, "wb") as handle:
                for chunk in content.chunks():
                    handle.write(chunk)
                handle.flush()
                os.fsync(handle.fileno())
            if self.file_permissions_mode is not None:
                os.chmod(temporary, self.file_permissions_mode)
            os.replace(temporary, path)
        finally:
            if os.path.exists(temporary):
                os.unlink(temporary)
        return str(name).replace("\\", "/")


pdf_storage = PrivatePDFStorage()


def get_pdf_storage():
    """The storage of BriefPDF.file (a callable, so migrations do not serialise it):
    ``STORAGES["pdfs"]`` when configured (S3 media), else the private local folder."""
    if PDF_STORAGE_ALIAS in settings.STORAGES:
        return storages[PDF_STORAGE_ALIAS]
    return pdf_storage
