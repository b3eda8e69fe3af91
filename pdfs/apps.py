from django.apps import AppConfig


class PdfsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "pdfs"
    verbose_name = "Brief PDFs"

    def ready(self):
        from django.db.models.signals import post_save

        from briefs.models import BriefPage

        from .services import on_brief_saved

        # Inside Page.save()'s transaction: see services.on_brief_saved for why not
        # page_published.
        post_save.connect(on_brief_saved, sender=BriefPage, dispatch_uid="pdfs.on_brief_saved")
