from django.apps import AppConfig


class EvidenceConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "evidence"
    verbose_name = "Evidence"

    def ready(self):
        from . import signals  # noqa: F401  (connects the receivers)
