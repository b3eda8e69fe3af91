from django.apps import AppConfig


class BriefsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "briefs"
    verbose_name = "Briefs"

    def ready(self):
        from django.db.models.signals import post_save

        from .models import BriefPage
        from .versions import on_brief_saved

        # Each publication is a version, recorded in the publication's own transaction.
        post_save.connect(on_brief_saved, sender=BriefPage, dispatch_uid="briefs.record_version")
