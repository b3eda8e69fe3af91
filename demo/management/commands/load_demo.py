from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from demo import briefs as briefs_demo
from demo import evidence as evidence_demo
from demo import sources as demo
from evidence import services as evidence_services


class Command(BaseCommand):
    help = (
        "Load the demo content (idempotent): taxonomy, the two corpus papers, their evidence "
        "and candidates, the demo briefs; demo accounts only when demo mode is on."
    )

    def handle(self, *args, **options):
        def log(message):
            self.stdout.write(message)

        demo.load_taxonomy()
        sources = demo.load_sources(log=log)
        try:
            counts = evidence_demo.load_evidence(log=log)
        except evidence_demo.DemoEvidenceError as error:
            raise CommandError(f"Demo evidence not loaded: {error}") from error
        for source in sources:
            added = evidence_services.propose_candidates(source.current_text)
            if added:
                log(f"Proposed {added} candidate evidence from “{source.title}”")
        if settings.BRIEFDESK_DEMO_MODE:
            demo.load_accounts(log=log)
        else:
            log("Demo mode is off (BRIEFDESK_DEMO_MODE): no demo accounts created.")
        # After the accounts: the briefs that go through the workflow are moved by demo users.
        try:
            briefs = briefs_demo.load_briefs(log=log)
        except briefs_demo.DemoBriefError as error:
            raise CommandError(f"Demo briefs not loaded: {error}") from error
        for source in sources:
            log(
                f"  #{source.pk} {source.title}: {source.get_status_display()} "
                f"({source.status_message or source.error})"
            )
        log(f"  Accepted demo evidence: {counts}")
        log(f"  Demo briefs: {len(briefs)} ({'; '.join(f'{s}: {o}' for s, o in briefs.items())})")
        self.stdout.write(self.style.SUCCESS("Demo content loaded."))
