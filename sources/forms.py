from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from wagtail.admin.forms import WagtailAdminModelForm

from . import queue, services
from .extractors import IngestionError


class SourceForm(WagtailAdminModelForm):
    """Checks a new file before anything is saved; ingestion starts after the commit."""

    def clean_file(self):
        upload = self.cleaned_data.get("file")
        self._new_file = None
        if isinstance(upload, UploadedFile):
            try:
                media_type, sha256, size = services.inspect_upload(
                    upload,
                    upload.name,
                    exclude_pk=self.instance.pk,
                    language=self.data.get("language") or self.instance.language,
                )
            except services.DuplicateSourceError as exc:
                raise ValidationError(exc.as_html(), code="duplicate") from exc
            except IngestionError as exc:
                raise ValidationError(str(exc), code="invalid_file") from exc
            self._new_file = {
                "filename": upload.name,
                "media_type": media_type,
                "sha256": sha256,
                "size": size,
            }
        return upload

    def save(self, commit=True):
        new_file = getattr(self, "_new_file", None)
        if new_file:
            services.mark_file_changed(self.instance, **new_file)
        if self.instance.pk is None and self.for_user and self.for_user.is_authenticated:
            self.instance.created_by = self.for_user
        source = super().save(commit=commit)
        if new_file and commit:
            queue.enqueue_ingestion(source)
        return source
