from django.apps import AppConfig
from django.db.models.signals import post_migrate


class BriefsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "briefs"
    verbose_name = "Briefs"

    def ready(self):
        from briefs.sites import sync_after_migrate

        # The default Site follows BRIEFDESK_BASE_URL (briefs/sites.py).
        post_migrate.connect(sync_after_migrate, sender=self, dispatch_uid="briefs-site-origin")

        from django.db.models.signals import post_save

        from .models import BriefPage
        from .versions import on_brief_saved

        # Each publication is a version, recorded in the publication's own transaction.
        post_save.connect(on_brief_saved, sender=BriefPage, dispatch_uid="briefs.record_version")

        from django.db.models.signals import post_delete

        from .routing import sites_changed

        # Each process remembers its Site lookups (briefs/routing.py): forgotten at a change.
        post_save.connect(sites_changed, dispatch_uid="briefs.routing.saved")
        post_delete.connect(sites_changed, dispatch_uid="briefs.routing.deleted")
