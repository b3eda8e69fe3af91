from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from sources import services
from sources.extractors import IngestionError
from sources.models import Source, SourceAuthor
from taxonomy.models import Country, Topic


class Command(BaseCommand):
    help = (
        "Add a document to the source library and extract its text in the foreground. "
        "Exits 0 when the source is ready; otherwise prints one line with the reason, "
        "leaves nothing behind and exits 1."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", help="PDF, text, Markdown, HTML or DOCX file")
        parser.add_argument("--title", help="Title (default: from the file name)")
        parser.add_argument("--subtitle", default="")
        parser.add_argument("--publisher", default="")
        parser.add_argument("--date", help="Publication date: YYYY, YYYY-MM or YYYY-MM-DD")
        parser.add_argument(
            "--type",
            dest="document_type",
            default=Source.DocumentType.REPORT,
            choices=Source.DocumentType.values,
        )
        parser.add_argument("--language", default="en")
        parser.add_argument("--url", default="")
        parser.add_argument("--author", action="append", default=[], help="Repeat for several")
        parser.add_argument("--country", action="append", default=[], help="ISO code or slug")
        parser.add_argument("--topic", action="append", default=[], help="Topic slug")

    def handle(self, *args, **options):
        try:
            metadata = self._metadata(options)
            countries = [self._country(value) for value in options["country"]]
            topics = [self._topic(value) for value in options["topic"]]
            with transaction.atomic():
                source = services.create_source_from_path(
                    options["path"], title=options["title"], **metadata
                )
                for order, name in enumerate(options["author"]):
                    SourceAuthor.objects.create(source=source, name=name, sort_order=order)
                source.countries.set(countries)
                source.topics.set(topics)
                source.save()  # ParentalManyToManyField changes are written on save
        except IngestionError as exc:
            raise CommandError(str(exc)) from exc

        # Inline, so a scan is OCR'd here rather than on the worker's `ocr` queue.
        source = services.ingest_source(source.pk, ocr=True)
        if source.status != Source.Status.READY:
            reason = source.error or "ingestion did not finish"
            services.delete_source(source)
            raise CommandError(f"{options['path']}: {reason}")
        self.stdout.write(
            self.style.SUCCESS(f"Ingested “{source.title}” as source #{source.pk}: ")
            + source.status_message
        )

    def _metadata(self, options):
        metadata = {
            key: options[key]
            for key in ("subtitle", "publisher", "document_type", "language", "url")
        }
        if options["date"]:
            try:
                metadata["publication_date"], metadata["date_precision"] = (
                    services.parse_partial_date(options["date"])
                )
            except ValueError as exc:
                raise IngestionError(str(exc)) from exc
        return metadata

    def _country(self, value):
        country = (
            Country.objects.filter(iso_code__iexact=value).first()
            or Country.objects.filter(slug=value.lower()).first()
        )
        if not country:
            raise IngestionError(f"Unknown country “{value}” (give an ISO code or a slug).")
        return country

    def _topic(self, value):
        topic = Topic.objects.filter(slug=value.lower()).first()
        if not topic:
            raise IngestionError(f"Unknown topic “{value}” (give its slug).")
        return topic
