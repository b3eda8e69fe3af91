from django.core.management.base import BaseCommand

from briefs.models import BriefPage
from pdfs import services
from pdfs.models import BriefPDF


class Command(BaseCommand):
    help = (
        "Queue the PDFs of live briefs: --missing (the default) queues those whose live "
        "revision has no PDF or a failed one; --all regenerates every live brief's PDF. "
        "--now renders in this process instead of sending the work to the workers."
    )

    def add_arguments(self, parser):
        what = parser.add_mutually_exclusive_group()
        what.add_argument("--missing", action="store_true", help="Missing or failed (default).")
        what.add_argument("--all", action="store_true", help="Every live brief, again.")
        parser.add_argument("--now", action="store_true", help="Render here, not in a worker.")

    def handle(self, *args, **options):
        from pdfs.tasks import render_brief_pdf

        live = BriefPage.objects.live()
        if options["all"]:
            rows = [services.queue_live_pdf(page, force=True) for page in live]
        else:
            rows = services.queue_missing(live)
        rows = [row for row in rows if row is not None]
        for row in rows:
            if options["now"]:
                render_brief_pdf.apply(args=(row.pk,))
                row.refresh_from_db()
            self.stdout.write(
                f"PDF of “{row.brief.title}” (revision {row.revision_id}): {row.status}"
            )
        pending = BriefPDF.objects.filter(
            brief__in=live, status__in=["queued", "rendering"]
        ).count()
        self.stdout.write(
            self.style.SUCCESS(f"{len(rows)} PDF(s) queued; {pending} waiting for a worker.")
            if not options["now"]
            else self.style.SUCCESS(f"{len(rows)} PDF(s) rendered.")
        )
