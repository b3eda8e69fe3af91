from django.apps import AppConfig


class ApiConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "api"
    verbose_name = "Public API"

    def ready(self):
        from api import checks  # noqa: F401  (registers the deploy check of the shared cache)
