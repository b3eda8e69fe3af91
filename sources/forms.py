from django import forms
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.urls import reverse
from wagtail.admin.forms import WagtailAdminModelForm

from . import queue, services
from .extractors import IngestionError


class _CurrentFile:
    """The current file as ClearableFileInput shows it ("Currently: <a href=url>name</a>")."""

    def __init__(self, name, url):
        self.name, self.url = name, url

    def __str__(self):
        return self.name


class SourceFileInput(forms.ClearableFileInput):
    """Links the current file to the admin's download view (sources.views.original_file):
    its storage URL under MEDIA_URL is served by nothing with filesystem media."""

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        source = getattr(value, "instance", None)
        if self.is_initial(value) and getattr(source, "pk", None):
            context["widget"]["value"] = _CurrentFile(
                source.original_filename or value.name,
                reverse("sources:file", args=[source.pk]),
            )
        return context


class SourceForm(WagtailAdminModelForm):
    """Checks a new file before anything is saved; ingestion starts after the commit."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "file" in self.fields:
            self.fields["file"].widget = SourceFileInput()

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
