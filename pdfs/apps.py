from django.apps import AppConfig


class PdfsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "pdfs"
    verbose_name = "Brief PDFs"
