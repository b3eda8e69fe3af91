from django.conf import settings
from django.core.management.base import BaseCommand

from sources import demo


class Command(BaseCommand):
    help = "Load the demo content (idempotent). Demo accounts only when demo mode is on."

    def handle(self, *args, **options):
        def log(message):
            self.stdout.write(message)

        demo.load_taxonomy()
        sources = demo.load_sources(log=log)
        if settings.BRIEFDESK_DEMO_MODE:
            demo.load_accounts(log=log)
        else:
            log("Demo mode is off (BRIEFDESK_DEMO_MODE): no demo accounts created.")
        for source in sources:
            log(
                f"  #{source.pk} {source.title}: {source.get_status_display()} "
                f"({source.status_message or source.error})"
            )
        self.stdout.write(self.style.SUCCESS("Demo content loaded."))
