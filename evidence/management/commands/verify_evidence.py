from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from evidence import services
from evidence.models import Evidence


class Command(BaseCommand):
    help = (
        "Re-check the anchor of every piece of evidence against its source text and print a "
        "summary. Exits 1 when an anchor does not hold."
    )

    def add_arguments(self, parser):
        parser.add_argument("--source", type=int, help="Only the evidence of this source id")
        parser.add_argument("--quiet", action="store_true", help="Print the summary only")

    def handle(self, *args, **options):
        queryset = Evidence.objects.all()
        if options["source"]:
            queryset = queryset.filter(source_id=options["source"])
        checked, problems = services.verify(queryset)
        bad_ids = {problem.evidence.pk for problem in problems}
        Evidence.objects.filter(pk__in=queryset.values("pk")).exclude(pk__in=bad_ids).update(
            verified_at=timezone.now()
        )
        if not options["quiet"]:
            for problem in problems:
                evidence = problem.evidence
                self.stdout.write(
                    f"  #{evidence.pk} {evidence.source.title}, p. {evidence.page}: "
                    f"{problem.message}"
                )
        summary = (
            f"Checked {checked} piece{'s' if checked != 1 else ''} of evidence: "
            f"{checked - len(bad_ids)} hold, {len(bad_ids)} with problems."
        )
        if bad_ids:
            raise CommandError(summary)
        self.stdout.write(self.style.SUCCESS(summary))
