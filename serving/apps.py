from django.apps import AppConfig


class ServingConfig(AppConfig):
    """How public pages and API answers reach anonymous readers: a shared whole-response cache
    invalidated by content changes, and purges of a CDN in front when one is configured."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "serving"
    verbose_name = "Serving"

    def ready(self):
        from . import frontend, invalidation

        invalidation.connect()
        frontend.connect()
