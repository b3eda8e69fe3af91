from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from evidence import services
from evidence.models import Evidence
from review import corrections
from review.models import CorrectionFlag


class Command(BaseCommand):
    help = (
        "Re-check the anchor of every piece of evidence against its source text, then the "
        "citations of every live brief (flagging those that need a correction), and print a "
        "summary. Exits 1 when an anchor or a live brief's citation does not hold."
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
        briefs = self.check_live_briefs(options)
        if bad_ids or briefs:
            raise CommandError(f"{summary} {briefs}".strip())
        self.stdout.write(self.style.SUCCESS(summary + " Every live brief's citations hold."))

    def check_live_briefs(self, options) -> str:
        """One line per live brief and note whose citation no longer holds (also flagged on
        the dashboard); the summary when there is any, "" otherwise."""
        evidence_ids = None
        if options["source"]:
            evidence_ids = list(
                Evidence.objects.filter(source_id=options["source"]).values_list("pk", flat=True)
            )
        outcome = corrections.watch(evidence_ids)
        flags = CorrectionFlag.objects.select_related("page").order_by("page__title", "note_number")
        if evidence_ids is not None:
            flags = flags.filter(evidence_id__in=evidence_ids)
        flags = list(flags)
        for flag in flags:
            self.stdout.write(
                f"  Live brief “{flag.page.title}” ({flag.page.slug}), "
                f"note {flag.note_number or '?'} (evidence #{flag.evidence_id}): {flag.problem}"
            )
        if not flags:
            return ""
        pages = len({flag.page_id for flag in flags})
        return (
            f"Checked {outcome.checked} live brief{'s' if outcome.checked != 1 else ''}: "
            f"{pages} need{'s' if pages == 1 else ''} a correction ({len(flags)} citation"
            f"{'s' if len(flags) != 1 else ''})."
        )
