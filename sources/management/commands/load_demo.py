from django.conf import settings
from django.core.management.base import BaseCommand

from evidence import demo as evidence_demo
from evidence import services as evidence_services
from sources import demo


class Command(BaseCommand):
    help = (
        "Load the demo content (idempotent): taxonomy, the two corpus papers, their evidence "
        "and candidates; demo accounts only when demo mode is on."
    )

    def handle(self, *args, **options):
        def log(message):
            self.stdout.write(message)

        demo.load_taxonomy()
        sources = demo.load_sources(log=log)
        counts = evidence_demo.load_evidence(log=log)
        for source in sources:
            added = evidence_services.propose_candidates(source.current_text)
            if added:
                log(f"Proposed {added} candidate evidence from “{source.title}”")
        if settings.BRIEFDESK_DEMO_MODE:
            demo.load_accounts(log=log)
        else:
            log("Demo mode is off (BRIEFDESK_DEMO_MODE): no demo accounts created.")
        for source in sources:
            log(
                f"  #{source.pk} {source.title}: {source.get_status_display()} "
                f"({source.status_message or source.error})"
            )
        log(f"  Accepted demo evidence: {counts}")
        self.stdout.write(self.style.SUCCESS("Demo content loaded."))
